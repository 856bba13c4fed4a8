//! The circuit breaker of one backend: closed → open → half-open → closed.
//!
//! ```text
//! closed ──5 failures in a row, or ≥ 50 % of ≥ 20 calls in 10 s──> open
//! open ──5 s──> half-open: a few probe calls go through
//! half-open ──probes all succeed──> closed;  ──any probe fails──> open again
//! ```
//!
//! While open, calls are refused at once (no connection is attempted) with the time left
//! until the next probe, for `Retry-After`. State is per process (per replica): replicas
//! learn about an outage each on their own, which is what a breaker in front of one backend
//! connection pool needs.
//!
//! Written here rather than taken from a crate: the maintained circuit-breaker crates are
//! young single-author releases, and none combines consecutive and rate thresholds over a
//! rolling window with bounded half-open probes; the state machine is small and fully
//! tested below. May import `soap::client` (its settings type) only.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::soap::client::BreakerSettings;

/// The breaker's state, for metrics, logs and the status endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Closed,
    Open,
    HalfOpen,
}

impl State {
    pub fn label(self) -> &'static str {
        match self {
            State::Closed => "closed",
            State::Open => "open",
            State::HalfOpen => "half_open",
        }
    }

    /// The gauge value: 0 closed, 1 half-open, 2 open.
    pub fn gauge(self) -> i64 {
        match self {
            State::Closed => 0,
            State::HalfOpen => 1,
            State::Open => 2,
        }
    }
}

/// Permission to make one call; report its outcome with [`Breaker::record`].
#[derive(Debug)]
#[must_use]
pub struct Ticket {
    probe: bool,
}

/// One bucket of the rolling window: a second's calls and failures.
#[derive(Clone, Copy, Debug, Default)]
struct Bucket {
    second: u64,
    calls: u32,
    failures: u32,
}

const BUCKETS: usize = 60;

#[derive(Debug)]
struct Inner {
    state: State,
    consecutive: u32,
    /// Open: when probes may start.
    reopen_at: Instant,
    /// Half-open: probes in flight and successes so far.
    probing: u32,
    probe_successes: u32,
    buckets: [Bucket; BUCKETS],
}

#[derive(Debug)]
pub struct Breaker {
    settings: BreakerSettings,
    epoch: Instant,
    inner: Mutex<Inner>,
}

/// A state change, for the caller to log and count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    pub from: State,
    pub to: State,
}

impl Breaker {
    pub fn new(settings: BreakerSettings) -> Self {
        let now = Instant::now();
        Self {
            settings,
            epoch: now,
            inner: Mutex::new(Inner {
                state: State::Closed,
                consecutive: 0,
                reopen_at: now,
                probing: 0,
                probe_successes: 0,
                buckets: [Bucket::default(); BUCKETS],
            }),
        }
    }

