//! Mono 16-bit PCM sound, read from and written as WAV, and the chime.

use std::f32::consts::TAU;

/// Mono 16-bit PCM samples at a sample rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wav {
    /// Samples per second.
    pub rate: u32,
    /// The samples.
    pub samples: Vec<i16>,
}

/// Why bytes are not a WAV this module reads.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WavError {
    /// No RIFF/WAVE header.
    #[error("not a RIFF/WAVE file")]
    NotWav,
    /// A chunk is cut short or missing.
    #[error("WAV file without a complete `{0}` chunk")]
    Missing(&'static str),
    /// Not 16-bit PCM.
    #[error("WAV format {format} with {bits} bits per sample; 16-bit PCM expected")]
    Format {
        /// Format tag (1 is PCM).
        format: u16,
        /// Bits per sample.
        bits: u16,
    },
}

impl Wav {
    /// Silence of `ms` milliseconds.
    pub fn silence(rate: u32, ms: u32) -> Wav {
        Wav {
            rate,
            samples: vec![0; (rate as u64 * ms as u64 / 1000) as usize],
        }
    }

    /// Duration in milliseconds.
    pub fn duration_ms(&self) -> u64 {
        self.samples.len() as u64 * 1000 / self.rate.max(1) as u64
    }

    /// Appends `other`, which must have the same rate (it is resampled by
    /// repeating or skipping samples otherwise: good enough for a chime).
    pub fn append(&mut self, other: &Wav) {
        if other.rate == self.rate {
            self.samples.extend_from_slice(&other.samples);
            return;
        }
        let n = other.samples.len() as u64 * self.rate as u64 / other.rate.max(1) as u64;
        self.samples.extend((0..n).map(|i| {
            let j = (i * other.rate as u64 / self.rate as u64) as usize;
            other.samples[j.min(other.samples.len() - 1)]
        }));
    }

    /// The WAV file bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let data_len = (self.samples.len() * 2) as u32;
        let mut out = Vec::with_capacity(44 + data_len as usize);
        out.extend_from_slice(b"RIFF");
        out.extend_from_slice(&(36 + data_len).to_le_bytes());
        out.extend_from_slice(b"WAVEfmt ");
        out.extend_from_slice(&16u32.to_le_bytes());
        out.extend_from_slice(&1u16.to_le_bytes()); // PCM
        out.extend_from_slice(&1u16.to_le_bytes()); // mono
        out.extend_from_slice(&self.rate.to_le_bytes());
        out.extend_from_slice(&(self.rate * 2).to_le_bytes()); // bytes per second
        out.extend_from_slice(&2u16.to_le_bytes()); // block align
        out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
        out.extend_from_slice(b"data");
        out.extend_from_slice(&data_len.to_le_bytes());
        for s in &self.samples {
            out.extend_from_slice(&s.to_le_bytes());
        }
        out
    }

    /// Reads a mono or stereo 16-bit PCM WAV (stereo is mixed down).
    /// Streaming writers (espeak-ng `--stdout`) leave the sizes unset, so a
    /// `data` chunk running past the end is read to the end.
    pub fn parse(bytes: &[u8]) -> Result<Wav, WavError> {
        if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
            return Err(WavError::NotWav);
        }
        let mut at = 12;
        let mut fmt: Option<(u16, u16, u32, u16)> = None;
        while at + 8 <= bytes.len() {
            let id = &bytes[at..at + 4];
            let len =
                u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]])
                    as usize;
            let body = &bytes[at + 8..];
            if id == b"fmt " {
                if body.len() < 16 {
                    return Err(WavError::Missing("fmt "));
                }
                let u16_at = |i: usize| u16::from_le_bytes([body[i], body[i + 1]]);
                let rate = u32::from_le_bytes([body[4], body[5], body[6], body[7]]);
                fmt = Some((u16_at(0), u16_at(2), rate, u16_at(14)));
            } else if id == b"data" {
                let (format, channels, rate, bits) = fmt.ok_or(WavError::Missing("fmt "))?;
                if format != 1 || bits != 16 {
                    return Err(WavError::Format { format, bits });
                }
                let data = &body[..len.min(body.len())];
                let frame = 2 * channels.max(1) as usize;
                let samples = data
                    .chunks_exact(frame)
                    .map(|f| {
                        let sum: i32 = f
                            .chunks_exact(2)
                            .map(|s| i16::from_le_bytes([s[0], s[1]]) as i32)
                            .sum();
                        (sum / channels.max(1) as i32) as i16
                    })
                    .collect();
                return Ok(Wav { rate, samples });
            }
            // Chunks are padded to an even length.
            at = at.saturating_add(8 + len + (len & 1));
        }
        Err(WavError::Missing("data"))
    }
}

/// The two-tone chime (叮咚) played before each announcement: E5 then C5,
/// each struck and fading, about 1.2 s in all.
pub fn chime(rate: u32) -> Wav {
    let mut wav = Wav {
        rate,
        samples: Vec::new(),
    };
    for (freq, ms) in [(659.25f32, 450u32), (523.25, 750)] {
        let n = rate * ms / 1000;
        wav.samples.extend((0..n).map(|i| {
            let t = i as f32 / rate as f32;
            // A quick attack avoids a click; the exponential decay sounds
            // like a struck bell. The octave partial gives it some colour.
            let attack = (t / 0.005).min(1.0);
            let envelope = attack * (-t * 4.0).exp();
            let tone = (TAU * freq * t).sin() + 0.3 * (TAU * 2.0 * freq * t).sin();
            (tone / 1.3 * envelope * 0.6 * i16::MAX as f32) as i16
        }));
    }
    wav
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_bytes() {
        let wav = chime(22050);
        assert_eq!(Wav::parse(&wav.to_bytes()).unwrap(), wav);
        assert!((1195..=1200).contains(&wav.duration_ms()));
        assert!(
            wav.samples.iter().any(|s| s.unsigned_abs() > 10_000),
            "audible"
        );
    }

    #[test]
    fn reads_a_streamed_wav_with_unset_sizes() {
        let mut bytes = Wav {
            rate: 22050,
            samples: vec![1, -2, 3],
        }
        .to_bytes();
        // espeak-ng --stdout writes 0x7ffff… sizes it cannot know yet.
        bytes[40..44].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
        assert_eq!(Wav::parse(&bytes).unwrap().samples, vec![1, -2, 3]);
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert_eq!(Wav::parse(b"hello"), Err(WavError::NotWav));
        assert_eq!(
            Wav::parse(b"RIFF\0\0\0\0WAVE"),
            Err(WavError::Missing("data"))
        );
    }

    #[test]
    fn appends_across_rates() {
        let mut a = Wav::silence(22050, 100);
        a.append(&Wav::silence(44100, 100));
        assert_eq!(a.duration_ms(), 200);
    }
}
