//! The printing thread against a network printer at the OS edge: a TCP
//! listener that keeps what it is sent and answers `DLE EOT` status
//! queries as a real ESC/POS printer does, with or without paper.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::state::app::StatesPlugin;
use lobby_core::{Lang, MatterId};
use lobby_kiosk::KioskPlugin;
use lobby_kiosk::flow::FlowConfig;
use lobby_kiosk::hall::Board;
use lobby_kiosk::printing::{self, JobKind, PrintEvent, PrintRequest, StatusPages};
use lobby_kiosk::server::ServerRequest;
use lobby_printer::describe::describe;
use lobby_printer::{PrinterStatus, Target};

use crate::harness::{hall, ticket};

#[derive(Default)]
struct Paper {
    out: bool,
    received: Vec<u8>,
}

/// The far end's state, and a signal each time it takes in bytes.
#[derive(Default)]
struct Printer {
    paper: Mutex<Paper>,
    changed: Condvar,
}

impl Printer {
    fn lock(&self) -> MutexGuard<'_, Paper> {
        self.paper.lock().unwrap()
    }

    /// What the printer has received once `n` jobs (each ends with its
    /// `GS V` cut) have arrived in full, waiting at most 10 s. The kiosk
    /// reports a job printed once it is written to the socket, which may be
    /// before this end has read it.
    fn jobs(&self, n: usize) -> Vec<u8> {
        let cuts = |p: &Paper| p.received.windows(2).filter(|w| w == b"\x1dV").count();
        let (paper, timeout) = self
            .changed
            .wait_timeout_while(self.lock(), Duration::from_secs(10), |p| cuts(p) < n)
            .unwrap();
        assert!(!timeout.timed_out(), "{n} jobs never arrived in full");
        paper.received.clone()
    }
}

/// A printer on 127.0.0.1: returns its address and its state.
fn network_printer() -> (String, Arc<Printer>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let state = Arc::new(Printer::default());
    let shared = state.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let state = shared.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let mut tail: Vec<u8> = Vec::new();
                while let Ok(n) = conn.read(&mut buf) {
                    if n == 0 {
                        return;
                    }
                    let mut s = state.lock();
                    tail.extend_from_slice(&buf[..n]);
                    // Answer every complete DLE EOT n; keep the rest.
                    let mut i = 0;
                    let mut replies = Vec::new();
                    while i < tail.len() {
                        if tail[i] == 0x10 && i + 2 < tail.len() && tail[i + 1] == 0x04 {
                            replies.push(match (tail[i + 2], s.out) {
                                (1, true) => 0x1A,
                                (2, true) => 0x32,
                                (4, true) => 0x72,
                                _ => 0x12,
                            });
                            i += 3;
                        } else if tail[i] == 0x10 && i + 2 >= tail.len() {
                            break;
                        } else {
                            s.received.push(tail[i]);
                            i += 1;
                        }
                    }
                    tail.drain(..i);
                    drop(s);
                    state.changed.notify_all();
                    if conn.write_all(&replies).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (addr, state)
}

#[derive(Resource, Default)]
struct Seen {
    print: Vec<PrintEvent>,
    server: Vec<ServerRequest>,
}

fn watch(
    mut p: MessageReader<PrintEvent>,
    mut s: MessageReader<ServerRequest>,
    mut seen: ResMut<Seen>,
) {
    seen.print.extend(p.read().cloned());
    seen.server.extend(s.read().cloned());
}

fn kiosk_printing_to(addr: &str) -> App {
    kiosk_printing_with(addr, Lang::Zh, None)
}

fn kiosk_printing_with(addr: &str, lang: Lang, pages: Option<&str>) -> App {
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, StatesPlugin))
        .add_plugins(KioskPlugin {
            flow: FlowConfig {
                guide_desk: false,
                site: None,
                lang,
            },
            idle: Duration::from_secs(30),
        })
        .insert_resource(StatusPages(pages.map(str::to_owned)))
        .insert_resource(Board {
            hall: Some(hall()),
            ..default()
        })
        .add_plugins(printing::plugin(
            format!("tcp://{addr}").parse::<Target>().unwrap(),
        ))
        .init_resource::<Seen>()
        .add_systems(Last, watch);
    app.update();
    app
}