    pub fn state(&self) -> State {
        self.lock().state
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock cannot leave the counters inconsistent in a way
        // that matters more than refusing every call would.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether a call would be refused now (without taking a probe slot): the time until
    /// the circuit lets a probe through.
    pub fn check(&self, now: Instant) -> Result<(), Duration> {
        if !self.settings.enabled {
            return Ok(());
        }
        let g = self.lock();
        match g.state {
            State::Open if now < g.reopen_at => Err(g.reopen_at - now),
            _ => Ok(()),
        }
    }

    /// A ticket to call now, or the time until the circuit lets a probe through.
    pub fn acquire(&self, now: Instant) -> Result<(Ticket, Option<Transition>), Duration> {
        if !self.settings.enabled {
            return Ok((Ticket { probe: false }, None));
        }
        let mut g = self.lock();
        match g.state {
            State::Closed => Ok((Ticket { probe: false }, None)),
            State::Open => {
                if now < g.reopen_at {
                    return Err(g.reopen_at - now);
                }
                g.state = State::HalfOpen;
                g.probing = 1;
                g.probe_successes = 0;
                Ok((
                    Ticket { probe: true },
                    Some(Transition {
                        from: State::Open,
                        to: State::HalfOpen,
                    }),
                ))
            }
            State::HalfOpen => {
                if g.probing + g.probe_successes >= self.settings.probes.max(1) {
                    // Enough probes are out; the others wait for their verdict.
                    return Err(Duration::from_secs(1));
                }
                g.probing += 1;
                Ok((Ticket { probe: true }, None))
            }
        }
    }

    /// Records a call's outcome; returns the state change it caused, if any.
    pub fn record(&self, ticket: Ticket, failed: bool, now: Instant) -> Option<Transition> {
        if !self.settings.enabled {
            return None;
        }
        let s = &self.settings;
        let second = now.saturating_duration_since(self.epoch).as_secs();
        let mut g = self.lock();
        let b = &mut g.buckets[(second % BUCKETS as u64) as usize];
        if b.second != second {
            *b = Bucket {
                second,
                ..Bucket::default()
            };
        }
        b.calls += 1;
        if failed {
            b.failures += 1;
            g.consecutive += 1;
        } else {
            g.consecutive = 0;
        }
        if ticket.probe {
            g.probing = g.probing.saturating_sub(1);
        }
        let from = g.state;
        match (g.state, ticket.probe, failed) {
            (State::HalfOpen, true, true) => self.open(&mut g, now),
            (State::HalfOpen, true, false) => {
                g.probe_successes += 1;
                if g.probe_successes >= s.probes.max(1) {
                    g.state = State::Closed;
                    g.consecutive = 0;
                    // A fresh window: the failures that opened the circuit are history.
                    g.buckets = [Bucket::default(); BUCKETS];
                }
            }
            (State::Closed, _, true) => {
                let (calls, failures) = window(&g.buckets, second, s.window);
                let by_rate = calls >= s.min_calls.max(1)
                    && f64::from(failures) >= s.failure_rate * f64::from(calls);
                if g.consecutive >= s.consecutive_failures.max(1) || by_rate {
                    self.open(&mut g, now);
                }
            }
            _ => {}
        }
        (g.state != from).then_some(Transition { from, to: g.state })
    }

    fn open(&self, g: &mut Inner, now: Instant) {
        g.state = State::Open;
        g.reopen_at = now + self.settings.open_for;
        g.probing = 0;
        g.probe_successes = 0;
    }
}

/// Calls and failures in the last `span` (whole seconds, the current one included).
fn window(buckets: &[Bucket; BUCKETS], second: u64, span: Duration) -> (u32, u32) {
    let secs = span.as_secs().clamp(1, BUCKETS as u64);
    buckets
        .iter()
        .filter(|b| b.second + secs > second && b.second <= second)
        .fold((0, 0), |(c, f), b| (c + b.calls, f + b.failures))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> BreakerSettings {
        BreakerSettings::default()
    }

    fn call(b: &Breaker, failed: bool, now: Instant) -> Option<Transition> {
        let (t, _) = b.acquire(now).expect("closed");
        b.record(t, failed, now)
    }

    #[test]
    fn opens_after_consecutive_failures_and_refuses_until_the_pause_ends() {
        let b = Breaker::new(settings());
        let t0 = Instant::now();
        for _ in 0..4 {
            assert_eq!(call(&b, true, t0), None);
        }
        assert_eq!(
            call(&b, true, t0),
            Some(Transition {
                from: State::Closed,
                to: State::Open
            })
        );
        let wait = b.acquire(t0 + Duration::from_secs(1)).expect_err("open");
        assert_eq!(wait, Duration::from_secs(4));
    }

    #[test]
    fn a_success_resets_the_consecutive_count() {
        let b = Breaker::new(settings());
        let t0 = Instant::now();
        for _ in 0..4 {
            call(&b, true, t0);
        }
        call(&b, false, t0);
        for _ in 0..4 {
            call(&b, true, t0);
        }
        assert_eq!(b.state(), State::Closed);
    }

    #[test]
    fn opens_on_the_failure_rate_once_the_window_holds_enough_calls() {
        let b = Breaker::new(settings());
        let t0 = Instant::now();
        // Alternate: never 5 in a row, but 50 % of 20 calls.
        for i in 0..19 {
            call(&b, i % 2 == 0, t0);
        }
        assert_eq!(b.state(), State::Closed, "19 calls: below the minimum");
        call(&b, false, t0);
        call(&b, true, t0);
        assert_eq!(b.state(), State::Open);
    }

    #[test]
    fn old_failures_leave_the_window() {
        let b = Breaker::new(settings());
        let t0 = Instant::now();
        for i in 0..20 {
            call(&b, i % 2 == 0, t0);
        }
        // 11 s later the window is empty again: 20 more good calls, then alternating.
        let t1 = t0 + Duration::from_secs(11);
        for i in 0..19 {
            call(&b, i % 4 == 0, t1);
        }
        assert_eq!(b.state(), State::Closed);
    }

    #[test]
    fn half_open_lets_a_few_probes_through_and_closes_on_their_success() {
        let b = Breaker::new(settings());
        let t0 = Instant::now();
        for _ in 0..5 {
            call(&b, true, t0);
        }
        let t1 = t0 + Duration::from_secs(5);
        let (p1, tr) = b.acquire(t1).expect("first probe");
        assert_eq!(tr.map(|t| t.to), Some(State::HalfOpen));
        let (p2, _) = b.acquire(t1).expect("second probe");
        let (p3, _) = b.acquire(t1).expect("third probe");
        assert!(
            b.acquire(t1).is_err(),
            "no fourth probe while three are out"
        );
        assert_eq!(b.record(p1, false, t1), None);
        assert_eq!(b.record(p2, false, t1), None);
        assert_eq!(b.record(p3, false, t1).map(|t| t.to), Some(State::Closed));
        assert_eq!(b.state(), State::Closed);
    }

    #[test]
    fn a_failed_probe_opens_the_circuit_again() {
        let b = Breaker::new(settings());
        let t0 = Instant::now();
        for _ in 0..5 {
            call(&b, true, t0);
        }
        let t1 = t0 + Duration::from_secs(6);
        let (p, _) = b.acquire(t1).expect("probe");
        assert_eq!(b.record(p, true, t1).map(|t| t.to), Some(State::Open));
        assert_eq!(
            b.acquire(t1 + Duration::from_secs(1)).expect_err("open"),
            Duration::from_secs(4)
        );
    }

    #[test]
    fn a_disabled_breaker_never_opens() {
        let b = Breaker::new(BreakerSettings {
            enabled: false,
            ..settings()
        });
        let t0 = Instant::now();
        for _ in 0..100 {
            call(&b, true, t0);
        }
        assert_eq!(b.state(), State::Closed);
    }
}
