//! A window's live state and its figures for the day.
//!
//! Kept apart from [`crate::lobby`], which owns and changes them, so that
//! [`crate::estimate`] can read the windows without depending on the
//! lobby: the lobby uses the estimates, not the other way round.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{TicketId, WindowNo};

/// A window's live state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowState {
    /// The window's number in the hall configuration.
    pub number: WindowNo,
    /// Staff signed in.
    pub open: bool,
    /// Who signed in (account name), when known.
    #[serde(default)]
    pub staff: Option<String>,
    /// Pause reason, while paused.
    pub paused: Option<String>,
    /// Since when it is paused.
    pub paused_at: Option<Timestamp>,
    /// The ticket being called or served.
    pub current: Option<TicketId>,
    /// Priority calls in a row while normal tickets waited (see the
    /// dispatcher's bound).
    pub priority_streak: u32,
    /// Whether a handling-too-long yellow card was raised for the current
    /// ticket.
    pub handling_warned: bool,
    /// Today's figures.
    pub today: WindowFigures,
}

/// A window's figures for the day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowFigures {
    /// Tickets called (not counting recalls).
    pub called: u32,
    /// Tickets completed.
    pub completed: u32,
    /// No-shows.
    pub no_shows: u32,
    /// Tickets transferred away.
    pub transferred: u32,
    /// Total service seconds of completed tickets.
    pub service_s: u64,
}
