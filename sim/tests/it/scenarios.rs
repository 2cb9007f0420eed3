//! The shipped scenarios: they load, runs are reproducible, and ours meets
//! the dispatch-quality targets on the busy day (the benchmark's
//! acceptance; figures in BENCHMARKS.md, "Simulator").

use lobby_sim::report::PolicyReport;
use lobby_sim::scenario::{SHIPPED, Scenario, window_numbers};
use lobby_sim::{default_hall, policy, simulate};

#[test]
fn shipped_scenarios_fit_the_default_hall() {
    let hall = default_hall().unwrap();
    for (name, _) in SHIPPED {
        let s = Scenario::load(name).unwrap();
        s.check(&hall).unwrap_or_else(|e| panic!("{name}: {e:#}"));
    }
    assert!(Scenario::load("no-such-scenario").is_err());
}

#[test]
fn window_ranges() {
    let w: Vec<u32> = window_numbers("1-3, 7,64-65")
        .unwrap()
        .into_iter()
        .map(|w| w.0)
        .collect();
    assert_eq!(w, [1, 2, 3, 7, 64, 65]);
    assert!(window_numbers("5-2").is_err());
    assert!(window_numbers("x").is_err());
}

#[test]
fn bad_numbers_are_refused() {
    let text = include_str!("../../../assets/scenarios/ordinary.toml");
    let bad = text.replace("green_share = 0.08", "green_share = 1.5");
    assert!(Scenario::parse(&bad).is_err());
}

