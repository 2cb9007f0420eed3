//! Printing tickets and notification slips through lobby-printer, on a
//! thread of its own so a slow or stuck printer never blocks the screen.
//!
//! The flow writes [`PrintRequest`]s; `render_jobs` turns them into
//! ESC/POS bytes (pure, lobby-printer's `render`) and the thread sends them,
//! asking the printer's status first when the printer answers status
//! queries. Outcomes come back as [`PrintEvent`]s. After a fault the thread
//! polls the printer once a second and says [`PrintEvent::Ready`] when it
//! can print again, so the visitor can reprint; every change of health is
//! reported to the server (through the server plugin) so staff see it.

use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use bevy::prelude::*;
use lobby_core::MatterId;
use lobby_core::api::TicketView;
use lobby_core::jiff::Timestamp;
use lobby_printer::{
    Paper, PrintError, Printer, PrinterStatus, Profile, SlipPrint, Target, TicketPrint,
};

use crate::hall::Board;
use crate::server::{PrinterReport, ServerRequest};
use crate::ui::UiLang;
use crate::wake::Waker;

/// What to print.
#[derive(Message, Debug, Clone, PartialEq)]
pub enum PrintRequest {
    /// A queue ticket.
    Ticket(Box<TicketView>),
    /// The one-time notification slip of a matter.
    Slip(MatterId),
}

/// Which kind of job an outcome is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// A ticket.
    Ticket,
    /// A notification slip.
    Slip,
}

/// What became of a job, and of the printer.
#[derive(Message, Debug, Clone, PartialEq)]
pub enum PrintEvent {
    /// The job's last byte was handed to the printer.
    Printed(JobKind),
    /// The job was not printed; `status` says why (`Offline` when the link
    /// itself failed).
    Failed {
        /// Which job was not printed.
        kind: JobKind,
        /// The printer's state.
        status: PrinterStatus,
    },
    /// The printer can print again after a fault.
    Ready,
    /// The printer's health changed while idle (paper nearly out, cover
    /// opened).
    Health(PrinterStatus),
}

/// The printer's state as the screens show it.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrinterHealth {
    /// The fault that stops printing, if any.
    pub fault: Option<PrinterStatus>,
}

/// The paper and font settings used to render.
#[derive(Resource, Debug, Clone)]
pub struct PrintProfile(pub Profile);

impl PrintProfile {
    /// The default profile for a paper width in millimetres.
    pub fn for_width(mm: u32) -> PrintProfile {
        PrintProfile(Profile::with_paper(if mm == 58 {
            Paper::Mm58
        } else {
            Paper::Mm80
        }))
    }
}

/// Base address of the tickets' status pages: each ticket's QR code opens
/// `{base}/t/{id}#k={rating key}`. Without it tickets print no QR code.
#[derive(Resource, Debug, Clone, Default)]
pub struct StatusPages(pub Option<String>);

struct Job {
    kind: JobKind,
    bytes: Vec<u8>,
}

#[derive(Resource)]
struct Link {
    to_thread: Sender<Job>,
    from_thread: Mutex<Receiver<PrintEvent>>,
}

/// Messages and health tracking shared by the printing thread and the
/// flow; runs without the thread in tests.
pub fn messages(app: &mut App) {
    app.add_message::<PrintRequest>()
        .add_message::<PrintEvent>()
        .init_resource::<PrinterHealth>()
        .add_systems(
            Update,
            track_printer_health.in_set(crate::KioskSet::Receive),
        );
}

/// Starts the printing thread for `target`.
pub fn plugin(target: Target) -> impl Fn(&mut App) {
    move |app: &mut App| {
        let waker = app.world_mut().get_resource_or_init::<Waker>().clone();
        let profile = app
            .world_mut()
            .get_resource_or_insert_with(|| PrintProfile::for_width(80))
            .0
            .clone();
        let (to_thread, jobs) = mpsc::channel();
        let (events, from_thread) = mpsc::channel();
        let target = target.clone();
        std::thread::Builder::new()
            .name("lobby-kiosk-printer".into())
            .spawn(move || run(target, profile, jobs, events, waker))
            .expect("spawning a thread at start-up");
        app.insert_resource(Link {
            to_thread,
            from_thread: Mutex::new(from_thread),
        })
        .add_systems(PreUpdate, receive_print_events)
        .add_systems(PostUpdate, render_jobs);
    }
}

fn receive_print_events(link: Res<Link>, mut out: MessageWriter<PrintEvent>) {
    let rx = link.from_thread.lock().expect("only this system locks it");
    out.write_batch(rx.try_iter());
}

/// Renders requested jobs and hands them to the thread.
fn render_jobs(
    link: Res<Link>,
    board: Res<Board>,
    profile: Option<Res<PrintProfile>>,
    pages: Option<Res<StatusPages>>,
    lang: Res<UiLang>,
    mut requests: MessageReader<PrintRequest>,
) {
    let base = pages.as_ref().and_then(|p| p.0.as_deref());
    let profile = profile.map(|p| p.0.clone()).unwrap_or_default();
    for r in requests.read() {
        let Some(hall) = &board.hall else {
            warn!("nothing printed: the hall is not known yet");
            continue;
        };
        let job = match r {
            // The ticket in the visitor's language, the names from the
            // hall, with a QR code of its status page under `base`.
            PrintRequest::Ticket(t) => Job {
                kind: JobKind::Ticket,
                bytes: lobby_printer::render::ticket(
                    &TicketPrint::new(t, hall, base.unwrap_or(""), lang.0),
                    &profile,
                ),
            },
            PrintRequest::Slip(m) => {
                let Some(matter) = hall.matter(m) else {
                    warn!("no slip for unknown matter {m}");
                    continue;
                };
                Job {
                    kind: JobKind::Slip,
                    bytes: lobby_printer::render::slip(
                        &SlipPrint::new(hall, matter, Timestamp::now()),
                        &profile,
                    ),
                }
            }
        };
        debug!(
            "rendered {} ({} bytes)",
            kind_name(job.kind),
            job.bytes.len()
        );
        // The thread lives as long as the process.
        let _ = link.to_thread.send(job);
    }
}

