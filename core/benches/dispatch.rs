//! Call-next and issue with 1k, 10k and 100k tickets waiting, in the
//! default hall (67 main-hall windows, quotas lifted so the queues can grow).
//!
//! `cargo bench -p lobby-core --bench dispatch`

// A benchmark measures wall time; the ban on the clock is for the library.
#![allow(clippy::disallowed_methods)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use lobby_core::config::{self, SourceFile};
use lobby_core::jiff::Timestamp;
use lobby_core::jiff::civil::date;
use lobby_core::{Command, Event, EventKind, GroupId, Hall, Issue, Lobby, Priority, WindowNo};

const CATEGORIES: [&str; 10] = [
    "tzxm", "bdc", "scjg", "sw", "gasf", "shbz", "zhdb", "ybz", "mz", "sdqx",
];

fn hall() -> Arc<Hall> {
    let text = include_str!("../../assets/hall.toml").replace("daily_quota", "# daily_quota");
    let main = SourceFile {
        name: "hall.toml".into(),
        text,
    };
    let hall = config::load(main, |_| {
        Ok(include_str!("../../assets/matters.toml").into())
    })
    .expect("the default hall loads");
    Arc::new(hall)
}

/// A weekday at 10:00, inside the morning session.
fn now(hall: &Hall) -> Timestamp {
    hall.tz()
        .to_timestamp(date(2026, 11, 25).at(10, 0, 0, 0))
        .expect("valid local time")
}

struct Filled {
    lobby: Lobby,
    next: u64,
}

impl Filled {
    fn new(hall: &Arc<Hall>, n: u64) -> Filled {
        let mut f = Filled {
            lobby: Lobby::new(hall.clone()),
            next: 0,
        };
        for _ in 0..n {
            f.issue(now(hall));
        }
        f
    }

    fn issue(&mut self, at: Timestamp) {
        self.issue_in(at, CATEGORIES[(self.next % 10) as usize]);
    }

    fn issue_in(&mut self, at: Timestamp, category: &str) {
        let i = self.next;
        self.next += 1;
        let mut issue = Issue::kiosk(format!("t{i}"), category);
        if i.is_multiple_of(7) {
            issue.priority = Priority::Green {
                group: GroupId::from("elderly"),
            };
        }
        self.lobby
            .handle(at, Command::Issue(issue))
            .expect("issued");
    }
}

fn bench(c: &mut Criterion) {
    let hall = hall();
    let at = now(&hall);
    let mut group = c.benchmark_group("dispatch");
    group
        .measurement_time(Duration::from_secs(4))
        .sample_size(30);
    for n in [1_000u64, 10_000, 100_000] {
        // Call-next at a comprehensive window (one primary, five overflow
        // categories): only the call is timed; completing it and topping the
        // queue up again are not.
        group.bench_with_input(BenchmarkId::new("call_next", n), &n, |b, &n| {
            let mut f = Filled::new(&hall, n);
            let window = WindowNo(64);
            b.iter_custom(|iters| {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    let events = f
                        .lobby
                        .handle(
                            at,
                            Command::Call {
                                window,
                                ticket: None,
                            },
                        )
                        .expect("called");
                    spent += start.elapsed();
                    let category = match &black_box(events)[..] {
                        [
                            ..,
                            Event {
                                kind: EventKind::Called { category, .. },
                                ..
                            },
                        ] => category.clone(),
                        other => panic!("nothing called: {other:?}"),
                    };
                    f.lobby
                        .handle(at, Command::Complete { window })
                        .expect("completed");
                    // Keep the queue at n, in the category just served.
                    f.issue_in(at, category.as_str());
                }
                spent
            });
        });
        // Issue with n waiting; the queue is rebuilt (untimed) whenever it
        // has grown by half.
        group.bench_with_input(BenchmarkId::new("issue", n), &n, |b, &n| {
            let mut f = Filled::new(&hall, n);
            b.iter_custom(|iters| {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    if f.next >= n + n / 2 {
                        f = Filled::new(&hall, n);
                    }
                    let start = Instant::now();
                    f.issue(at);
                    spent += start.elapsed();
                }
                spent
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
