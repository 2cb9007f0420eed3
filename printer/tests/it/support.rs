//! Shared pieces: the frozen test hall, a simulated printer, socat.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lobby_core::Hall;
use lobby_printer::describe::{Item, decode};
use lobby_printer::text;

/// The hall of `tests/fixtures` (the default hall, with three matters
/// frozen so that snapshots do not follow catalogue edits).
pub fn hall() -> Hall {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hall.toml");
    lobby_printer::sample::load_hall(&path).unwrap()
}

/// Every printed text line of a stream with its column width at its size.
pub fn printed_lines(bytes: &[u8]) -> Vec<(String, usize)> {
    let (items, _) = decode(bytes);
    let mut wide = 1;
    let mut out = Vec::new();
    for item in items {
        match item {
            Item::Command { code, .. } if code.starts_with("GS ! 0x") => {
                let n = u8::from_str_radix(&code[7..], 16).unwrap();
                wide = usize::from(n >> 4) + 1;
            }
            Item::Command { code, .. } if code == "ESC @" => wide = 1,
            Item::Text { text, lf: true } => {
                let w = text::width(&text) * wide;
                out.push((text, w));
            }
            _ => {}
        }
    }
    out
}

/// What a simulated printer reports: the bytes it answers `DLE EOT 1`, `2`
/// and `4` with, or silence.
#[derive(Debug, Clone, Copy)]
pub enum Answers {
    /// Online, paper in, cover shut.
    Ready,
    /// Out of paper (the Epson reply bits).
    PaperEnd,
    /// Never answers a status query.
    Silent,
}

impl Answers {
    fn reply(self, n: u8) -> Option<u8> {
        match (self, n) {
            (Answers::Silent, _) => None,
            (Answers::Ready, _) => Some(0x12),
            (Answers::PaperEnd, 1) => Some(0x1A),
            (Answers::PaperEnd, 2) => Some(0x32),
            (Answers::PaperEnd, 4) => Some(0x72),
            (Answers::PaperEnd, _) => Some(0x12),
        }
    }
}

/// A simulated printer on the far end of a link: records every job (up to
/// and including its cut) and answers real-time status queries.
///
/// It recognises `DLE EOT n` and `GS V m n` by scanning the bytes, which is
/// exact for the text-mode jobs these tests send (no raster data, where
/// those bytes could occur by chance).
pub struct SimPrinter {
    /// Its current state; tests change it between jobs.
    pub answers: Arc<Mutex<Answers>>,
    /// Completed jobs.
    pub jobs: Receiver<Vec<u8>>,
    /// Status queries received (n of each `DLE EOT n`).
    pub queries: Receiver<u8>,
}

impl SimPrinter {
    /// Starts the printer on a thread, serving `link` until it closes.
    pub fn start<L: Read + Write + Send + 'static>(link: L, answers: Answers) -> SimPrinter {
        let answers = Arc::new(Mutex::new(answers));
        let (jobs_tx, jobs) = mpsc::channel();
        let (queries_tx, queries) = mpsc::channel();
        let state = answers.clone();
        std::thread::spawn(move || serve(link, state, jobs_tx, queries_tx));
        SimPrinter {
            answers,
            jobs,
            queries,
        }
    }

    /// The next completed job, waiting for it at most 10 s.
    pub fn job(&self) -> Vec<u8> {
        self.jobs
            .recv_timeout(Duration::from_secs(10))
            .expect("the simulated printer received no complete job")
    }
}

fn serve<L: Read + Write>(
    mut link: L,
    answers: Arc<Mutex<Answers>>,
    jobs: Sender<Vec<u8>>,
    queries: Sender<u8>,
) {
    let mut pending: Vec<u8> = Vec::new();
    let mut job: Vec<u8> = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = match link.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        pending.extend_from_slice(&buf[..n]);
        let mut i = 0;
        while i < pending.len() {
            if pending[i] == 0x10 {
                if pending.len() < i + 3 {
                    break; // the rest of the query is still on its way
                }
                if pending[i + 1] == 0x04 {
                    let q = pending[i + 2];
                    let _ = queries.send(q);
                    let reply = answers.lock().unwrap().reply(q);
                    if let Some(r) = reply
                        && link.write_all(&[r]).and_then(|()| link.flush()).is_err()
                    {
                        return;
                    }
                    i += 3;
                    continue;
                }
            }
            job.push(pending[i]);
            i += 1;
            let l = job.len();
            if l >= 4 && job[l - 4] == 0x1D && job[l - 3] == b'V' && job[l - 2] >= 65 {
                let _ = jobs.send(std::mem::take(&mut job));
            }
        }
        pending.drain(..i);
    }
}

/// A socat pseudo-terminal pair; killed on drop.
pub struct PtyPair {
    child: Child,
    /// The end the host (our [`lobby_printer::Printer`]) opens.
    pub host: PathBuf,
    /// The end the simulated printer opens.
    pub printer: PathBuf,
}

impl PtyPair {
    /// Starts socat and waits until it has printed both device paths and
    /// entered its transfer loop.
    pub fn start() -> PtyPair {
        let mut child = Command::new("socat")
            .args(["-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("socat is needed for the serial tests (apt-get install socat)");
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let mut paths = Vec::new();
        for line in stderr.lines() {
            let line = line.unwrap();
            if let Some(p) = line.split("PTY is ").nth(1) {
                paths.push(PathBuf::from(p.trim()));
            }
            if line.contains("starting data transfer loop") {
                break;
            }
        }
        assert_eq!(paths.len(), 2, "socat printed no pty pair");
        PtyPair {
            child,
            host: paths[0].clone(),
            printer: paths[1].clone(),
        }
    }
}

impl Drop for PtyPair {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
