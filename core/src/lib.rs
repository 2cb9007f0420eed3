//! The Lobby domain: a hall's configuration, its tickets, and the dispatcher
//! that routes them to windows.
//!
//! This crate does no I/O. It reads no files, opens no sockets, starts no
//! threads, never reads the clock and uses no randomness: time is a
//! parameter, text comes in as strings, and every outcome is returned.
//! `clippy.toml` bans the clock; `Cargo.toml` has no I/O dependencies.
//!
//! # Layout
//!
//! - [`api`]: the wire types of the server's HTTP API and event stream,
//!   shared with its clients; pure data. Among them [`api::HallView`], the
//!   hall's configuration as `GET /api/hall` sends it and the kiosk, the
//!   display and the printer read it (serialises exactly as [`Hall`]).
//! - [`builtin`]: the default hall of `assets/`, compiled in, for
//!   programs started without a configuration file.
//! - [`config`]: loading a [`Hall`] from TOML, with every problem reported
//!   with its file, line and field.
//! - [`hall`]: the hall model (sites, categories, windows, matters, green
//!   channel groups, opening sessions, policy) and calendar questions
//!   (business day, is issuing open now).
//! - [`ticket`]: tickets, numbers, priorities, statuses and ratings.
//! - [`command`]: the [`Command`]s the hall accepts, the [`Event`]s they
//!   cause and the [`Rejected`] reasons for refusing them.
//! - [`lobby`]: the live state, [`Lobby::handle`] (commands in, events out)
//!   and [`Lobby::apply`] (replaying events).
//! - `views` (private): fills the API's views of the live state
//!   ([`api::TicketView::of`], [`api::QueueView::of`],
//!   [`api::window_view`]) from a [`Lobby`].
//! - [`window`]: a window's live state ([`WindowState`]) and day figures,
//!   which the lobby changes and the estimates read.
//! - [`dispatch`] (private): which ticket a window calls next; its module
//!   documentation states the policy.
//! - [`estimate`]: people ahead and estimated waits.
//! - `hours` (private): opening hours as a clock (open time between two
//!   instants), for the estimates and the waiting yellow card.
//! - [`i18n`]: Chinese by default, English available.

pub mod api;
pub mod builtin;
pub mod command;
pub mod config;
mod dispatch;
pub mod estimate;
pub mod hall;
mod hours;
pub mod i18n;
pub mod ids;
pub mod lobby;
pub mod ticket;
mod views;
pub mod window;

pub use command::{CardReason, Command, Event, EventKind, Issue, Rejected, TransferTarget};
pub use config::{ConfigErrors, ConfigProblem, SourceFile};
pub use hall::Hall;
pub use i18n::Lang;
pub use ids::{CategoryId, GroupId, MatterId, SiteId, TicketId, WindowNo};
pub use lobby::{Lobby, QueueSummary, Snapshot};
pub use ticket::{Appointment, Channel, Estimate, Priority, Rating, Status, Ticket, TicketNumber};
pub use window::WindowState;

/// Re-exported so callers use the same time types as the core.
pub use jiff;