/// Runs frames until `pred` holds of what was seen, for at most 10 s.
fn until(app: &mut App, what: &str, pred: impl Fn(&Seen) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !pred(app.world().resource::<Seen>()) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        app.update();
        std::thread::yield_now();
    }
}

#[test]
fn tickets_and_slips_reach_the_printer() {
    let (addr, printer) = network_printer();
    let mut app = kiosk_printing_to(&addr);
    let t = ticket("bdc", "B", 23, Some("BDC-002"));
    app.world_mut()
        .write_message(PrintRequest::Ticket(Box::new(t)));
    until(&mut app, "the ticket", |s| {
        s.print.contains(&PrintEvent::Printed(JobKind::Ticket))
    });
    let bytes = printer.jobs(1);
    assert!(
        bytes.windows(4).any(|w| w == b"B023"),
        "the number is printed"
    );
    assert_eq!(&bytes[..2], &[0x1B, b'@'], "starts with ESC @");

    app.world_mut()
        .write_message(PrintRequest::Slip(MatterId::from("BDC-002")));
    until(&mut app, "the slip", |s| {
        s.print.contains(&PrintEvent::Printed(JobKind::Slip))
    });
    assert!(printer.jobs(2).len() > bytes.len() + 200);
}

#[test]
fn tickets_carry_their_status_page_and_the_visitors_language() {
    let (addr, printer) = network_printer();
    let mut app = kiosk_printing_with(&addr, Lang::En, Some("http://10.0.0.2:8080/"));
    let t = ticket("bdc", "B", 23, None);
    app.world_mut()
        .write_message(PrintRequest::Ticket(Box::new(t)));
    until(&mut app, "the ticket", |s| {
        s.print.contains(&PrintEvent::Printed(JobKind::Ticket))
    });
    let dump = describe(&printer.jobs(1));
    assert!(
        dump.contains("QR store \"http://10.0.0.2:8080/t/t23\""),
        "the QR code opens the ticket's page:\n{dump}"
    );
    assert!(
        dump.contains("Real estate registration"),
        "the category in the visitor's language:\n{dump}"
    );

    // Without a status address, no QR code; Chinese by default.
    let (addr, printer) = network_printer();
    let mut app = kiosk_printing_to(&addr);
    app.world_mut()
        .write_message(PrintRequest::Ticket(Box::new(ticket("bdc", "B", 24, None))));
    until(&mut app, "the ticket", |s| {
        s.print.contains(&PrintEvent::Printed(JobKind::Ticket))
    });
    let dump = describe(&printer.jobs(1));
    assert!(!dump.contains("QR store"), "{dump}");
    assert!(dump.contains("不动产登记"), "{dump}");
}

#[test]
fn out_of_paper_is_reported_and_recovery_announced() {
    let (addr, printer) = network_printer();
    let mut app = kiosk_printing_to(&addr);
    printer.lock().out = true;
    let t = ticket("sw", "D", 7, None);
    app.world_mut()
        .write_message(PrintRequest::Ticket(Box::new(t.clone())));
    until(&mut app, "the failure", |s| {
        s.print
            .iter()
            .any(|e| matches!(e, PrintEvent::Failed { .. }))
    });
    let seen = app.world().resource::<Seen>();
    assert!(seen.print.contains(&PrintEvent::Failed {
        kind: JobKind::Ticket,
        status: PrinterStatus::PaperEnd,
    }));
    assert!(
        seen.server
            .iter()
            .any(|r| matches!(r, ServerRequest::ReportPrinter(p) if p.status == "paper_end")),
        "staff are told: {:?}",
        seen.server
    );
    assert!(
        !printer.lock().received.windows(4).any(|w| w == b"D007"),
        "nothing is sent to a printer without paper"
    );
    // Paper loaded: the kiosk notices by itself.
    printer.lock().out = false;
    until(&mut app, "the printer to come back", |s| {
        s.print.contains(&PrintEvent::Ready)
    });
    app.world_mut()
        .write_message(PrintRequest::Ticket(Box::new(t)));
    until(&mut app, "the reprint", |s| {
        s.print.contains(&PrintEvent::Printed(JobKind::Ticket))
    });
    assert!(printer.jobs(1).windows(4).any(|w| w == b"D007"));
}