#[test]
fn same_seed_same_report() {
    let hall = default_hall().unwrap();
    let s = Scenario::load("ordinary").unwrap();
    let run = |seed| {
        let sim = simulate(&hall, &s, seed, &["lobby", "qmatic"]).unwrap();
        serde_json::to_string(&sim.report).unwrap()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}

fn check_report_shape(json: &serde_json::Value) {
    for key in [
        "erlang_c_pooled_mean_wait_s",
        "erlang_c_partitioned_mean_wait_s",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    for p in json["policies"].as_array().unwrap() {
        for key in [
            "name",
            "mean_wait_s",
            "p90_wait_s",
            "max_wait_s",
            "green_mean_wait_s",
            "estimate_median_error",
        ] {
            assert!(p.get(key).is_some(), "missing policies[].{key}");
        }
    }
}

fn ours_and_peers(policies: &[PolicyReport]) -> (&PolicyReport, &[PolicyReport]) {
    let (ours, peers) = policies.split_first().unwrap();
    assert_eq!(ours.name, "lobby");
    (ours, peers)
}

#[test]
fn ordinary_day_runs_every_policy() {
    let hall = default_hall().unwrap();
    let s = Scenario::load("ordinary").unwrap();
    let sim = simulate(&hall, &s, 1, &policy::NAMES).unwrap();
    let r = &sim.report;
    check_report_shape(&serde_json::to_value(r).unwrap());
    assert!((150..260).contains(&r.visitors), "{} visitors", r.visitors);
    let (ours, peers) = ours_and_peers(&r.policies);
    for p in peers {
        assert!(ours.mean_wait_s <= p.mean_wait_s, "{}", p.name);
    }
    assert!(ours.green_mean_wait_s.unwrap() < 120.0);
    assert!(!lobby_sim::report::table(r).is_empty());
}

/// The busy day, seed 1: the targets ours must meet.
#[test]
fn busy_day_targets() {
    let hall = default_hall().unwrap();
    let s = Scenario::load("busy").unwrap();
    let sim = simulate(&hall, &s, 1, &policy::NAMES).unwrap();
    let r = &sim.report;
    check_report_shape(&serde_json::to_value(r).unwrap());
    assert!(
        (0.80..0.90).contains(&r.offered_utilisation),
        "utilisation {}",
        r.offered_utilisation
    );
    let (ours, peers) = ours_and_peers(&r.policies);
    // Met: the lowest mean wait of all policies, the green channel under
    // two minutes, estimates within 20% (median).
    for p in peers {
        assert!(
            ours.mean_wait_s <= p.mean_wait_s,
            "mean {} > {} of {}",
            ours.mean_wait_s,
            p.mean_wait_s,
            p.name
        );
    }
    assert!(ours.green_mean_wait_s.unwrap() < 120.0);
    // Green visitors who took a ticket before the opening wait for it
    // whatever the order; from the opening on they wait far less.
    let opened = ours.green_open_mean_wait_s.unwrap();
    assert!(
        opened < ours.green_mean_wait_s.unwrap() * 0.8,
        "green from the opening {opened} s"
    );
    assert!(ours.estimate_median_error.unwrap() < 0.20);
    // Not met (lobby-core's dispatch.rs says why, BENCHMARKS.md
    // "Dispatcher variants measured" lists the alternatives): p90 is above
    // strict FIFO's, which has no green channel, appointments or one-stop
    // places to honour; and the worst category sits at about twice the
    // mean. These bounds keep the gaps from growing.
    let best_p90 = peers.iter().map(|p| p.p90_wait_s).fold(f64::MAX, f64::min);
    assert!(
        ours.p90_wait_s <= best_p90 * 1.10,
        "p90 {} vs best peer {best_p90}",
        ours.p90_wait_s
    );
    assert!(
        ours.worst_category_ratio <= 2.1,
        "worst category at {}× the mean",
        ours.worst_category_ratio
    );
    for p in peers {
        assert!(ours.max_wait_s <= p.max_wait_s, "max vs {}", p.name);
    }
}

/// The tail of the busy day, seed 1: every policy's waits over the lowest
/// p90 of them all, by who waited. Ours keeps the green channel and
/// one-stop visitors out of it, where FIFO does not; what that costs
/// shows as normal tickets at their first stop.
#[test]
fn the_tail_says_who_waited_longest() {
    let hall = default_hall().unwrap();
    let s = Scenario::load("busy").unwrap();
    let sim = simulate(&hall, &s, 1, &["lobby", "fifo"]).unwrap();
    let r = &sim.report;
    let lowest = r
        .policies
        .iter()
        .map(|p| p.p90_wait_s)
        .fold(f64::MAX, f64::min);
    for p in &r.policies {
        let t = p.tail;
        assert_eq!(t.over_s, lowest, "{}", p.name);
        assert_eq!(
            t.waits,
            t.before_opening + t.green + t.appointment + t.later + t.normal,
            "{}",
            p.name
        );
        // Roughly a tenth of the waits are over the lowest p90.
        let share = f64::from(t.waits) / p.counts.calls as f64;
        assert!((0.05..0.15).contains(&share), "{}: {share}", p.name);
        // Somebody took a ticket early and waited for the opening.
        assert!(t.before_opening > 0, "{}", p.name);
    }
    let (ours, fifo) = (&r.policies[0].tail, &r.policies[1].tail);
    assert_eq!(ours.green, 0);
    assert!(fifo.green > 0);
    assert!(ours.later < fifo.later, "{} vs {}", ours.later, fifo.later);
    assert!(
        ours.normal > fifo.normal,
        "{} vs {}",
        ours.normal,
        fifo.normal
    );

    let table = lobby_sim::report::table(r);
    assert!(table.contains("by who waited"), "{table}");
    // A quiet day has no tail to speak of.
    let quiet = simulate(&hall, &Scenario::load("ordinary").unwrap(), 1, &["lobby"]).unwrap();
    assert!(!lobby_sim::report::table(&quiet.report).contains("by who waited"));
}

#[test]
fn pauses_are_checked_like_staffing() {
    let hall = default_hall().unwrap();
    let text = include_str!("../../../assets/scenarios/busy.toml");
    let with = |pause: &str| format!("{text}\n[[pauses]]\n{pause}\n");
    let ok = Scenario::parse(&with(
        r#"windows = "37-44"
from = "10:00"
to = "10:30""#,
    ))
    .unwrap();
    ok.check(&hall).unwrap();
    assert_eq!(ok.pauses.len(), 1);
    let backwards = Scenario::parse(&with(
        r#"windows = "37"
from = "10:30"
to = "10:00""#,
    ))
    .unwrap_err();
    assert_eq!(format!("{backwards:#}"), "pauses `37`: from ≥ to");
    let elsewhere = Scenario::parse(&with(
        r#"windows = "101"
from = "10:00"
to = "10:30""#,
    ))
    .unwrap()
    .check(&hall)
    .unwrap_err();
    assert_eq!(elsewhere.to_string(), "pauses: window 101 is at site `rs`");
}

/// Issue 22: a scenario without `site` runs at the hall's first site,
/// whatever it is called (it used to look for a site `hall`).
#[test]
fn a_scenario_without_a_site_runs_at_the_halls_first_site() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/town-hall.toml");
    let hall = lobby_sim::load_hall(&path).unwrap();
    assert_eq!(hall.sites[0].id.to_string(), "qingsong");
    let text = r#"
name = "town"
date = "2026-11-25"
visits = 60

[arrivals]
from = "08:45"
to = "17:00"
base = 1.0
quiet = 0.1

[[categories]]
id = "hj"
weight = 3
service_mean_min = 6
service_cv = 0.5

[[categories]]
id = "nj"
weight = 1
service_mean_min = 12
service_cv = 0.5

[[staffing]]
windows = "1-3"
from = "09:00"
to = "17:30"
"#;
    let s = Scenario::parse(text).unwrap();
    assert_eq!(s.site, None);
    assert_eq!(s.site(&hall).to_string(), "qingsong");
    s.check(&hall).unwrap();
    let sim = simulate(&hall, &s, 1, &["lobby", "fifo"]).unwrap();
    for p in &sim.report.policies {
        assert!(p.counts.calls > 0, "{}: nobody was called", p.name);
    }

    // A site named but not in the hall says which sites there are.
    let elsewhere = Scenario::parse(&format!("site = \"hall\"\n{text}")).unwrap();
    assert_eq!(
        elsewhere.check(&hall).unwrap_err().to_string(),
        "no site `hall` in the hall (it has qingsong)"
    );
}
