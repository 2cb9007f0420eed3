//! Serial end to end: our Printer on one end of a socat pseudo-terminal
//! pair, a simulated printer on the other.
//!
//! Pseudo-terminals ignore the baud rate and the modem lines, so pacing
//! and flow control are covered by unit tests (`transport::tests`), not
//! here.

use std::fs::OpenOptions;

use lobby_printer::{PrintError, Printer, PrinterStatus, Profile, Target, render, sample};

use crate::support::{Answers, PtyPair, SimPrinter, hall};

fn open_pair(answers: Answers) -> (PtyPair, SimPrinter, Printer) {
    let pair = PtyPair::start();
    let far = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&pair.printer)
        .unwrap();
    let sim = SimPrinter::start(far, answers);
    let target: Target = format!("serial:{}?baud=9600", pair.host.display())
        .parse()
        .unwrap();
    let printer = Printer::open(&target, &Profile::default()).unwrap();
    (pair, sim, printer)
}

#[test]
fn paper_end_refuses_the_job_then_it_prints_once_paper_is_back() {
    let (_pair, sim, mut printer) = open_pair(Answers::PaperEnd);
    let hall = hall();
    let bytes = render::ticket(&sample::ticket(&hall).unwrap(), &Profile::default());

    assert_eq!(printer.status().unwrap(), PrinterStatus::PaperEnd);
    // Exactly DLE EOT 1, 2 and 4: no stray byte after them.
    let queries: Vec<u8> = sim.queries.try_iter().collect();
    assert_eq!(queries, [1, 2, 4]);

    let err = printer.print_checked(&bytes).unwrap_err();
    assert!(matches!(err, PrintError::NotReady(PrinterStatus::PaperEnd)));
    assert_eq!(err.label_zh(), "打印机缺纸，请联系工作人员");

    *sim.answers.lock().unwrap() = Answers::Ready;
    assert_eq!(printer.print_checked(&bytes).unwrap(), PrinterStatus::Ready);
    assert_eq!(sim.job(), bytes, "the printer got the job byte for byte");
}

#[test]
fn a_slip_crosses_the_line_intact() {
    let (_pair, sim, mut printer) = open_pair(Answers::Ready);
    let hall = hall();
    let slip = sample::slip(&hall).unwrap();
    let bytes = render::slip(&slip, &Profile::default());
    printer.print(&bytes).unwrap();
    assert_eq!(sim.job(), bytes);
}

#[test]
fn a_printer_that_never_answers_is_unknown_and_still_prints() {
    let (_pair, sim, mut printer) = open_pair(Answers::Silent);
    assert_eq!(printer.status().unwrap(), PrinterStatus::Unknown);
    let bytes = render::ticket(
        &sample::ticket(&hall()).unwrap(),
        &Profile::with_paper(lobby_printer::Paper::Mm58),
    );
    assert_eq!(
        printer.print_checked(&bytes).unwrap(),
        PrinterStatus::Unknown
    );
    assert_eq!(sim.job(), bytes);
}

#[test]
fn a_missing_device_is_an_open_error() {
    let target: Target = "/dev/ttyLOBBY-none".parse().unwrap();
    let err = Printer::open(&target, &Profile::default()).unwrap_err();
    assert!(matches!(err, PrintError::Open { .. }), "{err}");
}
