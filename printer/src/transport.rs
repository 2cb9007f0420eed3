//! Getting bytes to a printer and its status back: serial ports, raw TCP
//! (port 9100) and files or devices, behind one [`Printer`].
//!
//! Every operation is bounded in time: connecting ([`Timeouts::connect`]),
//! a status round trip ([`Timeouts::status`]) and writing, which fails with
//! [`PrintError::Stalled`] once the printer has taken no byte for
//! [`Timeouts::stall`] (flow control held by a printer out of paper, a
//! cable pulled). Nothing here blocks forever, with one exception noted on
//! [`Target::Tcp`]: resolving a host name.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, Instant};

use crate::escpos::STATUS_QUERIES;
use crate::profile::{FlowControl, Profile, transfer_time};
use crate::status::{PrinterStatus, StatusReplies};

/// Where a printer is.
///
/// Parsed from the strings a kiosk takes on its command line
/// (`--printer …`):
///
/// | string | target |
/// |---|---|
/// | `tcp://192.168.1.50:9100`, `tcp://printer` | [`Target::Tcp`] (port 9100 by default) |
/// | `/dev/ttyUSB0`, `/dev/ttyS0`, `/dev/pts/3`, `/dev/serial/by-id/…` | [`Target::Serial`] with the profile's baud |
/// | `serial:/dev/ttyUSB0?baud=9600&flow=hardware` | [`Target::Serial`] with its own settings |
/// | `file:/tmp/out.bin`, `/dev/usb/lp0`, any other path | [`Target::File`] |
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Raw TCP ("JetDirect", port 9100). A host name is resolved by the
    /// system resolver, which has no timeout of ours: use addresses on
    /// kiosks.
    Tcp {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
    },
    /// A serial port (or pseudo-terminal).
    Serial {
        /// Device path.
        path: PathBuf,
        /// Baud rate; the profile's when absent.
        baud: Option<u32>,
        /// Flow control; the profile's when absent.
        flow: Option<FlowControl>,
    },
    /// A file or a write-only device: bytes are appended; no status.
    File(PathBuf),
}

/// A printer target string that makes no sense.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Nothing was given.
    #[error("the printer target is empty")]
    Empty,
    /// `tcp://` without a usable host and port.
    #[error("`{0}` is not tcp://HOST[:PORT]")]
    Tcp(String),
    /// A `serial:` option that is not `baud=N` or `flow=none|software|hardware`.
    #[error("`{0}`: serial options are baud=N and flow=none|software|hardware")]
    SerialOption(String),
}

impl FromStr for Target {
    type Err = TargetError;

