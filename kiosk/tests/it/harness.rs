//! A kiosk without a window: `MinimalPlugins`, the kiosk's logic, time
//! advanced by hand, and what it asks of the server and the printer
//! collected for the test.

use std::path::Path;
use std::time::Duration;

use bevy::camera::NormalizedRenderTarget;
use bevy::picking::backend::HitData;
use bevy::picking::events::{Click, Pointer};
use bevy::picking::pointer::{Location, PointerButton, PointerId};
use bevy::prelude::*;
use bevy::state::app::StatesPlugin;
use bevy::time::TimeUpdateStrategy;
use lobby_core::api::{HallView, Lane, TicketView};
use lobby_core::ticket::{Channel, Status};
use lobby_core::{CategoryId, Lang, TicketId, TicketNumber};
use lobby_kiosk::flow::FlowConfig;
use lobby_kiosk::printing::PrintRequest;
use lobby_kiosk::server::{ServerEvent, ServerRequest};
use lobby_kiosk::speaking::Prompt;
use lobby_kiosk::ui::Action;
use lobby_kiosk::{KioskPlugin, Screen};

/// Each `update` advances real time by this much.
pub const FRAME: Duration = Duration::from_millis(100);

/// What the kiosk sent out.
#[derive(Resource, Default, Debug)]
pub struct Outbox {
    pub server: Vec<ServerRequest>,
    pub printer: Vec<PrintRequest>,
    pub prompts: Vec<Prompt>,
}

fn collect(
    mut server: MessageReader<ServerRequest>,
    mut printer: MessageReader<PrintRequest>,
    mut prompts: MessageReader<Prompt>,
    mut out: ResMut<Outbox>,
) {
    out.server.extend(server.read().cloned());
    out.printer.extend(printer.read().cloned());
    out.prompts.extend(prompts.read().cloned());
}

/// The default hall as the server sends it: `assets/hall.toml` loaded by
/// the core, serialised as `GET /api/hall` does, read by the kiosk.
pub fn hall() -> HallView {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets");
    let main = lobby_core::SourceFile {
        name: "hall.toml".into(),
        text: std::fs::read_to_string(dir.join("hall.toml")).unwrap(),
    };
    let hall = lobby_core::config::load(main, |name| {
        std::fs::read_to_string(dir.join(name)).map_err(|e| e.to_string())
    })
    .unwrap();
    serde_json::from_slice(&serde_json::to_vec(&HallView::from(&hall)).unwrap()).unwrap()
}

pub struct Kiosk {
    pub app: App,
}

impl Kiosk {
    /// A kiosk that has heard from the server (home screen).
    pub fn online(guide_desk: bool) -> Kiosk {
        let mut k = Kiosk::offline(guide_desk);
        k.server_says(ServerEvent::Hall(Box::new(hall())));
        k.server_says(ServerEvent::Back);
        assert_eq!(k.screen(), Screen::Home);
        k
    }

    /// A kiosk that has not reached the server yet.
    pub fn offline(guide_desk: bool) -> Kiosk {
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, StatesPlugin))
            .insert_resource(TimeUpdateStrategy::ManualDuration(FRAME))
            .add_plugins(KioskPlugin {
                flow: FlowConfig {
                    guide_desk,
                    site: None,
                    lang: Lang::Zh,
                },
                idle: Duration::from_secs(30),
            })
            .init_resource::<Outbox>()
            .add_systems(Last, collect);
        app.update();
        Kiosk { app }
    }

    /// Runs frames until the dust settles (message, state change, rebuild).
    pub fn settle(&mut self) {
        for _ in 0..3 {
            self.app.update();
        }
    }

    pub fn screen(&self) -> Screen {
        *self.app.world().resource::<State<Screen>>().get()
    }

    pub fn server_says(&mut self, e: ServerEvent) {
        self.app.world_mut().write_message(e);
        self.settle();
    }

    pub fn printer_says(&mut self, e: lobby_kiosk::printing::PrintEvent) {
        self.app.world_mut().write_message(e);
        self.settle();
    }

    /// Every button on screen.
    pub fn buttons(&mut self) -> Vec<(Entity, Action)> {
        let world = self.app.world_mut();
        let mut q = world.query::<(Entity, &Action)>();
        q.iter(world).map(|(e, a)| (e, a.clone())).collect()
    }

    /// Whether a button is shown.
    pub fn shows(&mut self, action: &Action) -> bool {
        self.buttons().iter().any(|(_, a)| a == action)
    }

    /// All text on screen, joined.
    pub fn text(&mut self) -> String {
        let world = self.app.world_mut();
        let mut q = world.query::<&Text>();
        q.iter(world)
            .map(|t| t.0.clone())
            .collect::<Vec<_>>()
            .join(" | ")
    }

    /// Clicks the button with `action` as a pointer would: a `Pointer<Click>`
    /// on the button. Panics if no such button is on
    /// screen.
    pub fn tap(&mut self, action: Action) {
        let (button, _) = self
            .buttons()
            .into_iter()
            .find(|(_, a)| *a == action)
            .unwrap_or_else(|| panic!("no button {action:?} on {:?}", self.screen()));
        // Labels ignore the pointer, so the button itself is what is hit.
        let target = button;
        let click = Pointer::new(
            PointerId::Mouse,
            Location {
                target: NormalizedRenderTarget::None {
                    width: 1280,
                    height: 1024,
                },
                position: Vec2::ZERO,
            },
            Click {
                button: PointerButton::Primary,
                hit: HitData::new(Entity::PLACEHOLDER, 0.0, None, None),
                duration: Duration::from_millis(80),
                count: 1,
            },
            target,
        );
        self.app.world_mut().trigger(click);
        self.settle();
    }

    /// Takes what the kiosk sent to the server so far.
    pub fn sent_to_server(&mut self) -> Vec<ServerRequest> {
        std::mem::take(&mut self.app.world_mut().resource_mut::<Outbox>().server)
    }

    /// Takes what the kiosk said aloud so far.
    pub fn said(&mut self) -> Vec<Prompt> {
        std::mem::take(&mut self.app.world_mut().resource_mut::<Outbox>().prompts)
    }

    /// Takes what the kiosk sent to the printer so far.
    pub fn sent_to_printer(&mut self) -> Vec<PrintRequest> {
        std::mem::take(&mut self.app.world_mut().resource_mut::<Outbox>().printer)
    }

    /// Lets `d` of real time pass, a frame at a time.
    pub fn wait(&mut self, d: Duration) {
        let frames = d.as_millis().div_ceil(FRAME.as_millis());
        for _ in 0..frames {
            self.app.update();
        }
    }
}

/// A ticket as the server would answer it.
pub fn ticket(category: &str, prefix: &str, seq: u32, matter: Option<&str>) -> TicketView {
    let hall = hall();
    let c = hall.category(&CategoryId::from(category)).unwrap();
    TicketView {
        id: TicketId::from(format!("t{seq}")),
        number: TicketNumber {
            prefix: prefix.into(),
            seq,
        },
        category: c.id.clone(),
        category_name: c.name.clone(),
        matter: matter.map(Into::into),
        matter_name: matter.map(|m| hall.matter(&m.into()).unwrap().name.clone()),
        priority: Lane::Normal,
        group: None,
        channel: Channel::Kiosk,
        assisted: false,
        site: c.site.clone(),
        area: c.area.clone(),
        status: Status::Waiting,
        window: None,
        ahead: 4,
        estimated_wait_s: 610,
        issued_at: "2026-11-25T01:05:00Z".parse().unwrap(),
        called_at: None,
        stops: vec![],
        rating: None,
        rating_key: None,
    }
}
