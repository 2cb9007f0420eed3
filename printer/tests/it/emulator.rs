//! Our bytes in an independent ESC/POS emulator: emupos (PyPI), which
//! renders receipts to PNG and a text dump and answers status queries.
//!
//! emupos has no Chinese font (each GB18030 byte prints as a 12-dot cell,
//! so a Chinese character still takes 24 dots), so it checks the layout,
//! not the glyphs: every line fits without the emulator wrapping it, the QR
//! code decodes to the status URL, raster lines have the right size, the
//! job ends with a cut, and no command is unknown to it. The pictures are
//! left in `target/tmp/emupos/` for a person to look at.
//!
//! emupos needs Python 3.13 or later. The test installs it into a venv
//! under `target/tmp` on first use (`pip install emupos==0.4.0`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use lobby_printer::describe::decode;
use lobby_printer::render;
use lobby_printer::status::StatusReplies;
use lobby_printer::{ChineseFont, Paper, PrinterStatus, Profile, QrMode, RasterFont, sample};
use serde_json::Value;

use crate::support::{hall, printed_lines};

const EMUPOS: &str = "emupos==0.4.0";

/// A Python of version 3.13 or later: on the PATH, or one of pyenv's.
fn python313() -> PathBuf {
    let ok = |p: &Path| {
        Command::new(p)
            .args(["-c", "import sys; sys.exit(sys.version_info < (3, 13))"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let mut candidates: Vec<PathBuf> = ["python3.14", "python3.13", "python3"]
        .iter()
        .map(PathBuf::from)
        .collect();
    let pyenv = std::env::var("PYENV_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(&std::env::var("HOME").unwrap_or_default()).join(".pyenv"));
    if let Ok(dir) = std::fs::read_dir(pyenv.join("versions")) {
        let mut versions: Vec<PathBuf> = dir
            .flatten()
            .map(|e| e.path().join("bin/python3"))
            .collect();
        versions.sort();
        candidates.extend(versions.into_iter().rev());
    }
    candidates
        .into_iter()
        .find(|p| ok(p))
        .expect("emupos needs Python >= 3.13 (none on PATH or under ~/.pyenv/versions)")
}

/// The venv's python with emupos installed, set up once per test run.
fn emupos_python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("emupos-venv");
        let python = venv.join("bin/python");
        let has = |p: &Path| {
            Command::new(p)
                .args(["-c", "import emupos"])
                .output()
                .is_ok_and(|o| o.status.success())
        };
        if !has(&python) {
            let status = Command::new(python313())
                .args(["-m", "venv", "--clear"])
                .arg(&venv)
                .status()
                .unwrap();
            assert!(status.success(), "python -m venv failed");
            let out = Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    EMUPOS,
                ])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "pip install {EMUPOS}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        python
    })
}

/// Runs a job through emupos; returns its report and leaves the picture.
fn emulate(name: &str, bytes: &[u8], paper: Paper) -> Value {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("emupos");
    std::fs::create_dir_all(&dir).unwrap();
    let job = dir.join(format!("{name}.bin"));
    std::fs::write(&job, bytes).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/emupos_render.py");
    let out = Command::new(emupos_python())
        .arg(script)
        .arg(&job)
        .arg(paper.dots().to_string())
        .arg(dir.join(format!("{name}.png")))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The checks every job must pass in the emulator.
fn check(name: &str, bytes: &[u8], paper: Paper) -> Value {
    let report = emulate(name, bytes, paper);
    assert_eq!(
        report["events"],
        Value::Array(vec![]),
        "{name}: emupos complained"
    );
    let receipts = report["receipts"].as_array().unwrap();
    assert_eq!(receipts.len(), 1, "{name}: one job, one receipt");
    let r = &receipts[0];
    assert_eq!(r["boundary"], "cut", "{name}: the job ends with a cut");
    assert_eq!(r["width"], paper.dots());
    // Every line we sent is one line on paper: the emulator wrapped none.
    let dump = r["text"].as_str().unwrap();
    let (_, sum) = decode(bytes);
    let lines = dump.lines().count();
    assert_eq!(
        lines,
        sum.text_lines + sum.qr_codes + sum.raster_images,
        "{name}: the emulator wrapped a line:\n{dump}"
    );
    r.clone()
}

#[test]
fn tickets_and_slips_render_in_emupos() {
    let hall = hall();
    let ticket = sample::ticket(&hall).unwrap();
    let slip = sample::slip(&hall).unwrap();
    let url = ticket.status_url.clone().unwrap();
    for paper in [Paper::Mm58, Paper::Mm80] {
        let profile = Profile::with_paper(paper);
        let mm = paper.mm();

        let bytes = render::ticket(&ticket, &profile);
        let r = check(&format!("ticket-{mm}"), &bytes, paper);
        let dump = r["text"].as_str().unwrap();
        assert!(dump.contains(&format!("[qr {url}]")), "{dump}");
        assert!(dump.lines().any(|l| l.trim() == "B008"), "{dump}");

        let bytes = render::slip(&slip, &profile);
        let r = check(&format!("slip-{mm}"), &bytes, paper);
        // The slip's lines are as long as we laid them out: each
        // GB18030 byte is one emulator cell, one column.
        let dump = r["text"].as_str().unwrap();
        let ours: Vec<usize> = printed_lines(&bytes).iter().map(|(_, w)| *w).collect();
        let theirs: Vec<usize> = dump.lines().map(|l| l.trim_end().chars().count()).collect();
        assert_eq!(ours.len(), theirs.len());
        for (o, t) in ours.iter().zip(&theirs) {
            assert!(t <= o && *o <= paper.columns(), "{ours:?}\n{theirs:?}");
        }
    }
}

#[test]
fn raster_fallback_renders_in_emupos() {
    let hall = hall();
    let ticket = sample::ticket(&hall).unwrap();
    let font = RasterFont::from_bytes(
        std::fs::read("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc").unwrap(),
    )
    .unwrap();
    let profile = Profile {
        chinese: ChineseFont::None,
        qr: QrMode::Raster,
        ..Profile::with_paper(Paper::Mm80)
    };
    let bytes = render::ticket_with_font(&ticket, &profile, &font);
    let r = check("ticket-80-raster", &bytes, Paper::Mm80);
    let dump = r["text"].as_str().unwrap();
    assert!(dump.contains("[image"), "{dump}");
    assert!(!dump.contains("[qr"), "the QR code is an image too");
}

#[test]
fn emupos_status_replies_read_as_intended() {
    let report = emulate("status", b"\x1b@", Paper::Mm80);
    let expect = [
        ("ready", PrinterStatus::Ready),
        ("paper_near_end", PrinterStatus::PaperNearEnd),
        ("paper_end", PrinterStatus::PaperEnd),
        ("cover_open", PrinterStatus::CoverOpen),
        ("offline", PrinterStatus::Offline),
    ];
    for (state, status) in expect {
        let bytes: Vec<u8> = report["status"][state]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u8)
            .collect();
        assert_eq!(
            StatusReplies::from_bytes(&bytes).status(),
            status,
            "{state}: {bytes:?}"
        );
    }
}