    fn from_str(s: &str) -> Result<Target, TargetError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(TargetError::Empty);
        }
        if let Some(rest) = s.strip_prefix("tcp://") {
            let rest = rest.trim_end_matches('/');
            let (host, port) = match rest.rsplit_once(':') {
                // An IPv6 literal in brackets has colons of its own.
                Some((h, p)) if !p.contains(']') => {
                    (h, p.parse().map_err(|_| TargetError::Tcp(s.into()))?)
                }
                _ => (rest, 9100),
            };
            let host = host.trim_start_matches('[').trim_end_matches(']');
            if host.is_empty() || port == 0 {
                return Err(TargetError::Tcp(s.into()));
            }
            return Ok(Target::Tcp {
                host: host.into(),
                port,
            });
        }
        if let Some(rest) = s.strip_prefix("serial:") {
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
            let (mut baud, mut flow) = (None, None);
            for opt in query.split('&').filter(|o| !o.is_empty()) {
                match opt.split_once('=') {
                    Some(("baud", n)) => {
                        baud = Some(
                            n.parse()
                                .ok()
                                .filter(|&b| b > 0)
                                .ok_or_else(|| TargetError::SerialOption(opt.into()))?,
                        )
                    }
                    Some(("flow", f)) => {
                        flow = Some(match f {
                            "none" => FlowControl::None,
                            "software" | "xonxoff" => FlowControl::Software,
                            "hardware" | "rtscts" => FlowControl::Hardware,
                            _ => return Err(TargetError::SerialOption(opt.into())),
                        })
                    }
                    _ => return Err(TargetError::SerialOption(opt.into())),
                }
            }
            if path.is_empty() {
                return Err(TargetError::Empty);
            }
            return Ok(Target::Serial {
                path: path.into(),
                baud,
                flow,
            });
        }
        if let Some(path) = s.strip_prefix("file:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            return Ok(Target::File(path.into()));
        }
        let serial = ["/dev/tty", "/dev/pts/", "/dev/serial/", "/dev/rfcomm"]
            .iter()
            .any(|p| s.starts_with(p));
        Ok(if serial {
            Target::Serial {
                path: s.into(),
                baud: None,
                flow: None,
            }
        } else {
            Target::File(s.into())
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Tcp { host, port } if host.contains(':') => write!(f, "tcp://[{host}]:{port}"),
            Target::Tcp { host, port } => write!(f, "tcp://{host}:{port}"),
            Target::Serial { path, baud, flow } => {
                write!(f, "serial:{}", path.display())?;
                let mut opts = Vec::new();
                if let Some(b) = baud {
                    opts.push(format!("baud={b}"));
                }
                if let Some(fl) = flow {
                    opts.push(format!("flow={}", flow_name(*fl)));
                }
                if !opts.is_empty() {
                    write!(f, "?{}", opts.join("&"))?;
                }
                Ok(())
            }
            Target::File(p) => write!(f, "file:{}", p.display()),
        }
    }
}

fn flow_name(f: FlowControl) -> &'static str {
    match f {
        FlowControl::None => "none",
        FlowControl::Software => "software",
        FlowControl::Hardware => "hardware",
    }
}

/// Time limits of a [`Printer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Connecting to a TCP printer.
    pub connect: Duration,
    /// Waiting for the replies to a status query.
    pub status: Duration,
    /// How long the printer may take no byte before a job fails.
    pub stall: Duration,
    /// One blocking read or write; the unit in which stalls are counted.
    pub step: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(2),
            status: Duration::from_millis(500),
            stall: Duration::from_secs(3),
            step: Duration::from_millis(100),
        }
    }
}

/// A printer cannot print now, or the bytes did not get there.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// The printer reported a state in which it must not print
    /// (see [`PrinterStatus::can_print`]); nothing was sent.
    #[error("the printer cannot print now: {}", .0.label_en())]
    NotReady(PrinterStatus),
    /// The target could not be opened or connected to.
    #[error("cannot open printer {target}: {source}")]
    Open {
        /// The target.
        target: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The printer took no byte for [`Timeouts::stall`].
    #[error("printer {target} stopped accepting data after {sent} of {total} bytes")]
    Stalled {
        /// The target.
        target: String,
        /// Bytes written.
        sent: usize,
        /// Bytes of the job.
        total: usize,
    },
    /// The connection was lost (TCP reset or closed, device gone).
    #[error("printer {target} disconnected: {source}")]
    Disconnected {
        /// The target.
        target: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Any other I/O error.
    #[error("printer {target}: {source}")]
    Io {
        /// The target.
        target: String,
        /// Why.
        #[source]
        source: io::Error,
    },
}

impl PrintError {
    /// Chinese text for a visitor at the kiosk.
    pub fn label_zh(&self) -> &'static str {
        match self {
            PrintError::NotReady(status) => status.label_zh(),
            _ => "打印机连接异常，请联系工作人员",
        }
    }
}

/// A byte link to a printer. Implemented for serial ports, TCP streams and
/// files; implement it for other links (USB, a test double at the OS edge).
pub trait Port: Read + Write + Send {
    /// Sets the time one `read` or `write` may block.
    fn set_timeout(&mut self, timeout: Duration) -> io::Result<()>;
    /// Drops bytes received but not read (late replies to old queries).
    fn discard_input(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// Whether the link carries replies at all (files do not).
    fn answers_status(&self) -> bool {
        true
    }
    /// Pacing for a job of `len` bytes, when the link has no flow control.
    fn pacing(&self, _len: usize) -> Option<Pacing> {
        None
    }
}

impl Port for TcpStream {
    fn set_timeout(&mut self, timeout: Duration) -> io::Result<()> {
        let t = Some(timeout.max(Duration::from_millis(1)));
        self.set_read_timeout(t)?;
        self.set_write_timeout(t)
    }

