//! Rate limits: a token bucket (GCRA, the `governor` crate) per consumer and route, or per
//! route for everyone, kept in this replica's memory.
//!
//! ```text
//! (route, consumer | client address) ──check──> Allowed { limit, remaining, reset }
//!                                          └──> Limited { retry_after }  → 429
//! ```
//!
//! Each replica counts on its own: with N replicas a consumer gets up to N times the limit.
//! The buckets start full again when the configuration reloads. May import nothing from
//! soapbridge.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};

/// Who shares a bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitBy {
    /// Each consumer has its own bucket on each route (anonymous callers: one per client
    /// address).
    Consumer,
    /// Everyone shares one bucket per route.
    Route,
}

type Limiter =
    RateLimiter<String, DashMapStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// A compiled rate limit: `requests` per `per`, bursts up to `burst`.
pub struct RateLimit {
    pub requests: NonZeroU32,
    pub per: Duration,
    pub burst: NonZeroU32,
    pub by: LimitBy,
    limiter: Limiter,
    clock: DefaultClock,
    checks: AtomicU64,
}

impl std::fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimit")
            .field("requests", &self.requests)
            .field("per", &self.per)
            .field("burst", &self.burst)
            .field("by", &self.by)
            .finish()
    }
}

/// A call within the limit, with what the `RateLimit-*` headers say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allowed {
    /// The bucket's size: the most calls that may be made at once (`RateLimit-Limit`).
    pub limit: u32,
    /// Calls per window (`RateLimit-Policy`'s quota); below `limit` when bursts are larger.
    pub quota: u32,
    pub remaining: u32,
    /// Seconds until the bucket is full again.
    pub reset: u64,
    /// The policy window in seconds, for `RateLimit-Policy`.
    pub window: u64,
}

/// A call over the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limited {
    pub limit: u32,
    pub quota: u32,
    pub retry_after: Duration,
    pub window: u64,
}

/// How many checks between two sweeps of buckets that are full again (and so forgettable).
const SWEEP_EVERY: u64 = 4096;

impl RateLimit {
    /// `None` when `per` is zero or the rate does not fit the limiter's clock.
    pub fn new(
        requests: NonZeroU32,
        per: Duration,
        burst: NonZeroU32,
        by: LimitBy,
    ) -> Option<Self> {
        let interval = per.checked_div(requests.get())?;
        let quota = Quota::with_period(interval)?.allow_burst(burst);
        let clock = DefaultClock::default();
        let limiter: Limiter = RateLimiter::<String, DashMapStateStore<String>, DefaultClock>::new(
            quota,
            DashMapStateStore::default(),
            clock.clone(),
        )
        .with_middleware::<StateInformationMiddleware>();
        Some(Self {
            requests,
            per,
            burst,
            by,
            limiter,
            clock,
            checks: AtomicU64::new(0),
        })
    }

    /// Counts one call of `route` by `consumer` (`None`: anonymous, then `client` is the
    /// key).
    ///
    /// `route` is written into the bucket's key once (`format_args!("{} {}", method, path)`
    /// needs no string of its own).
    pub fn check(
        &self,
        route: impl std::fmt::Display,
        consumer: Option<&str>,
        client: &str,
    ) -> Result<Allowed, Limited> {
        let key = match (self.by, consumer) {
            (LimitBy::Route, _) => route.to_string(),
            (LimitBy::Consumer, Some(c)) => format!("{route}\u{0}c:{c}"),
            (LimitBy::Consumer, None) => format!("{route}\u{0}a:{client}"),
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
        }
        let window = self.per.as_secs().max(1);
        match self.limiter.check_key(&key) {
            Ok(state) => {
                let remaining = state.remaining_burst_capacity();
                let missing = self.burst.get().saturating_sub(remaining);
                let refill = state.quota().replenish_interval() * missing;
                Ok(Allowed {
                    limit: self.burst.get(),
                    quota: self.requests.get(),
                    remaining,
                    reset: ceil_secs(refill),
                    window,
                })
            }
            Err(not_until) => Err(Limited {
                limit: self.burst.get(),
                quota: self.requests.get(),
                retry_after: not_until.wait_time_from(self.clock.now()),
                window,
            }),
        }
    }
}

/// Whole seconds, rounded up.
pub fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nz(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).expect("not zero")
    }

    #[test]
    fn a_burst_passes_then_the_next_call_waits() {
        let l = RateLimit::new(nz(3), Duration::from_secs(60), nz(3), LimitBy::Consumer)
            .expect("valid");
        let remaining: Vec<u32> = (0..3)
            .map(|_| {
                l.check("GET /a", Some("billing"), "127.0.0.1")
                    .expect("within")
                    .remaining
            })
            .collect();
        assert_eq!(remaining, [2, 1, 0]);
        let over = l
            .check("GET /a", Some("billing"), "127.0.0.1")
            .expect_err("over");
        // One token every 20 s.
        assert!(
            over.retry_after > Duration::from_secs(15)
                && over.retry_after <= Duration::from_secs(20),
            "{over:?}"
        );
        // Another consumer, another route: their own buckets.
        assert!(l.check("GET /a", Some("crm"), "127.0.0.1").is_ok());
        assert!(l.check("GET /b", Some("billing"), "127.0.0.1").is_ok());
    }

    #[test]
    fn by_route_everyone_shares_one_bucket() {
        let l =
            RateLimit::new(nz(1), Duration::from_secs(60), nz(1), LimitBy::Route).expect("valid");
        assert!(l.check("GET /a", Some("billing"), "10.0.0.1").is_ok());
        assert!(l.check("GET /a", Some("crm"), "10.0.0.2").is_err());
        assert!(l.check("GET /a", None, "10.0.0.3").is_err());
    }

    #[test]
    fn anonymous_callers_are_told_apart_by_address() {
        let l = RateLimit::new(nz(1), Duration::from_secs(60), nz(1), LimitBy::Consumer)
            .expect("valid");
        assert!(l.check("GET /a", None, "10.0.0.1").is_ok());
        assert!(l.check("GET /a", None, "10.0.0.1").is_err());
        assert!(l.check("GET /a", None, "10.0.0.2").is_ok());
    }
}
