//! `tls:` and `proxy:` on a backend: a private CA, a client certificate for backends that
//! demand mutual TLS, the loud test-only switch that turns verification off, and an
//! explicit proxy. The files are read and parsed here, so `check` reports a bad PEM with its
//! place, and a request never meets one.
//!
//! May import: `mapping::{diag, raw}`, `soap::client`; the compiler's own helpers.

use std::path::Path;

use super::{Compiler, loc};
use crate::mapping::diag::Diagnostic;
use crate::mapping::raw::{RawBackendTls, RawProxy};
use crate::soap::client::{BackendTls, ProxySettings};

impl Compiler<'_> {
    pub(super) fn backend_tls(&mut self, file: &Path, raw: Option<&RawBackendTls>) -> BackendTls {
        let Some(raw) = raw else {
            return BackendTls::default();
        };
        let dir = file.parent().unwrap_or(Path::new(""));
        let read = |c: &mut Self, s: &serde_saphyr::Spanned<String>, what: &str| {
            let value = c.expand_text(file, s)?;
            let path = dir.join(&value);
            match std::fs::read(&path) {
                Ok(bytes) if bytes.windows(11).any(|w| w == b"-----BEGIN ") => Some(bytes),
                Ok(_) => {
                    c.diags.push(
                        Diagnostic::new(file, loc(s), format!("the {what} {} holds no PEM block", path.display()))
                            .hint("give a PEM file (`-----BEGIN CERTIFICATE-----` ...); convert DER with `openssl x509 -inform der`"),
                    );
                    None
                }
                Err(e) => {
                    c.diags.push(
                        Diagnostic::new(
                            file,
                            loc(s),
                            format!("cannot read the {what} {}: {e}", path.display()),
                        )
                        .hint("paths are relative to the mapping file"),
                    );
                    None
                }
            }
        };
        let ca_pem = raw.ca.as_ref().and_then(|s| {
            let pem = read(self, s, "CA bundle")?;
            match reqwest::Certificate::from_pem_bundle(&pem) {
                Ok(certs) if !certs.is_empty() => Some(pem),
                _ => {
                    self.diags.push(Diagnostic::new(
                        file,
                        loc(s),
                        "the CA bundle holds no usable certificate",
                    ));
                    None
                }
            }
        });
        let client_identity_pem = match (&raw.client_cert, &raw.client_key) {
            (None, None) => None,
            (Some(c), Some(k)) => {
                let cert = read(self, c, "client certificate");
                let key = read(self, k, "client key");
                match (cert, key) {
                    (Some(mut cert), Some(key)) => {
                        cert.push(b'\n');
                        cert.extend_from_slice(&key);
                        match reqwest::Identity::from_pem(&cert) {
                            Ok(_) => Some(cert),
                            Err(_) => {
                                self.diags.push(
                                    Diagnostic::new(file, loc(k), "the client certificate and key do not make a usable pair")
                                        .hint("the key must be PEM (PKCS#8, PKCS#1 or SEC1) and match the certificate"),
                                );
                                None
                            }
                        }
                    }
                    _ => None,
                }
            }
            (Some(s), None) | (None, Some(s)) => {
                self.diags.push(
                    Diagnostic::new(file, loc(s), "`client_cert` and `client_key` go together")
                        .hint("give both: the PEM certificate chain and its private key"),
                );
                None
            }
        };
        if raw.add_system_roots.is_some() && raw.ca.is_none() {
            self.diags.push(
                Diagnostic::new(file, None, "`add_system_roots` needs `ca`")
                    .hint("without `ca` the system's roots are used anyway"),
            );
        }
        let insecure_skip_verify = raw.insecure_skip_verify.as_ref().is_some_and(|s| s.value);
        BackendTls {
            ca_pem,
            add_system_roots: raw.add_system_roots.unwrap_or(false),
            client_identity_pem,
            insecure_skip_verify,
        }
    }

    pub(super) fn proxy(&mut self, file: &Path, raw: Option<&RawProxy>) -> Option<ProxySettings> {
        let raw = raw?;
        let text = self.expand_text(file, &raw.url)?;
        match url::Url::parse(&text) {
            Ok(url) if matches!(url.scheme(), "http" | "https" | "socks5" | "socks5h") => {
                Some(ProxySettings {
                    url,
                    no_proxy: raw.no_proxy.clone(),
                })
            }
            _ => {
                self.diags.push(
                    Diagnostic::new(file, loc(&raw.url), "the proxy is not an http(s) URL").hint(
                        "write `http://proxy.internal:3128`; credentials can come from `${VAR}`",
                    ),
                );
                None
            }
        }
    }
}