    fn discard_input(&mut self) -> io::Result<()> {
        self.set_nonblocking(true)?;
        let mut buf = [0u8; 256];
        let result = loop {
            match self.read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(_) => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        self.set_nonblocking(false)?;
        result
    }
}

struct SerialLink {
    port: serialport::TTYPort,
    profile: Profile,
}

impl Read for SerialLink {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.port.read(buf)
    }
}

impl Write for SerialLink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.port.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.port.flush()
    }
}

impl Port for SerialLink {
    fn set_timeout(&mut self, timeout: Duration) -> io::Result<()> {
        use serialport::SerialPort;
        self.port.set_timeout(timeout).map_err(io::Error::from)
    }

    fn discard_input(&mut self) -> io::Result<()> {
        use serialport::SerialPort;
        self.port
            .clear(serialport::ClearBuffer::Input)
            .map_err(io::Error::from)
    }

    fn pacing(&self, len: usize) -> Option<Pacing> {
        Pacing::plan(&self.profile, len)
    }
}

struct FileLink(File);

impl Read for FileLink {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        Ok(0)
    }
}

impl Write for FileLink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Port for FileLink {
    fn set_timeout(&mut self, _timeout: Duration) -> io::Result<()> {
        Ok(())
    }

    fn answers_status(&self) -> bool {
        false
    }
}

/// How to send a large job over a serial line without flow control: in
/// chunks, pausing after each so that the printer's receive buffer never
/// overflows.
///
/// The printer empties its buffer as it prints. The slowest content to
/// print per byte is plain text (one line of `columns` bytes per 3.75 mm
/// of paper), so that rate is assumed: at 150 mm/s on 80 mm paper it is
/// 40 lines/s × 48 bytes = 1,920 bytes/s. A serial line faster than that
/// (115200 baud carries 11,520 bytes/s) fills a 4 KB buffer in under half a
/// second of a long slip, and the bytes after that are lost. Lines slower
/// than the printer (9600 baud: 960 bytes/s) need no pacing. Neither do
/// links with flow control (the printer holds CTS or sends XOFF) nor TCP
/// (the printer's TCP window is its flow control).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacing {
    /// Bytes per chunk: half the printer's buffer.
    pub chunk: usize,
    /// Pause after each chunk: printing it takes longer than sending it.
    pub pause: Duration,
}

impl Pacing {
    /// The pacing a job of `len` bytes needs on a serial link of `profile`,
    /// or `None`.
    pub fn plan(profile: &Profile, len: usize) -> Option<Pacing> {
        if profile.flow_control != FlowControl::None || len <= profile.buffer_bytes {
            return None;
        }
        let chunk = (profile.buffer_bytes / 2).max(64);
        // 30-dot line spacing at 8 dots/mm: 3.75 mm per text line.
        let lines_per_s = f64::from(profile.speed_mm_s.max(1)) / 3.75;
        let bytes_per_s = lines_per_s * profile.columns() as f64;
        let print = Duration::from_secs_f64(chunk as f64 / bytes_per_s);
        let send = transfer_time(chunk, profile.baud);
        (print > send).then(|| Pacing {
            chunk,
            pause: print - send,
        })
    }
}

