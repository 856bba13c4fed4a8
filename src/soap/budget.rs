//! One budget, for the whole process, of the answer bytes held in memory.
//!
//! ```text
//! call ──reserve(first part, waits briefly)──> Reservation ──grow as the answer is read──┐
//!        └─ budget spent: 503 over-capacity + Retry-After    grow refused: stream the rest ┘
//! ```
//!
//! Without it, concurrency times answer size decides the process's memory: 64 calls of
//! 16 MiB answers are a gigabyte. Every answer that is buffered holds a reservation for its
//! bytes; an answer that no longer fits is streamed (its memory stays at what was read
//! before it streamed), and a new call that cannot get its first part within a short wait is
//! refused. A tokio semaphore counts the budget in units of [`UNIT`] bytes, so a
//! reservation is one atomic operation and is returned when it drops.
//!
//! May import nothing of the crate (the gauge it updates is a plain prometheus gauge).

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::metrics::gauge::Gauge;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The budget's unit: reservations are rounded up to it.
pub const UNIT: usize = 4 * 1024;

/// What every answer first reserves: enough for most answers, never grown for them.
pub const FIRST_PART: usize = 64 * 1024;

/// The default budget.
pub const DEFAULT_BYTES: usize = 256 << 20;

/// How long a call waits for its first part before it is refused.
pub const DEFAULT_WAIT: Duration = Duration::from_millis(250);

/// The bytes of answers the process may hold at once.
#[derive(Clone, Debug)]
pub struct MemoryBudget {
    units: Arc<Semaphore>,
    total: usize,
    wait: Duration,
    /// Shows the bytes held, when set.
    gauge: Option<Gauge>,
}

impl Default for MemoryBudget {
    fn default() -> Self {
        Self::new(DEFAULT_BYTES, DEFAULT_WAIT)
    }
}

/// The budget could not give a call its first part in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exhausted {
    pub budget: usize,
}

impl MemoryBudget {
    /// A budget of `bytes` (at least one first part), a call waiting at most `wait`.
    pub fn new(bytes: usize, wait: Duration) -> Self {
        let units = bytes.div_ceil(UNIT).max(FIRST_PART / UNIT);
        let units = units.min(Semaphore::MAX_PERMITS);
        Self {
            units: Arc::new(Semaphore::new(units)),
            total: units * UNIT,
            wait,
            gauge: None,
        }
    }

    /// The same budget, showing the bytes held on `gauge`.
    pub fn with_gauge(mut self, gauge: Gauge) -> Self {
        self.gauge = Some(gauge);
        self
    }

    /// The budget in bytes.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Bytes reserved now.
    pub fn in_use(&self) -> usize {
        (self.total / UNIT - self.units.available_permits()) * UNIT
    }

    /// The first part of an answer, waiting at most the budget's wait.
    pub async fn reserve(&self) -> Result<Reservation, Exhausted> {
        let units = (FIRST_PART / UNIT) as u32;
        match tokio::time::timeout(self.wait, self.units.clone().acquire_many_owned(units)).await {
            Ok(Ok(permit)) => {
                let r = Reservation {
                    units: self.units.clone(),
                    permit: Some(permit),
                    gauge: self.gauge.clone(),
                };
                r.show(FIRST_PART as i64);
                Ok(r)
            }
            _ => Err(Exhausted { budget: self.total }),
        }
    }
}

/// Bytes of the budget held by one answer; returned when it drops.
#[derive(Debug)]
pub struct Reservation {
    units: Arc<Semaphore>,
    permit: Option<OwnedSemaphorePermit>,
    gauge: Option<Gauge>,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.show(-(self.bytes() as i64));
    }
}

impl Reservation {
    fn show(&self, delta: i64) {
        if let Some(g) = &self.gauge {
            g.inc_by(delta);
        }
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.permit.as_ref().map_or(0, |p| p.num_permits() * UNIT)
    }

    /// Holds at least `bytes` (doubling, so a growing answer asks rarely), without waiting;
    /// `false` when the budget has not that much left.
    pub fn try_grow(&mut self, bytes: usize) -> bool {
        let held = self.bytes();
        if bytes <= held {
            return true;
        }
        let want = bytes.max(held * 2).div_ceil(UNIT) - held / UNIT;
        let Ok(want) = u32::try_from(want) else {
            return false;
        };
        match self.units.clone().try_acquire_many_owned(want) {
            Ok(more) => {
                self.show((more.num_permits() * UNIT) as i64);
                match &mut self.permit {
                    Some(p) => p.merge(more),
                    None => self.permit = Some(more),
                }
                true
            }
            Err(_) => false,
        }
    }

    /// A reservation of nothing (for answers read outside a budget: tests, tools).
    pub fn none() -> Self {
        Self {
            units: Arc::new(Semaphore::new(0)),
            permit: None,
            gauge: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reservations_come_back_when_dropped() {
        let b = MemoryBudget::new(256 * 1024, Duration::from_millis(20));
        let mut r = b.reserve().await.expect("first part");
        assert_eq!(b.in_use(), FIRST_PART);
        assert!(r.try_grow(192 * 1024));
        assert_eq!(r.bytes(), 192 * 1024);
        assert!(!r.try_grow(300 * 1024), "over the budget");
        // Only one first part is left: a second call gets it, a third waits and is refused.
        let second = b.reserve().await.expect("the rest");
        assert_eq!(b.reserve().await.expect_err("spent").budget, 256 * 1024);
        assert_eq!(b.in_use(), 256 * 1024);
        drop(second);
        drop(r);
        assert_eq!(b.in_use(), 0);
    }
}