/// Keeps [`PrinterHealth`] current and tells the server about changes.
fn track_printer_health(
    mut events: MessageReader<PrintEvent>,
    mut health: ResMut<PrinterHealth>,
    mut server: MessageWriter<ServerRequest>,
) {
    for e in events.read() {
        let (fault, reported) = match e {
            PrintEvent::Printed(_) => (None, None),
            PrintEvent::Failed { status, .. } => (Some(*status), Some(*status)),
            PrintEvent::Ready => (None, Some(PrinterStatus::Ready)),
            PrintEvent::Health(s) => ((!s.can_print()).then_some(*s), Some(*s)),
        };
        if health.fault != fault {
            health.fault = fault;
        }
        if let Some(status) = reported {
            server.write(ServerRequest::ReportPrinter(report(status)));
        }
    }
}

/// The server's name for a printer state (`DeviceHealth`).
pub fn report(status: PrinterStatus) -> PrinterReport {
    let code = match status {
        PrinterStatus::Ready | PrinterStatus::Unknown => "ok",
        PrinterStatus::PaperNearEnd => "paper_low",
        PrinterStatus::PaperEnd => "paper_end",
        PrinterStatus::CoverOpen => "cover_open",
        PrinterStatus::Offline => "printer_offline",
    };
    PrinterReport {
        status: code,
        detail: status.label_zh().to_owned(),
    }
}

/// How often a faulted printer is asked whether it is back.
const FAULT_POLL: Duration = Duration::from_secs(1);
/// How often a healthy printer that answers status is asked how it is.
const IDLE_POLL: Duration = Duration::from_secs(30);

/// The printing thread: owns the printer, prints jobs in order.
fn run(
    target: Target,
    profile: Profile,
    jobs: Receiver<Job>,
    events: Sender<PrintEvent>,
    waker: Waker,
) {
    let send = |e: PrintEvent| {
        let ok = events.send(e).is_ok();
        waker.wake();
        ok
    };
    let mut printer: Option<Printer> = None;
    // Whether the printer answers status queries: learnt once, because a
    // silent one costs the whole status timeout on every ask.
    let mut answers: Option<bool> = None;
    let mut faulted = false;
    let mut last_health = PrinterStatus::Unknown;
    let open = |printer: &mut Option<Printer>| -> Result<(), PrintError> {
        if printer.is_none() {
            *printer = Some(Printer::open(&target, &profile)?);
        }
        Ok(())
    };
    // Probe at start: learn whether it answers, and tell staff at once if
    // the kiosk starts without paper.
    let mut timeout = Duration::ZERO;
    loop {
        let job = match jobs.recv_timeout(timeout) {
            Ok(job) => Some(job),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let event = match job {
            Some(job) => {
                let result = open(&mut printer).and_then(|()| {
                    let p = printer.as_mut().expect("opened above");
                    if answers == Some(false) {
                        p.print(&job.bytes).map(|()| PrinterStatus::Unknown)
                    } else {
                        p.print_checked(&job.bytes)
                    }
                });
                match result {
                    Ok(status) => {
                        debug!("printed {}", kind_name(job.kind));
                        answers.get_or_insert(status != PrinterStatus::Unknown);
                        faulted = false;
                        Some(PrintEvent::Printed(job.kind))
                    }
                    Err(e) => {
                        warn!("{} not printed: {e}", kind_name(job.kind));
                        let status = match e {
                            PrintError::NotReady(s) => s,
                            _ => {
                                // Reopen next time: the link may come back.
                                printer = None;
                                PrinterStatus::Offline
                            }
                        };
                        faulted = true;
                        last_health = status;
                        Some(PrintEvent::Failed {
                            kind: job.kind,
                            status,
                        })
                    }
                }
            }
            None => {
                let status = match open(&mut printer) {
                    Ok(()) => match printer.as_mut().expect("opened above").status() {
                        Ok(s) => {
                            answers.get_or_insert(s != PrinterStatus::Unknown);
                            s
                        }
                        Err(_) => {
                            printer = None;
                            PrinterStatus::Offline
                        }
                    },
                    Err(_) => PrinterStatus::Offline,
                };
                if faulted && status.can_print() {
                    faulted = false;
                    last_health = status;
                    Some(PrintEvent::Ready)
                } else if status != last_health && !faulted {
                    last_health = status;
                    faulted = !status.can_print();
                    Some(PrintEvent::Health(status))
                } else {
                    None
                }
            }
        };
        if let Some(e) = event
            && !send(e)
        {
            return;
        }
        timeout = if faulted {
            FAULT_POLL
        } else if answers == Some(true) {
            IDLE_POLL
        } else {
            // A printer that never answers cannot be watched: wait for jobs.
            Duration::from_secs(3600)
        };
    }
}

fn kind_name(kind: JobKind) -> &'static str {
    match kind {
        JobKind::Ticket => "ticket",
        JobKind::Slip => "slip",
    }
}
