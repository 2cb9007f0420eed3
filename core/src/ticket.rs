//! Tickets and their lifecycle states.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::ids::{CategoryId, GroupId, MatterId, SiteId, TicketId, WindowNo};

/// A ticket's number as printed and called: prefix plus a daily sequence,
/// at least three digits ("A023"). In JSON it is that string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TicketNumber {
    /// The category's prefix.
    pub prefix: String,
    /// The sequence within the category and business day, from 1.
    pub seq: u32,
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{:03}", self.prefix, self.seq)
    }
}

impl std::str::FromStr for TicketNumber {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s.trim_start_matches(|c: char| c.is_ascii_uppercase());
        let prefix = &s[..s.len() - digits.len()];
        if prefix.is_empty() || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{s}` is not a ticket number such as A023"));
        }
        let seq = digits
            .parse()
            .map_err(|_| format!("`{s}` is out of range"))?;
        Ok(TicketNumber {
            prefix: prefix.to_owned(),
            seq,
        })
    }
}

impl Serialize for TicketNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TicketNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Normal or green channel.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "lane", rename_all = "snake_case")]
pub enum Priority {
    /// An ordinary ticket.
    Normal,
    /// Green channel (绿色通道), for one of the configured groups.
    Green {
        /// The group (老、弱、病、残、军).
        group: GroupId,
    },
}

impl Priority {
    /// Whether this is a green-channel ticket.
    pub fn is_green(&self) -> bool {
        matches!(self, Priority::Green { .. })
    }
}

/// Where a ticket was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Self-service kiosk.
    Kiosk,
    /// Guide desk (导服台), by staff for the visitor.
    GuideDesk,
    /// Check-in of an online appointment.
    Appointment,
    /// An online application handled at a window (双轨).
    Online,
}

/// An appointment's slot, for tickets checked in from an appointment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Appointment {
    /// The booking code the visitor typed or scanned.
    pub code: String,
    /// Start of the booked slot.
    pub slot_start: Timestamp,
    /// End of the booked slot.
    pub slot_end: Timestamp,
}

/// Where a ticket stands in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// In a queue.
    Waiting,
    /// Called to a window, visitor not yet there.
    Called,
    /// Being served at a window.
    Serving,
    /// Finished.
    Completed,
    /// Called but never came (过号).
    NoShow,
    /// Still waiting when the hall closed.
    Expired,
    /// Withdrawn by the visitor or staff.
    Cancelled,
}

impl Status {
    /// Whether the ticket is finished for good (it may still be re-activated
    /// if it is a no-show).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Completed | Status::NoShow | Status::Expired | Status::Cancelled
        )
    }

    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Status::Waiting => "等候中",
            Status::Called => "已叫号",
            Status::Serving => "办理中",
            Status::Completed => "已办结",
            Status::NoShow => "已过号",
            Status::Expired => "已失效",
            Status::Cancelled => "已取消",
        }
    }
}

/// The five-level satisfaction rating (好差评).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// 非常满意
    VerySatisfied,
    /// 满意
    Satisfied,
    /// 基本满意
    Neutral,
    /// 不满意
    Dissatisfied,
    /// 非常不满意
    VeryDissatisfied,
}

impl Rating {
    /// All levels, best first.
    pub const ALL: [Rating; 5] = [
        Rating::VerySatisfied,
        Rating::Satisfied,
        Rating::Neutral,
        Rating::Dissatisfied,
        Rating::VeryDissatisfied,
    ];

    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Rating::VerySatisfied => "非常满意",
            Rating::Satisfied => "满意",
            Rating::Neutral => "基本满意",
            Rating::Dissatisfied => "不满意",
            Rating::VeryDissatisfied => "非常不满意",
        }
    }

    /// Score for rankings: 5 (best) to 1.
    pub fn score(self) -> u32 {
        match self {
            Rating::VerySatisfied => 5,
            Rating::Satisfied => 4,
            Rating::Neutral => 3,
            Rating::Dissatisfied => 2,
            Rating::VeryDissatisfied => 1,
        }
    }
}

/// People ahead and the estimated wait, as told to the visitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Estimate {
    /// Tickets that will be called before this one.
    pub ahead: u32,
    /// Estimated wait in seconds.
    pub wait_s: u32,
    /// The call would come after the day's close: the ticket would expire
    /// unserved.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub past_close: bool,
}

/// A ticket and everything that happened to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    /// Identity (unguessable when issued by the server).
    pub id: TicketId,
    /// Number as printed.
    pub number: TicketNumber,
    /// Site where it was issued.
    pub site: SiteId,
    /// Category it currently queues for.
    pub category: CategoryId,
    /// The matter the visitor came for, if chosen.
    pub matter: Option<MatterId>,
    /// Normal or green channel.
    pub priority: Priority,
    /// Where it was issued.
    pub channel: Channel,
    /// The appointment slot, for appointment check-ins that count as such.
    pub appointment: Option<Appointment>,
    /// Staff handle the matter on the visitor's behalf (帮办代办).
    pub assisted: bool,
    /// When it was issued.
    pub issued_at: Timestamp,
    /// The business day it belongs to (numbering restarts each day).
    pub day: Date,
    /// Its place in line: a hall-wide issue sequence, kept across transfers
    /// and stops so a ticket never loses its turn.
    pub place: u64,
    /// Lifecycle state.
    pub status: Status,
    /// The window that called it last.
    pub window: Option<WindowNo>,
    /// Set when it was transferred to one specific window.
    pub target_window: Option<WindowNo>,
    /// Further categories of a multi-stop visit (一站式), in order.
    pub stops: Vec<CategoryId>,
    /// Recalls of the current call.
    pub recalls: u32,
    /// Re-activations after a no-show.
    pub reactivations: u32,
    /// When it was last called.
    pub called_at: Option<Timestamp>,
    /// When service started at the current window.
    pub started_at: Option<Timestamp>,
    /// When it reached a final state.
    pub finished_at: Option<Timestamp>,
    /// The estimate given at issue (for measuring estimate quality).
    pub estimate: Estimate,
    /// When it joined its current queue (issue, transfer, next stop).
    pub queued_at: Timestamp,
    /// Whether a waiting-too-long yellow card was raised in this queue.
    pub warned: bool,
    /// The visitor's rating, once given.
    pub rating: Option<Rating>,
}

impl Ticket {
    /// Seconds waited so far in the current queue, or until called.
    pub fn waited_s(&self, now: Timestamp) -> i64 {
        let until = match self.status {
            Status::Waiting => now,
            _ => self.called_at.unwrap_or(now),
        };
        (until.as_second() - self.queued_at.as_second()).max(0)
    }
}
