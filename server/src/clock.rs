//! The server's clock, which it hands to the core (the core has none).
//!
//! [`SystemClock`] reads the real time. [`FakeClock`] starts at a given
//! instant and moves only when told to (`--fake-clock`, and the test-only
//! `POST /api/test/clock`), so tests cover day changes, closing time and
//! opening hours without sleeping.

use std::sync::Mutex;

use jiff::Timestamp;

/// Where the server gets "now".
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The operating system's clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that stands still until it is moved.
#[derive(Debug)]
pub struct FakeClock {
    now: Mutex<Timestamp>,
}

/// Why a fake clock refused to move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// Time may not run backwards: the core's day and figures assume it
    /// does not.
    #[error("time may only move forward")]
    Backwards,
    /// The result is outside the representable range.
    #[error("time out of range")]
    OutOfRange,
}

impl FakeClock {
    /// A clock standing at `start`.
    pub fn new(start: Timestamp) -> FakeClock {
        FakeClock {
            now: Mutex::new(start),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Timestamp> {
        // A poisoned lock still holds a valid timestamp.
        self.now.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves the clock forward by `seconds`.
    pub fn advance(&self, seconds: i64) -> Result<Timestamp, ClockError> {
        if seconds < 0 {
            return Err(ClockError::Backwards);
        }
        let mut now = self.lock();
        let next = now
            .checked_add(jiff::SignedDuration::from_secs(seconds))
            .map_err(|_| ClockError::OutOfRange)?;
        *now = next;
        Ok(next)
    }

    /// Jumps to `at`, which must not be earlier than now.
    pub fn set(&self, at: Timestamp) -> Result<Timestamp, ClockError> {
        let mut now = self.lock();
        if at < *now {
            return Err(ClockError::Backwards);
        }
        *now = at;
        Ok(at)
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Timestamp {
        *self.lock()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_clock_moves_only_forward() {
        let start: Timestamp = "2026-11-25T01:00:00Z".parse().unwrap();
        let clock = FakeClock::new(start);
        assert_eq!(clock.now(), start);
        assert_eq!(
            clock.advance(60).unwrap().as_second(),
            start.as_second() + 60
        );
        assert_eq!(clock.set(start), Err(ClockError::Backwards));
        assert_eq!(clock.advance(-1), Err(ClockError::Backwards));
    }
}
