//! Raw TCP (port 9100) end to end against a local listener.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use lobby_printer::{
    Paper, PrintError, Printer, PrinterStatus, Profile, Target, Timeouts, render, sample,
};

use crate::support::{Answers, SimPrinter, hall};

/// A listener on port 0 whose first connection is served by a simulated
/// printer; returns the printer's target.
fn sim_printer(answers: Answers) -> (Target, std::sync::mpsc::Receiver<SimPrinter>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let _ = tx.send(SimPrinter::start(stream, answers));
    });
    let target = format!("tcp://127.0.0.1:{port}").parse().unwrap();
    (target, rx)
}

#[test]
fn ticket_and_status_over_tcp() {
    let (target, sim) = sim_printer(Answers::Ready);
    let mut printer = Printer::open(&target, &Profile::default()).unwrap();
    let sim = sim.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(printer.status().unwrap(), PrinterStatus::Ready);

    let hall = hall();
    let bytes = render::ticket(&sample::ticket(&hall).unwrap(), &Profile::default());
    printer.print(&bytes).unwrap();
    assert_eq!(sim.job(), bytes);

    *sim.answers.lock().unwrap() = Answers::PaperEnd;
    assert_eq!(printer.status().unwrap(), PrinterStatus::PaperEnd);
    let slip = render::slip(
        &sample::slip(&hall).unwrap(),
        &Profile::with_paper(Paper::Mm58),
    );
    assert!(matches!(
        printer.print_checked(&slip),
        Err(PrintError::NotReady(PrinterStatus::PaperEnd))
    ));
}

#[test]
fn silence_is_unknown_within_the_status_timeout() {
    let (target, sim) = sim_printer(Answers::Silent);
    let timeouts = Timeouts {
        status: Duration::from_millis(300),
        ..Timeouts::default()
    };
    let mut printer = Printer::open_with(&target, &Profile::default(), timeouts).unwrap();
    let _sim = sim.recv_timeout(Duration::from_secs(10)).unwrap();
    let start = Instant::now();
    assert_eq!(printer.status().unwrap(), PrinterStatus::Unknown);
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn a_refused_connection_is_an_open_error() {
    // Bind then drop: the port is (almost certainly) closed now.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let target: Target = format!("tcp://127.0.0.1:{port}").parse().unwrap();
    let err = Printer::open(&target, &Profile::default()).unwrap_err();
    assert!(matches!(err, PrintError::Open { .. }), "{err}");
}

/// A printer that accepts the connection but never reads (its buffer full,
/// its flow control held): the job fails as stalled after the stall
/// timeout instead of hanging.
#[test]
fn a_printer_that_stops_reading_stalls_the_job() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let target: Target = format!("tcp://{}", listener.local_addr().unwrap())
        .parse()
        .unwrap();
    let timeouts = Timeouts {
        stall: Duration::from_millis(300),
        step: Duration::from_millis(50),
        ..Timeouts::default()
    };
    let mut printer = Printer::open_with(&target, &Profile::default(), timeouts).unwrap();
    let (held, _) = listener.accept().unwrap();
    // More than the kernel buffers on both sides can hold.
    let job = vec![b'x'; 64 << 20];
    let err = printer.print(&job).unwrap_err();
    match err {
        PrintError::Stalled { sent, total, .. } => {
            assert!(sent > 0 && sent < total, "{sent} of {total}");
        }
        other => panic!("{other}"),
    }
    drop(held);
}

/// The printer closes the connection: the next status is a disconnection,
/// not a hang and not "unknown".
#[test]
fn a_closed_connection_is_reported() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let target: Target = format!("tcp://{}", listener.local_addr().unwrap())
        .parse()
        .unwrap();
    let mut printer = Printer::open(&target, &Profile::default()).unwrap();
    let (stream, _) = listener.accept().unwrap();
    drop(stream);
    let err = printer.status().unwrap_err();
    assert!(matches!(err, PrintError::Disconnected { .. }), "{err}");
}
