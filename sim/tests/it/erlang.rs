//! Erlang C against textbook values and an independent summation.

use lobby_sim::erlang::{mean_wait_s, probability_of_waiting};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * b.abs().max(1.0)
}

#[test]
fn one_server_waits_with_probability_rho() {
    // M/M/1: P(wait) = ρ and Wq = ρ·S / (1 − ρ).
    let p = probability_of_waiting(1, 0.5).unwrap();
    assert!(close(p, 0.5));
    let w = mean_wait_s(1, 1.0 / 120.0, 60.0).unwrap();
    assert!(close(w, 60.0), "{w}");
}

#[test]
fn small_textbook_cases() {
    // c = 2, a = 1: C = 1/3, Wq = S/3. c = 3, a = 2: C = 4/9, Wq = 4S/9.
    assert!(close(probability_of_waiting(2, 1.0).unwrap(), 1.0 / 3.0));
    assert!(close(mean_wait_s(2, 1.0 / 600.0, 600.0).unwrap(), 200.0));
    assert!(close(probability_of_waiting(3, 2.0).unwrap(), 4.0 / 9.0));
    assert!(close(
        mean_wait_s(3, 2.0 / 600.0, 600.0).unwrap(),
        4.0 * 600.0 / 9.0
    ));
}

/// Erlang C by its closed form with explicit sums, for comparison.
fn by_sums(c: u32, a: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..c {
        if k > 0 {
            term *= a / f64::from(k);
        }
        sum += term;
    }
    let top = term * a / f64::from(c) * f64::from(c) / (f64::from(c) - a);
    top / (sum + top)
}

#[test]
fn recurrence_agrees_with_the_closed_form() {
    for (c, a) in [(5, 3.5), (11, 10.0), (20, 17.0), (67, 56.9)] {
        let p = probability_of_waiting(c, a).unwrap();
        let q = by_sums(c, a);
        assert!((p - q).abs() < 1e-9, "c={c} a={a}: {p} vs {q}");
    }
    // The classic call-centre case: 10 Erlangs on 11 agents wait with
    // probability about 0.68.
    let p = probability_of_waiting(11, 10.0).unwrap();
    assert!((p - 0.6821).abs() < 1e-3, "{p}");
}

#[test]
fn unstable_or_empty_is_none() {
    assert_eq!(probability_of_waiting(3, 3.0), None);
    assert_eq!(probability_of_waiting(0, 0.1), None);
    assert_eq!(mean_wait_s(2, 1.0, 3.0), None);
}
