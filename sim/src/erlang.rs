//! Erlang C (M/M/c): the probability of waiting and the mean wait for `c`
//! servers with Poisson arrivals and exponential service.
//!
//! Used as references: the same load pooled over all staffed windows (the
//! floor that no routing of that load can beat in steady state), and
//! partitioned (each category only on its own primary windows).

/// Probability that an arrival waits, for `c` servers and an offered load
/// of `a` Erlangs (λ × mean service). `None` when the queue is unstable
/// (`a ≥ c`) or there is no server.
pub fn probability_of_waiting(c: u32, a: f64) -> Option<f64> {
    if c == 0 || a.is_nan() || a < 0.0 || a >= f64::from(c) {
        return None;
    }
    // Erlang B by its recurrence (stable for large c), then C from B.
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    let c = f64::from(c);
    Some(c * b / (c - a * (1.0 - b)))
}

/// Mean wait in the queue, in seconds, for arrival rate `lambda` per
/// second, mean service `service_s` seconds and `c` servers. `None` when
/// unstable.
pub fn mean_wait_s(c: u32, lambda: f64, service_s: f64) -> Option<f64> {
    let a = lambda * service_s;
    let p = probability_of_waiting(c, a)?;
    Some(p * service_s / (f64::from(c) - a))
}