/// Writes all of `bytes`, in chunks with pauses if `pacing` says so.
/// `sleep` is how pauses are taken (`std::thread::sleep` in
/// [`Printer::print`]). Fails with [`WriteError::Stalled`] after
/// `max_idle` consecutive writes that timed out without taking a byte.
pub fn write_paced(
    port: &mut dyn Write,
    bytes: &[u8],
    pacing: Option<Pacing>,
    max_idle: u32,
    sleep: &mut dyn FnMut(Duration),
) -> Result<(), WriteError> {
    let chunk = pacing.map_or(bytes.len().max(1), |p| p.chunk);
    let mut sent = 0;
    let mut idle = 0;
    for piece in bytes.chunks(chunk) {
        let mut done = 0;
        while done < piece.len() {
            match port.write(&piece[done..]) {
                Ok(0) => idle += 1,
                Ok(n) => {
                    done += n;
                    sent += n;
                    idle = 0;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                    ) =>
                {
                    idle += 1
                }
                Err(e) => return Err(WriteError::Io { sent, source: e }),
            }
            if idle >= max_idle {
                return Err(WriteError::Stalled { sent });
            }
        }
        if let Some(p) = pacing.filter(|_| sent < bytes.len()) {
            sleep(p.pause);
        }
    }
    Ok(())
}

/// Why [`write_paced`] stopped.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// No byte was taken for too long.
    #[error("stalled after {sent} bytes")]
    Stalled {
        /// Bytes written.
        sent: usize,
    },
    /// The link failed.
    #[error("failed after {sent} bytes: {source}")]
    Io {
        /// Bytes written.
        sent: usize,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// An open printer. Not shared between threads: a kiosk owns one in its
/// printing thread and sends it jobs.
pub struct Printer {
    port: Box<dyn Port>,
    name: String,
    timeouts: Timeouts,
}

impl fmt::Debug for Printer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Printer")
            .field("target", &self.name)
            .finish()
    }
}

impl Printer {
    /// Opens `target` with the link settings of `profile` (baud and flow
    /// control, unless the target names its own) and default timeouts.
    pub fn open(target: &Target, profile: &Profile) -> Result<Printer, PrintError> {
        Printer::open_with(target, profile, Timeouts::default())
    }

    /// Opens `target` with explicit timeouts.
    pub fn open_with(
        target: &Target,
        profile: &Profile,
        timeouts: Timeouts,
    ) -> Result<Printer, PrintError> {
        let name = target.to_string();
        let open_err = |source| PrintError::Open {
            target: name.clone(),
            source,
        };
        let port: Box<dyn Port> = match target {
            Target::Tcp { host, port } => {
                let addrs = (host.as_str(), *port).to_socket_addrs().map_err(open_err)?;
                let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
                let mut stream = None;
                for addr in addrs {
                    match TcpStream::connect_timeout(&addr, timeouts.connect) {
                        Ok(s) => {
                            stream = Some(s);
                            break;
                        }
                        Err(e) => last = e,
                    }
                }
                let stream = stream.ok_or_else(|| open_err(last))?;
                // Small writes (a status query) go out at once.
                stream.set_nodelay(true).map_err(open_err)?;
                Box::new(stream)
            }
            Target::Serial { path, baud, flow } => {
                let mut profile = profile.clone();
                profile.baud = baud.unwrap_or(profile.baud);
                profile.flow_control = flow.unwrap_or(profile.flow_control);
                let flow = match profile.flow_control {
                    FlowControl::None => serialport::FlowControl::None,
                    FlowControl::Software => serialport::FlowControl::Software,
                    FlowControl::Hardware => serialport::FlowControl::Hardware,
                };
                let port = serialport::new(path.to_string_lossy(), profile.baud)
                    .flow_control(flow)
                    .timeout(timeouts.step)
                    .open_native()
                    .map_err(|e| open_err(io::Error::from(e)))?;
                Box::new(SerialLink { port, profile })
            }
            Target::File(path) => {
                let file = OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(path)
                    .map_err(open_err)?;
                Box::new(FileLink(file))
            }
        };
        Ok(Printer::from_port(port, name, timeouts))
    }

    /// A printer on a link of the caller's.
    pub fn from_port(port: Box<dyn Port>, name: impl Into<String>, timeouts: Timeouts) -> Printer {
        Printer {
            port,
            name: name.into(),
            timeouts,
        }
    }

