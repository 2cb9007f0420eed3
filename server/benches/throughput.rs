//! Benchmark (to come).
fn main() {}
