//! The backend's `circuit_breaker:` and `retry:` blocks: thresholds and budgets, checked
//! and filled with defaults (`soap::client::{BreakerSettings, RetrySettings}`).
//!
//! May import `soap::client` (the settings types) and the compiler's own helpers.

use std::path::Path;
use std::time::Duration;

use serde_saphyr::Spanned;

use super::super::diag::Diagnostic;
use super::super::raw::{RawCircuitBreaker, RawRetry};
use super::{Compiler, loc};
use crate::soap::client::{BreakerSettings, RetrySettings};

impl Compiler<'_> {
    pub(super) fn breaker_settings(
        &mut self,
        file: &Path,
        raw: Option<&RawCircuitBreaker>,
    ) -> BreakerSettings {
        let d = BreakerSettings::default();
        let Some(r) = raw else { return d };
        let failure_rate = match &r.failure_rate {
            Some(f) if !(f.value > 0.0 && f.value <= 1.0) => {
                self.diags.push(
                    Diagnostic::new(
                        file,
                        loc(f),
                        format!("failure_rate `{}` is not a share of calls", f.value),
                    )
                    .hint("write a number above 0 and at most 1, such as `0.5` for half the calls"),
                );
                d.failure_rate
            }
            Some(f) => f.value,
            None => d.failure_rate,
        };
        BreakerSettings {
            enabled: r.enabled.unwrap_or(d.enabled),
            consecutive_failures: self.at_least_one(
                file,
                &r.consecutive_failures,
                "consecutive_failures",
                d.consecutive_failures,
            ),
            failure_rate,
            min_calls: self.at_least_one(file, &r.min_calls, "min_calls", d.min_calls),
            window: self.duration_within(file, &r.window, d.window, "window"),
            open_for: self.duration(file, &r.open_for, d.open_for),
            probes: self.at_least_one(file, &r.probes, "probes", d.probes),
        }
    }

    pub(super) fn retry_settings(&mut self, file: &Path, raw: Option<&RawRetry>) -> RetrySettings {
        let d = RetrySettings::default();
        let Some(r) = raw else { return d };
        let budget_ratio = match &r.budget_ratio {
            Some(f) if !(0.0..=10.0).contains(&f.value) => {
                self.diags.push(
                    Diagnostic::new(
                        file,
                        loc(f),
                        format!("budget_ratio `{}` is out of range", f.value),
                    )
                    .hint("retries as a share of calls: between 0 and 10, such as `0.2`"),
                );
                d.budget_ratio
            }
            Some(f) => f.value,
            None => d.budget_ratio,
        };
        let backoff = self.duration(file, &r.backoff, d.backoff);
        let max_backoff = self.duration(file, &r.max_backoff, d.max_backoff.max(backoff));
        RetrySettings {
            backoff,
            max_backoff,
            budget_ratio,
            budget_min_per_second: r
                .budget_min_per_second
                .as_ref()
                .map_or(d.budget_min_per_second, |v| v.value),
            budget_window: self.duration_within(
                file,
                &r.budget_window,
                d.budget_window,
                "budget_window",
            ),
        }
    }

    fn at_least_one(
        &mut self,
        file: &Path,
        v: &Option<Spanned<u32>>,
        key: &str,
        default: u32,
    ) -> u32 {
        match v {
            Some(n) if n.value == 0 => {
                self.diags.push(
                    Diagnostic::new(file, loc(n), format!("`{key}` must be at least 1"))
                        .hint("to switch the breaker off, write `enabled: false`"),
                );
                default
            }
            Some(n) => n.value,
            None => default,
        }
    }

    /// A duration between 1 s and 60 s (the rolling windows count whole seconds).
    fn duration_within(
        &mut self,
        file: &Path,
        s: &Option<Spanned<String>>,
        default: Duration,
        key: &str,
    ) -> Duration {
        let d = self.duration(file, s, default);
        if let Some(s) = s
            && !(Duration::from_secs(1)..=Duration::from_secs(60)).contains(&d)
        {
            self.diags.push(
                Diagnostic::new(file, loc(s), format!("`{key}` must be between 1s and 60s"))
                    .hint("the window counts whole seconds, up to a minute"),
            );
            return default;
        }
        d
    }
}
