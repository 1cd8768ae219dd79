//! Phase timings for performance work: `MCPGEN_TIMINGS=1` makes the CLI print, on stderr at
//! the end of the run, how long each named phase took (summed over threads and calls).
//!
//! This module only records; the CLI prints ([`report`]). A [`span`] costs one relaxed atomic
//! load when timings are off, so spans stay in the code for good and the phase breakdown in
//! docs/performance.md can be reproduced by anyone. Durations are wall time per call, added
//! up: phases that run on several threads at once can sum to more than the run took.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

/// 0: not read yet, 1: off, 2: on.
static STATE: AtomicU8 = AtomicU8::new(0);

/// Per phase: total time and number of calls, in first-seen order.
static PHASES: Mutex<Vec<(&'static str, Duration, u32)>> = Mutex::new(Vec::new());

/// Whether `MCPGEN_TIMINGS` is set (to anything but empty or `0`).
pub fn enabled() -> bool {
    match STATE.load(Ordering::Relaxed) {
        1 => false,
        2 => true,
        _ => {
            let on = std::env::var("MCPGEN_TIMINGS").is_ok_and(|v| !v.is_empty() && v != "0");
            STATE.store(if on { 2 } else { 1 }, Ordering::Relaxed);
            on
        }
    }
}

/// Whether `MCPGEN_TIMINGS=packages`: the policy engine then also times each package of
/// rules on its own (which costs an extra evaluation per package).
pub fn per_package() -> bool {
    enabled() && std::env::var("MCPGEN_TIMINGS").is_ok_and(|v| v == "packages")
}

/// A running phase; its time is recorded when it is dropped.
#[must_use = "a span measures until it is dropped"]
pub struct Span {
    name: &'static str,
    start: Option<Instant>,
}

/// Start timing the phase `name` (nothing is recorded unless timings are enabled).
pub fn span(name: &'static str) -> Span {
    Span {
        name,
        start: enabled().then(Instant::now),
    }
}

/// Record `elapsed` for `name` (for work timed by other means).
pub fn record(name: &'static str, elapsed: Duration) {
    let mut phases = PHASES.lock().unwrap_or_else(|e| e.into_inner());
    match phases.iter_mut().find(|(n, _, _)| *n == name) {
        Some((_, total, calls)) => {
            *total += elapsed;
            *calls += 1;
        }
        None => phases.push((name, elapsed, 1)),
    }
}

impl Drop for Span {
    fn drop(&mut self) {
        if let Some(start) = self.start {
            record(self.name, start.elapsed());
        }
    }
}

/// The recorded phases as text, one line each (`phase  total ms  calls`), or `None` when
/// timings are off.
pub fn report() -> Option<String> {
    if !enabled() {
        return None;
    }
    let phases = PHASES.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = String::from("mcpgen timings (wall time per phase, summed over threads):\n");
    for (name, total, calls) in phases.iter() {
        out.push_str(&format!(
            "  {name:<32} {:>10.3} ms  {calls:>6} call{}\n",
            total.as_secs_f64() * 1000.0,
            if *calls == 1 { "" } else { "s" }
        ));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_add_up_per_phase() {
        record("test-phase", Duration::from_millis(2));
        record("test-phase", Duration::from_millis(3));
        let phases = PHASES.lock().unwrap_or_else(|e| e.into_inner());
        let (_, total, calls) = phases
            .iter()
            .find(|(n, _, _)| *n == "test-phase")
            .copied()
            .expect("recorded");
        assert_eq!((total, calls), (Duration::from_millis(5), 2));
    }
}
