//! The certificate the listener serves, swapped whole when its files change on disk.
//!
//! ```text
//! every `reload_every`: stamp(cert) + stamp(key) changed? ──no──> nothing
//!                          │ yes
//!                          load_pair ──ok──> ArcSwap::store (next handshake uses it)
//!                              └──err──> logged, counted; the previous pair keeps serving
//! ```
//!
//! A pair that fails (say, the certificate was written and the key not yet) is tried again as
//! soon as either file changes once more.
//!
//! May import nothing from soapbridge.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use arc_swap::ArcSwap;
use rustls::crypto::CryptoProvider;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use super::TlsStatus;
use super::load::{Pair, Stamp, load_pair, stamp};

/// What the resolver, the watch task and the listener share.
pub(super) struct Shared {
    cert_path: PathBuf,
    key_path: PathBuf,
    provider: Arc<CryptoProvider>,
    current: ArcSwap<CertifiedKey>,
    /// The files' stamps when they were last read, good or bad.
    stamps: Mutex<(Stamp, Stamp)>,
    status: Mutex<TlsStatus>,
    watching: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The guarded data stays consistent even if a holder panicked, so poisoning is ignored.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// Loads the pair for the first time; an error here stops the start-up.
    pub(super) fn load(
        cert_path: PathBuf,
        key_path: PathBuf,
        provider: Arc<CryptoProvider>,
    ) -> Result<Self, String> {
        let stamps = (stamp(&cert_path), stamp(&key_path));
        let pair = load_pair(&cert_path, &key_path, &provider)?;
        warn_if_expired(&cert_path, &pair.serial, pair.not_after);
        let status = TlsStatus {
            serial: pair.serial,
            subject: pair.subject,
            not_after_unix: pair.not_after,
            reloads: 0,
            failed_reloads: 0,
            last_error: None,
        };
        Ok(Self {
            cert_path,
            key_path,
            provider,
            current: ArcSwap::from_pointee(pair.key),
            stamps: Mutex::new(stamps),
            status: Mutex::new(status),
            watching: AtomicBool::new(false),
        })
    }

    pub(super) fn status(&self) -> TlsStatus {
        lock(&self.status).clone()
    }

    /// Reads the pair again if either file changed since it was last read. `Ok(true)`: a new
    /// pair now serves; `Ok(false)`: nothing changed; `Err`: the new files are unusable and the
    /// previous pair keeps serving.
    pub(super) fn reload_if_changed(&self) -> Result<bool, String> {
        // Held to the end: two checks at once (the watch task and a SIGHUP) take turns, so an
        // older pair can never be stored after a newer one.
        let mut last = lock(&self.stamps);
        let now = (stamp(&self.cert_path), stamp(&self.key_path));
        if *last == now {
            return Ok(false);
        }
        *last = now;
        match load_pair(&self.cert_path, &self.key_path, &self.provider) {
            Ok(Pair {
                key,
                serial,
                subject,
                not_after,
            }) => {
                warn_if_expired(&self.cert_path, &serial, not_after);
                tracing::info!(
                    cert = %self.cert_path.display(),
                    %serial,
                    %subject,
                    not_after_unix = not_after,
                    "TLS certificate reloaded; new connections use it."
                );
                // Under the status lock, so that status and the served pair change together.
                let mut status = lock(&self.status);
                self.current.store(Arc::new(key));
                status.serial = serial;
                status.subject = subject;
                status.not_after_unix = not_after;
                status.reloads += 1;
                status.last_error = None;
                Ok(true)
            }
            Err(error) => {
                tracing::warn!(
                    cert = %self.cert_path.display(),
                    key = %self.key_path.display(),
                    %error,
                    "TLS certificate files changed but cannot be used; still serving the previous certificate."
                );
                let mut status = lock(&self.status);
                status.failed_reloads += 1;
                status.last_error = Some(error.clone());
                Err(error)
            }
        }
    }
}

/// An expired certificate still loads (a rotation may be on its way) but clients will refuse
/// it, so the log says so.
fn warn_if_expired(cert_path: &Path, serial: &str, not_after: i64) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    if not_after < now {
        tracing::warn!(
            cert = %cert_path.display(),
            %serial,
            not_after_unix = not_after,
            "The TLS certificate has expired; clients will refuse it until it is renewed."
        );
    }
}

impl fmt::Debug for Shared {
    // By hand: the certified key holds the private key, which stays out of Debug output.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsCertificate")
            .field("cert_path", &self.cert_path)
            .field("key_path", &self.key_path)
            .field("serial", &lock(&self.status).serial)
            .finish_non_exhaustive()
    }
}

/// The rustls certificate resolver: every handshake takes the pair that is current.
#[derive(Debug)]
pub(super) struct Resolver(pub(super) Arc<Shared>);

impl ResolvesServerCert for Resolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.current.load_full())
    }
}

/// Starts the polling task on the current tokio runtime, once per listener. The task ends by
/// itself when the listener and every server config made from it are dropped.
pub(super) fn watch(shared: &Arc<Shared>, every: Duration) -> Result<(), String> {
    if every.is_zero() {
        return Ok(());
    }
    let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
        "watching the TLS certificate files needs a running tokio runtime: call \
         TlsListener::watch inside the actix system (or another tokio runtime)"
            .to_owned()
    })?;
    if shared.watching.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    let weak: Weak<Shared> = Arc::downgrade(shared);
    runtime.spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await; // the first tick is immediate; the files were just read
        loop {
            tick.tick().await;
            let Some(shared) = weak.upgrade() else { break };
            // Reading files blocks; keep it off the thread that serves connections.
            let polled = tokio::task::spawn_blocking(move || shared.reload_if_changed()).await;
            if let Err(e) = polled {
                tracing::warn!(error = %e, "TLS certificate reload check did not finish.");
            }
        }
    });
    Ok(())
}
