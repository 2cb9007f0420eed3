//! The `lobby-print` binary, run as support staff would.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::support::{Answers, SimPrinter};

fn lobby_print(args: &[&str]) -> (bool, String, String) {
    lobby_print_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Runs lobby-print in `dir`, where it looks for `assets/hall.toml`.
fn lobby_print_in(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lobby-print"))
        .args(args)
        .current_dir(dir)
        // The server's variable would choose the hall for every test.
        .env_remove("LOBBY_CONFIG")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The town hall fixture: not the default hall, and unlike it (another
/// site, other windows, its own matters).
fn town() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/town/hall.toml");
    path.to_str().unwrap().to_owned()
}

/// A fresh scratch directory under `target/tmp`.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Prints `what` (ticket or slip) with `args` to a file and describes it.
fn print_and_describe(dir: &Path, what: &str, args: &[&str]) -> String {
    let file = dir.join(format!("{what}-{}.bin", args.join("-").replace('/', "_")));
    let file = file.to_str().unwrap();
    let mut all = vec![what, "--sample", "--out", file];
    all.extend_from_slice(args);
    let (ok, _, err) = lobby_print(&all);
    assert!(ok, "{all:?}: {err}");
    let (ok, out, err) = lobby_print(&["describe", file]);
    assert!(ok, "{err}");
    out
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

/// Issue 22: `--hall` with any hall, not only the default one. The sample
/// comes from the town hall: its centre, its busiest category, that
/// category's matter; and the user may choose another.
#[test]
fn another_hall_prints_its_own_sample() {
    let dir = scratch("cli-town");
    let town = town();
    let hall = ["--hall", town.as_str()];

    let ticket = print_and_describe(&dir, "ticket", &hall);
    assert!(ticket.contains("青松镇便民服务中心"), "{ticket}");
    assert!(ticket.contains("户籍办理"), "{ticket}");
    assert!(ticket.contains("户口迁入登记"), "{ticket}");
    assert!(
        ticket.contains("\"Q008\""),
        "seven visitors ahead: {ticket}"
    );
    assert!(!ticket.contains("不动产"), "{ticket}");

    let slip = print_and_describe(&dir, "slip", &hall);
    assert!(slip.contains("一次性告知单"), "{slip}");
    assert!(slip.contains("户口迁入登记"), "{slip}");
    assert!(slip.contains("准予迁入证明"), "{slip}");
    assert!(slip.contains("青松镇便民服务中心大厅"), "the place: {slip}");

    // A chosen matter brings its category; the comprehensive window
    // serves it as overflow.
    let chosen = [&hall[..], &["--matter", "QS-NJ-01", "--window", "6"]].concat();
    let ticket = print_and_describe(&dir, "ticket", &chosen);
    assert!(ticket.contains("农机补贴"), "{ticket}");
    assert!(ticket.contains("农机购置补贴申请"), "{ticket}");
    assert!(ticket.contains("\"N008\""), "{ticket}");
    let slip = print_and_describe(&dir, "slip", &chosen);
    assert!(slip.contains("一卡通存折"), "{slip}");

    let by_category = [&hall[..], &["--category", "yl"]].concat();
    let slip = print_and_describe(&dir, "slip", &by_category);
    assert!(slip.contains("养老待遇资格认证"), "{slip}");
}

/// A name the hall does not have is refused with the name, the hall's file
/// and what the hall has instead; names that do not go together say why.
#[test]
fn names_not_in_the_hall_are_refused_clearly() {
    let town = town();
    let refused = |extra: &[&str]| {
        let mut args = vec!["ticket", "--sample", "--out", "/dev/null", "--hall", &town];
        args.extend_from_slice(extra);
        let (ok, _, err) = lobby_print(&args);
        assert!(!ok, "{args:?} was accepted");
        assert!(err.contains(&town), "the hall's file is named: {err}");
        err
    };
    let err = refused(&["--matter", "BDC-001"]);
    assert!(
        err.contains("the hall has no matter `BDC-001`")
            && err.contains("matters QS-HJ-01, QS-NJ-01, QS-YL-01"),
        "{err}"
    );
    let err = refused(&["--category", "bdc"]);
    assert!(
        err.contains("no category `bdc`") && err.contains("categories hj, nj, yl"),
        "{err}"
    );
    let err = refused(&["--window", "7"]);
    assert!(
        err.contains("no window `7`") && err.contains("windows 1, 2, 3, 4, 5, 6"),
        "{err}"
    );
    let err = refused(&["--site", "hall"]);
    assert!(
        err.contains("no site `hall`") && err.contains("sites qingsong"),
        "{err}"
    );
    let err = refused(&["--category", "hj", "--window", "3"]);
    assert!(
        err.contains("window 3 does not serve category `hj` (it serves nj)"),
        "{err}"
    );
    let err = refused(&["--category", "hj", "--matter", "QS-NJ-01"]);
    assert!(
        err.contains("category `hj` does not take matter `QS-NJ-01` (a matter of `nj`)"),
        "{err}"
    );
    // The default hall lists only the first of its many matters.
    let (ok, _, err) = lobby_print(&["slip", "--sample", "--out", "/dev/null", "--matter", "X-1"]);
    assert!(!ok && err.contains("the hall has no matter `X-1`"), "{err}");
    assert!(err.contains("assets/hall.toml (built in)"), "{err}");
    assert!(
        err.contains("matters: TZXM-001,") && err.contains(", …"),
        "{err}"
    );
}

/// Without `--hall`, lobby-print looks where lobby-server looks:
/// `assets/hall.toml` in the working directory, else the built-in hall;
/// never a path of the machine it was built on.
#[test]
fn without_a_hall_the_working_directory_then_the_built_in_hall() {
    let (ok, help, _) = lobby_print(&["ticket", "--help"]);
    assert!(
        ok && help.contains("assets/hall.toml in the working"),
        "{help}"
    );
    assert!(help.contains("built-in copy"), "{help}");

    let dir = scratch("cli-cwd");
    let (ok, _, err) = lobby_print_in(&dir, &["ticket", "--sample", "--out", "t.bin"]);
    assert!(ok, "{err}");
    let (_, out, _) = lobby_print_in(&dir, &["describe", "t.bin"]);
    assert!(out.contains("不动产登记"), "the built-in hall: {out}");

    let assets = dir.join("assets");
    std::fs::create_dir_all(&assets).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/town");
    std::fs::copy(fixtures.join("hall.toml"), assets.join("hall.toml")).unwrap();
    std::fs::copy(
        fixtures.join("town-matters.toml"),
        assets.join("town-matters.toml"),
    )
    .unwrap();
    let (ok, _, err) = lobby_print_in(&dir, &["ticket", "--sample", "--out", "t.bin"]);
    assert!(ok, "{err}");
    let (_, out, _) = lobby_print_in(&dir, &["describe", "t.bin"]);
    assert!(
        out.contains("青松镇便民服务中心"),
        "assets/hall.toml here: {out}"
    );
}
