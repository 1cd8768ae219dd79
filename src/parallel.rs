//! Running independent work on every core, with results in input order.
//!
//! mcpgen's unit of parallel work is a spec file (parse, validate, resolve) or one variant of a
//! file (its policy evaluation): independent, a few milliseconds each. Scoped threads take items
//! from a shared counter, so a slow item does not hold the others back, and each thread keeps
//! its own state (a clone of the policy engine). Results come back in input order, so output
//! is the same whatever the scheduling. `MCPGEN_JOBS=N` sets the number of threads (1 runs
//! everything on the calling thread); the default is the number of available cores.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Threads to use for `items` pieces of work.
pub fn jobs(items: usize) -> usize {
    let configured = std::env::var("MCPGEN_JOBS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0);
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    configured.unwrap_or(cores).min(items).max(1)
}

/// `f` over every item, each thread with its own state from `init`, results in input order.
pub fn map_with<T, S, R>(
    items: &[T],
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R>
where
    T: Sync,
    R: Send,
{
    let threads = jobs(items.len());
    if threads <= 1 {
        let mut state = init();
        return items.iter().map(|item| f(&mut state, item)).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut state = init();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(&mut state, item);
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every item was processed by a worker"))
        .collect()
}

/// `f` over every item, results in input order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_with(items, || (), |(), item| f(item))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_input_order_and_state_is_per_thread() {
        let items: Vec<u64> = (0..1000).collect();
        let squares = map(&items, |x| x * x);
        assert_eq!(squares, items.iter().map(|x| x * x).collect::<Vec<_>>());
        let counted = map_with(
            &items,
            || 0usize,
            |seen, x| {
                *seen += 1;
                (*x, *seen)
            },
        );
        assert_eq!(counted.len(), 1000);
        assert!(counted.iter().enumerate().all(|(i, (x, _))| *x == i as u64));
    }
}
