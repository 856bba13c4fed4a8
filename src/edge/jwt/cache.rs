//! Tokens already verified, so that a repeated token costs one SHA-256 and one lookup.
//!
//! Keyed by the SHA-256 of the token (the token itself is never kept), bounded in size
//! (quick_cache evicts the least useful entries), and an entry is void once the token's
//! `exp` passes or the key set it was verified with is replaced.
//!
//! May import nothing from soapbridge.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use super::Verified;

/// The SHA-256 of a token.
pub(crate) type TokenDigest = [u8; 32];

pub(crate) fn digest(token: &str) -> TokenDigest {
    Sha256::digest(token.as_bytes()).into()
}

struct Entry {
    verified: Verified,
    until: SystemTime,
    generation: u64,
}

/// A bounded map from token digest to verification result.
pub(crate) struct TokenCache {
    entries: Option<quick_cache::sync::Cache<TokenDigest, Arc<Entry>>>,
    /// How long a token without `exp` stays cached.
    untimed: Duration,
}

impl TokenCache {
    /// A cache of at most `capacity` tokens (none when 0).
    pub(crate) fn new(capacity: usize, untimed: Duration) -> Self {
        Self {
            entries: (capacity > 0).then(|| quick_cache::sync::Cache::new(capacity)),
            untimed,
        }
    }

    /// The cached result for a token, if it is still good at `now` under key set
    /// `generation`.
    pub(crate) fn get(
        &self,
        key: &TokenDigest,
        now: SystemTime,
        generation: u64,
    ) -> Option<Verified> {
        let entries = self.entries.as_ref()?;
        let entry = entries.get(key)?;
        if entry.generation == generation && now < entry.until {
            return Some(entry.verified.clone());
        }
        entries.remove(key);
        None
    }

    /// Remembers a verified token until its `exp`.
    pub(crate) fn insert(
        &self,
        key: TokenDigest,
        verified: &Verified,
        now: SystemTime,
        generation: u64,
    ) {
        let Some(entries) = &self.entries else {
            return;
        };
        let Some(until) = verified.expires.or_else(|| now.checked_add(self.untimed)) else {
            return;
        };
        if until <= now {
            return;
        }
        entries.insert(
            key,
            Arc::new(Entry {
                verified: verified.clone(),
                until,
                generation,
            }),
        );
    }

    /// How many tokens are cached now.
    pub(crate) fn len(&self) -> usize {
        self.entries.as_ref().map_or(0, |e| e.len())
    }
}
