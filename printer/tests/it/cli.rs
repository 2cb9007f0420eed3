//! The `lobby-print` binary, run as support staff would.

use std::net::TcpListener;
use std::process::Command;
use std::time::Duration;

use crate::support::{Answers, SimPrinter};

fn lobby_print(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lobby-print"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn sample_ticket_to_a_file_then_described() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    for width in ["58", "80"] {
        let file = dir.join(format!("ticket-{width}.bin"));
        let file = file.to_str().unwrap();
        let (ok, _, err) = lobby_print(&["ticket", "--sample", "--width", width, "--out", file]);
        assert!(ok, "{err}");
        let (ok, out, err) = lobby_print(&["describe", file]);
        assert!(ok, "{err}");
        assert!(out.starts_with("ESC @             reset"), "{out}");
        assert!(out.contains("FS &"));
        assert!(out.contains("GS ( k QR 181     QR print"));
        assert!(out.contains("不动产登记"));

        let file = dir.join(format!("slip-{width}.bin"));
        let file = file.to_str().unwrap();
        let (ok, _, err) = lobby_print(&["slip", "--sample", "--width", width, "--out", file]);
        assert!(ok, "{err}");
        let (ok, out, _) = lobby_print(&["describe", file]);
        assert!(ok && out.contains("一次性告知单"), "{out}");
    }
}

#[test]
fn bad_width_and_missing_destination_are_refused() {
    let (ok, _, err) = lobby_print(&["ticket", "--sample", "--width", "76", "--out", "/dev/null"]);
    assert!(!ok && err.contains("58 or 80"), "{err}");
    let (ok, _, err) = lobby_print(&["ticket", "--sample"]);
    assert!(!ok && err.contains("required"), "{err}");
}

#[test]
fn status_and_print_over_tcp() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for answers in [Answers::PaperEnd, Answers::Ready] {
            let (stream, _) = listener.accept().unwrap();
            let _ = tx.send(SimPrinter::start(stream, answers));
        }
    });
    let (ok, out, err) = lobby_print(&["status", "--tcp", &addr]);
    assert!(ok, "{err}");
    assert!(out.contains("PaperEnd — 打印机缺纸"), "{out}");
    assert!(out.contains("DLE EOT 4 (paper): 0x72"), "{out}");
    let _first = rx.recv_timeout(Duration::from_secs(10)).unwrap();

    let (ok, _, err) = lobby_print(&["ticket", "--sample", "--tcp", &addr]);
    assert!(ok, "{err}");
    let sim = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    let job = sim.job();
    assert!(job.starts_with(b"\x1b@\x1c&"));
}
