//! HTTPS for the listener: the rustls server config, certificates that rotate on disk, and the
//! caller's identity from mutual TLS.
//!
//! ```text
//! TlsSettings ──TlsListener::new──> checked PEM files (errors name the file and the fault)
//!   .server_config() ──> HttpServer::bind_rustls_0_23   TLS 1.3 + 1.2, ALPN h2 then http/1.1
//!        cert resolver ── ArcSwap<CertifiedKey> <── .watch(): polls both files' stamps
//!        client verifier (client_ca): WebPkiClientVerifier, required or optional
//!   .on_connect(store_client_cert) ──> client_cert(&req) -> Option<&ClientCert>
//! ```
//!
//! Rotation follows cert-manager and Kubernetes secret volumes: the certificate and key files
//! are rewritten (or the symlinks behind them swapped) while the listener serves. Every
//! `reload_every` the watch task compares each file's resolved path, modification time and
//! length with what it last read; on a change it loads the pair, and only a complete, matching
//! pair replaces the one in use. Handshakes under way keep the pair they started with. The
//! client CA bundle is read once, at start.
//!
//! May import `tls`.

mod identity;
mod load;
mod resolver;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rustls::server::WebPkiClientVerifier;

pub use identity::{ClientCert, client_cert, peer_client_cert, store_client_cert};
use resolver::{Resolver, Shared};

/// How often [`TlsListener::watch`] looks at the certificate files unless told otherwise.
pub const DEFAULT_RELOAD_EVERY: Duration = Duration::from_secs(10);

/// Whether clients must present a certificate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClientAuth {
    /// No client certificate is asked for.
    #[default]
    None,
    /// A client may present a certificate; if it does, the certificate must chain to the
    /// client CA bundle. Clients without one are served, with no identity.
    Optional,
    /// Every client must present a certificate chaining to the client CA bundle.
    Require,
}

/// Where the listener's certificate and key are, and how clients are authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsSettings {
    /// PEM certificate chain: the server's certificate first, then its intermediates.
    pub cert_chain: PathBuf,
    /// PEM private key of the first certificate: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), unencrypted.
    pub key: PathBuf,
    /// PEM bundle of the CAs that client certificates must chain to (mutual TLS).
    pub client_ca: Option<PathBuf>,
    /// Whether a client certificate is asked for; `Optional` and `Require` need `client_ca`.
    pub client_auth: ClientAuth,
    /// How often the certificate and key files are checked for changes; zero turns it off.
    pub reload_every: Duration,
}

impl TlsSettings {
    /// Settings for a certificate and key, without client certificates, checked every 10 s.
    pub fn new(cert_chain: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        Self {
            cert_chain: cert_chain.into(),
            key: key.into(),
            client_ca: None,
            client_auth: ClientAuth::None,
            reload_every: DEFAULT_RELOAD_EVERY,
        }
    }
}

/// What the listener serves now, and how its reloads went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsStatus {
    /// The serving certificate's serial number, lowercase hex bytes separated by `:`.
    pub serial: String,
    /// The serving certificate's subject.
    pub subject: String,
    /// When the serving certificate expires, seconds since the Unix epoch.
    pub not_after_unix: i64,
    /// How many times a changed pair was loaded and put in service.
    pub reloads: u64,
    /// How many times changed files could not be used (the previous pair kept serving).
    pub failed_reloads: u64,
    /// Why the last attempt failed, until a later one succeeds.
    pub last_error: Option<String>,
}

/// A checked TLS set-up for the listener. Cheap to keep; the config it makes shares its
/// certificate, so one [`watch`](Self::watch) serves every worker.
pub struct TlsListener {
    shared: Arc<Shared>,
    config: rustls::ServerConfig,
    reload_every: Duration,
}

impl TlsListener {
    /// Reads and checks the files: the certificate chain, its key (which must match the first
    /// certificate) and, with client authentication, the client CA bundle.
    pub fn new(settings: &TlsSettings) -> Result<Self, String> {
        crate::tls::install_crypto_provider();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let shared = Arc::new(Shared::load(
            settings.cert_chain.clone(),
            settings.key.clone(),
            provider.clone(),
        )?);
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| format!("the TLS provider cannot do TLS 1.2 and 1.3: {e}"))?;
        let builder = match (&settings.client_ca, settings.client_auth) {
            (None, ClientAuth::None) => builder.with_no_client_auth(),
            (Some(ca), ClientAuth::None) => {
                return Err(format!(
                    "a client CA bundle ({}) is set but client authentication is off: set it to \
                     `optional` or `require`, or drop the client CA",
                    ca.display()
                ));
            }
            (None, auth) => {
                return Err(format!(
                    "client authentication `{}` needs a client CA bundle (the PEM file of the \
                     CAs that client certificates must chain to)",
                    if auth == ClientAuth::Require {
                        "require"
                    } else {
                        "optional"
                    }
                ));
            }
            (Some(ca), auth) => {
                let roots = load::load_client_ca(ca)?;
                let verifier =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone());
                let verifier = if auth == ClientAuth::Optional {
                    verifier.allow_unauthenticated()
                } else {
                    verifier
                };
                let verifier = verifier.build().map_err(|e| {
                    format!(
                        "the client CA bundle {} cannot verify clients: {e}",
                        ca.display()
                    )
                })?;
                builder.with_client_cert_verifier(verifier)
            }
        };
        let mut config = builder.with_cert_resolver(Arc::new(Resolver(shared.clone())));
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Self {
            shared,
            config,
            reload_every: settings.reload_every,
        })
    }

    /// The rustls config for `HttpServer::bind_rustls_0_23`. Every copy serves the current
    /// certificate, reloaded or not. (actix-web puts its own `h2`, `http/1.1` in front of the
    /// ALPN list; the duplicates change nothing.)
    pub fn server_config(&self) -> rustls::ServerConfig {
        self.config.clone()
    }

    /// Starts polling the certificate and key files every `reload_every`, on the current tokio
    /// runtime (call it inside the actix system). Calling it again does nothing; the task stops
    /// when this listener and every config made from it are gone.
    pub fn watch(&self) -> Result<(), String> {
        resolver::watch(&self.shared, self.reload_every)
    }

    /// Checks the files once now (for a reload on SIGHUP, say): `Ok(true)` if a new pair now
    /// serves, `Ok(false)` if nothing changed, `Err` if the changed files cannot be used, in
    /// which case the previous pair keeps serving. Reads files: blocking.
    pub fn reload_if_changed(&self) -> Result<bool, String> {
        self.shared.reload_if_changed()
    }

    /// The certificate in service and the count of reloads.
    pub fn status(&self) -> TlsStatus {
        self.shared.status()
    }
}

impl fmt::Debug for TlsListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsListener")
            .field("certificate", &self.shared)
            .field("reload_every", &self.reload_every)
            .finish_non_exhaustive()
    }
}
