//! lobby-kiosk: the self-service ticket kiosk, a full-screen Bevy client
//! of lobby-server that prints through lobby-printer.
//!
//! # Layout
//!
//! - [`config`]: the command line (`--server`, `--token`, `--printer` …),
//!   every flag also an environment variable.
//! - [`flow`]: the [`Screen`] states, the [`Visit`] (what the visitor chose)
//!   and the systems that apply taps, server answers and print outcomes.
//!   Screens draw; only the flow changes state.
//! - [`screens`]: one plugin per screen (home, matters, green channel,
//!   appointment, ticket, notice, 暂停取号), state-scoped UI rebuilt when
//!   what it shows changes.
//! - [`ui`]: sizes (≥ 15 mm targets), colours, buttons, the [`ui::Action`]
//!   of each button and the [`ui::Tap`] intent a click records.
//! - [`idle`]: back home after 30 s without a tap.
//! - [`server`]: the only plugin that talks to lobby-server, on its own
//!   thread; answers come back as messages.
//! - [`printing`]: renders tickets and slips with lobby-printer and prints
//!   them on a thread; faults come back as messages and go to the server.
//! - [`speaking`]: spoken prompts (the number issued and people ahead, a
//!   ticket that did not print) in the language on screen, through
//!   lobby-voice on a thread.
//! - [`hall`]: the [`Board`](hall::Board): `GET /api/hall` as the core's
//!   `HallView` (the server's own type) and the waiting counts of `/api/queue`.
//! - [`capture`]: screenshots and button positions of every screen, for
//!   end-to-end tests and review.
//! - [`app`]: the windowed app (`run`): window, font, redraw only on change.
//! - [`wake`]: waking the reactive event loop from the threads.
//!
//! [`KioskPlugin`] is everything but the window and the threads, so flows
//! are tested with `MinimalPlugins`, messages and triggered clicks.
//!
//! # Running
//!
//! ```text
//! lobby-kiosk --server http://10.0.0.2:8080 --token lbd_… --printer /dev/ttyUSB0
//!             [--site hall] [--guide-desk] [--printer-width 58|80]
//!             [--windowed 1280x1024] [--font PATH [--font-family NAME]]
//!             [--public-url https://zwfw.example.cn/lobby | none]
//!             [--voice espeak|off] [--voice-dir DIR]
//! ```
//!
//! Each ticket's QR code opens its status page (`/t/{id}`: people ahead,
//! estimated wait, the window once called) under `--public-url`, by default
//! the `--server` address; pass the address visitors' phones reach the
//! server by, or `none` for tickets without a QR code. Tickets print in
//! the language the visitor chose on screen, and the kiosk says the number
//! and the people ahead aloud (espeak-ng's Mandarin voice; silent when
//! espeak-ng is missing or with `--voice off`).
//!
//! Every flag has an environment variable (`LOBBY_SERVER`, `LOBBY_TOKEN`,
//! `LOBBY_PRINTER`, …; see `--help`). The token is a device token made by an
//! admin (`POST /api/devices`, kind `kiosk`, or `guide_desk` for a guide
//! desk). The printer is a serial device (`/dev/ttyUSB0`, `/dev/pts/N`,
//! `serial:PATH?baud=9600`), `tcp://HOST:PORT` or a file, as lobby-printer
//! reads it. The font defaults to Debian's fonts-wqy-microhei; for Noto CJK
//! pass `--font /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
//! --font-family "Noto Sans CJK SC"` (the collection's first face is the
//! Japanese design).
//!
//! # Architecture invariants
//!
//! - Only [`server`] talks to the server and only [`printing`] to the
//!   printer, each on its own thread: no system waits on I/O.
//! - Screens never change state; [`flow`] does, from [`ui::Tap`] intents
//!   and the threads' messages.
//! - An issued ticket stays on screen until it is printed or the visitor
//!   leaves it; it is never dropped because the printer or server failed.

pub mod app;
pub mod capture;
pub mod config;
pub mod flow;
pub mod hall;
pub mod idle;
pub mod printing;
pub mod screens;
pub mod server;
pub mod speaking;
pub mod ui;
pub mod wake;

use std::time::Duration;

use bevy::prelude::*;

pub use app::run;
pub use config::{Args, KioskConfig};
pub use flow::{FlowConfig, Screen, Visit};

/// Order within `Update`: bring answers in, apply them and the taps, draw.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub enum KioskSet {
    /// Answers from the threads become state ([`hall::Board`], printer health).
    Receive,
    /// Taps and answers move the flow.
    Apply,
    /// Screens rebuild.
    Build,
}

/// The kiosk's logic: screens, flow and idle reset, without window,
/// rendering or threads. Needs `StatesPlugin` and a time source
/// (`MinimalPlugins` in tests, `DefaultPlugins` in the app).
#[derive(Debug, Clone)]
pub struct KioskPlugin {
    /// How the flow behaves.
    pub flow: FlowConfig,
    /// Idle time before returning home.
    pub idle: Duration,
}

impl Plugin for KioskPlugin {
    fn build(&self, app: &mut App) {
        app.init_state::<Screen>()
            .add_message::<ui::Tap>()
            .add_plugins((server::messages, printing::messages, speaking::messages))
            .insert_resource(self.flow.clone())
            .insert_resource(ui::UiLang(self.flow.lang))
            .init_resource::<Visit>()
            .init_resource::<flow::Online>()
            .init_resource::<ui::KioskFont>()
            .insert_resource(idle::IdleTimer {
                last: Duration::ZERO,
                limit: self.idle,
            })
            .configure_sets(
                Update,
                (KioskSet::Receive, KioskSet::Apply, KioskSet::Build).chain(),
            )
            .add_systems(
                Update,
                (
                    flow::apply_taps,
                    flow::apply_server_events,
                    flow::apply_print_events,
                    flow::pause_while_offline,
                    idle::note_activity,
                    idle::reset_when_idle,
                    ui::highlight_presses,
                )
                    .chain()
                    .in_set(KioskSet::Apply),
            )
            .add_observer(ui::record_tap)
            .add_plugins(screens::plugin);
    }
}