    /// The target, as text.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Sends a job (bytes from [`crate::render`]). Does not ask for the
    /// status first; see [`Printer::print_checked`].
    pub fn print(&mut self, bytes: &[u8]) -> Result<(), PrintError> {
        let step = self.timeouts.step.max(Duration::from_millis(1));
        let max_idle = (self.timeouts.stall.as_millis() / step.as_millis()).max(1) as u32;
        self.port.set_timeout(step).map_err(|e| self.io(e))?;
        let pacing = self.port.pacing(bytes.len());
        let result = write_paced(
            &mut *self.port,
            bytes,
            pacing,
            max_idle,
            &mut std::thread::sleep,
        );
        match result {
            Ok(()) => self.port.flush().map_err(|e| self.io(e)),
            Err(WriteError::Stalled { sent }) => Err(PrintError::Stalled {
                target: self.name.clone(),
                sent,
                total: bytes.len(),
            }),
            Err(WriteError::Io { source, .. }) => Err(self.io(source)),
        }
    }

    /// Asks for the status first and sends the job only if the printer can
    /// print ([`PrinterStatus::can_print`]); returns the status it had.
    pub fn print_checked(&mut self, bytes: &[u8]) -> Result<PrinterStatus, PrintError> {
        let status = self.status()?;
        if !status.can_print() {
            return Err(PrintError::NotReady(status));
        }
        self.print(bytes)?;
        Ok(status)
    }

    /// The printer's status: three real-time queries (`DLE EOT 1, 2, 4`)
    /// and their replies, within [`Timeouts::status`]. A printer that does
    /// not answer is [`PrinterStatus::Unknown`], not an error.
    pub fn status(&mut self) -> Result<PrinterStatus, PrintError> {
        Ok(self.status_replies()?.status())
    }

