//! Limits under abuse: silent and half-sent connections are cut off and
//! never use up the server's descriptors; the WAL stays bounded under
//! back-to-back writes.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::harness::{ADMIN, Server};

fn address(server: &Server) -> String {
    server.url.trim_start_matches("http://").to_owned()
}

/// Whether the server closed the connection: a read ends (EOF, or a 408
/// answer then EOF) instead of waiting for ever.
fn closed_by_server(mut stream: TcpStream) -> bool {
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).is_ok()
}

#[test]
fn silent_connections_cannot_lock_the_server_out() {
    // 128 descriptors in all, and more silent clients than that: before,
    // the server stopped accepting (`Too many open files`) for as long as
    // they stayed.
    let server = Server::start_with_file_limit(128, &["--header-timeout-secs", "1"]);
    let addr = address(&server);
    let mut silent: Vec<TcpStream> = (0..300)
        .map(|_| TcpStream::connect(&addr).unwrap())
        .collect();
    // One more sends half a request and stops.
    let mut half = TcpStream::connect(&addr).unwrap();
    half.write_all(b"GET /api/health HTTP/1.1\r\nHost: hall\r\nX-Slow: ")
        .unwrap();
    // A visitor's ticket still gets through (the agent waits up to 30 s
    // for the answer; the silent ones are cut off after 1 s each).
    server
        .post(
            ADMIN,
            "/api/tickets",
            serde_json::json!({ "category": "bdc" }),
        )
        .expect(201);
    assert!(closed_by_server(half), "a half-sent request stays open");
    let first = silent.remove(0);
    assert!(closed_by_server(first), "a silent connection stays open");
    let log = server.log();
    assert!(
        !log.contains("Too many open files"),
        "the server ran out of descriptors:\n{log}"
    );
}

#[test]
fn an_idle_keep_alive_connection_is_closed() {
    let server = Server::start_with(
        std::sync::Arc::new(tempfile::tempdir().unwrap()),
        crate::harness::MORNING,
        &["--header-timeout-secs", "1"],
    );
    let mut stream = TcpStream::connect(address(&server)).unwrap();
    stream
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: hall\r\n\r\n")
        .unwrap();
    // The answer comes, then the connection idles and is closed.
    assert!(closed_by_server(stream.try_clone().unwrap()));
}

#[test]
fn the_wal_stays_bounded_under_back_to_back_writes() {
    // A small limit, so a short burst shows it: before, a passive
    // checkpoint never caught up and the WAL grew with every commit.
    let server = Server::start_with(
        std::sync::Arc::new(tempfile::tempdir().unwrap()),
        crate::harness::MORNING,
        &["--test-wal-limit-kib", "256"],
    );
    let wal = {
        let mut name = server.db().into_os_string();
        name.push("-wal");
        std::path::PathBuf::from(name)
    };
    let size = || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    // Spread over the hall's categories: each issues 300 a day at most.
    let hall = server.get("/api/hall").expect(200);
    let categories: Vec<String> = hall["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    let mut largest = 0;
    let issued = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|w| {
                let categories = &categories;
                let server = &server;
                scope.spawn(move || {
                    let mut n = 0;
                    for i in 0..400 {
                        let category = &categories[(w + 4 * i) % categories.len()];
                        server
                            .post(
                                ADMIN,
                                "/api/tickets",
                                serde_json::json!({ "category": category }),
                            )
                            .expect(201);
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        while workers.iter().any(|w| !w.is_finished()) {
            largest = largest.max(size());
            std::thread::yield_now();
        }
        workers.into_iter().map(|w| w.join().unwrap()).sum::<u32>()
    });
    assert_eq!(issued, 1600);
    // 1,600 commits of several pages each write far more than 8 MiB of
    // WAL; bounded, it stays within a few checkpoints' growth of 256 KiB.
    assert!(
        largest < 8 * 1024 * 1024,
        "the WAL reached {largest} bytes with a 256 KiB limit"
    );
}