    /// The raw replies behind [`Printer::status`], for support tools.
    pub fn status_replies(&mut self) -> Result<StatusReplies, PrintError> {
        if !self.port.answers_status() {
            return Ok(StatusReplies::default());
        }
        self.port.discard_input().map_err(|e| self.io(e))?;
        self.port
            .set_timeout(self.timeouts.step)
            .map_err(|e| self.io(e))?;
        self.port
            .write_all(&STATUS_QUERIES)
            .and_then(|()| self.port.flush())
            .map_err(|e| self.io(e))?;
        let deadline = Instant::now() + self.timeouts.status;
        let mut got = Vec::new();
        let mut buf = [0u8; 16];
        while StatusReplies::from_bytes(&got).count() < 3 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            self.port
                .set_timeout(left.min(self.timeouts.step))
                .map_err(|e| self.io(e))?;
            match self.port.read(&mut buf) {
                Ok(0) => {
                    return Err(PrintError::Disconnected {
                        target: self.name.clone(),
                        source: io::ErrorKind::UnexpectedEof.into(),
                    });
                }
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut
                            | io::ErrorKind::WouldBlock
                            | io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Err(self.io(e)),
            }
        }
        Ok(StatusReplies::from_bytes(&got))
    }

    fn io(&self, source: io::Error) -> PrintError {
        let target = self.name.clone();
        match source.kind() {
            io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::NotConnected
            | io::ErrorKind::UnexpectedEof => PrintError::Disconnected { target, source },
            _ => PrintError::Io { target, source },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Paper;

    #[test]
    fn targets_parse() {
        let t = |s: &str| s.parse::<Target>();
        assert_eq!(
            t("tcp://192.168.1.50:9100"),
            Ok(Target::Tcp {
                host: "192.168.1.50".into(),
                port: 9100
            })
        );
        assert_eq!(
            t("tcp://printer"),
            Ok(Target::Tcp {
                host: "printer".into(),
                port: 9100
            })
        );
        assert_eq!(
            t("tcp://[::1]:9101"),
            Ok(Target::Tcp {
                host: "::1".into(),
                port: 9101
            })
        );
        assert_eq!(
            t("/dev/ttyUSB0"),
            Ok(Target::Serial {
                path: "/dev/ttyUSB0".into(),
                baud: None,
                flow: None
            })
        );
        assert_eq!(
            t("serial:/dev/pts/4?baud=9600&flow=hardware"),
            Ok(Target::Serial {
                path: "/dev/pts/4".into(),
                baud: Some(9600),
                flow: Some(FlowControl::Hardware)
            })
        );
        assert_eq!(t("/dev/usb/lp0"), Ok(Target::File("/dev/usb/lp0".into())));
        assert_eq!(t("file:/tmp/x"), Ok(Target::File("/tmp/x".into())));
        assert_eq!(t(""), Err(TargetError::Empty));
        assert!(matches!(t("tcp://:9100"), Err(TargetError::Tcp(_))));
        assert!(matches!(t("tcp://h:x"), Err(TargetError::Tcp(_))));
        assert!(matches!(
            t("serial:/dev/ttyS0?speed=9600"),
            Err(TargetError::SerialOption(_))
        ));
    }

    #[test]
    fn targets_print_as_they_parse() {
        for s in [
            "tcp://10.0.0.5:9100",
            "tcp://[::1]:9100",
            "serial:/dev/ttyS0?baud=38400&flow=software",
            "serial:/dev/ttyUSB0",
            "file:/tmp/ticket.bin",
        ] {
            let t: Target = s.parse().unwrap();
            assert_eq!(t.to_string(), s);
            assert_eq!(t.to_string().parse::<Target>().unwrap(), t);
        }
    }

    fn serial(baud: u32, flow: FlowControl) -> Profile {
        Profile {
            baud,
            flow_control: flow,
            ..Profile::with_paper(Paper::Mm80)
        }
    }

    #[test]
    fn pacing_only_when_the_line_outruns_the_printer() {
        // Small jobs fit the printer's buffer.
        assert_eq!(Pacing::plan(&serial(115_200, FlowControl::None), 600), None);
        // Flow control paces by itself.
        assert_eq!(
            Pacing::plan(&serial(115_200, FlowControl::Hardware), 33_000),
            None
        );
        // 9600 baud is slower than the printer prints.
        assert_eq!(Pacing::plan(&serial(9600, FlowControl::None), 33_000), None);
        // 115200 baud outruns it: 2048-byte chunks take 178 ms to send and
        // 1.07 s to print as text (1920 bytes/s), so pause 0.89 s.
        let p = Pacing::plan(&serial(115_200, FlowControl::None), 33_000).unwrap();
        assert_eq!(p.chunk, 2048);
        assert_eq!(p.pause.as_millis(), 888);
    }

    #[test]
    fn paced_writes_never_exceed_the_buffer_between_pauses() {
        // A link that takes at most 100 bytes per write, and a clock that
        // only records the pauses asked for.
        struct Slow(Vec<u8>);
        impl Write for Slow {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                let n = b.len().min(100);
                self.0.extend_from_slice(&b[..n]);
                Ok(n)
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let job: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        let pacing = Pacing {
            chunk: 2048,
            pause: Duration::from_millis(889),
        };
        let mut link = Slow(Vec::new());
        let mut pauses = Vec::new();
        write_paced(&mut link, &job, Some(pacing), 1, &mut |d| {
            pauses.push((d, 0))
        })
        .unwrap();
        assert_eq!(link.0, job);
        // 10,000 bytes in 2048-byte chunks: 5 chunks, a pause after each
        // but the last.
        assert_eq!(pauses.len(), 4);
    }

    #[test]
    fn a_printer_that_takes_nothing_stalls_the_job() {
        struct Held(usize);
        impl Write for Held {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                // Takes 10 bytes, then its flow control stays held.
                if self.0 >= 10 {
                    return Err(io::ErrorKind::TimedOut.into());
                }
                let n = b.len().min(10 - self.0);
                self.0 += n;
                Ok(n)
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let err = write_paced(&mut Held(0), &[0; 50], None, 30, &mut |_| {}).unwrap_err();
        assert!(matches!(err, WriteError::Stalled { sent: 10 }));
    }
}
