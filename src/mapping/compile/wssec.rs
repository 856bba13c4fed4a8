//! `ws_security:` on a backend: a UsernameToken, an X.509 signature on every request, and
//! the check of signed answers. Keys, certificates and trust stores are read and checked
//! here, so a wrong password, a key that does not fit its certificate or an empty CA file
//! is a start-up error at its key, never a request that fails.
//!
//! May import: `mapping::{diag, raw}`, `soap::{security, signature}`, `wsdl`; the
//! compiler's own helpers.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_saphyr::Spanned;

use super::{Compiler, loc};
use crate::mapping::diag::Diagnostic;
use crate::mapping::raw::{RawSignature, RawVerify, RawWsSecurity};
use crate::soap::security::WsSecurity;
use crate::soap::signature::{
    Algorithm, DEFAULT_CLOCK_SKEW, KeyError, KeySource, SignatureConfig, SignatureSettings,
    TokenReference, TrustStore, VerifySettings,
};
use crate::wsdl::WsaVersion;

/// What `ws_security:` compiles to.
#[derive(Default)]
pub(super) struct Security {
    pub username_token: Option<WsSecurity>,
    pub signature: Option<SignatureSettings>,
    pub verify: Option<VerifySettings>,
}

impl Compiler<'_> {
    pub(super) fn ws_security(
        &mut self,
        file: &Path,
        raw: Option<&RawWsSecurity>,
        addressing: Option<WsaVersion>,
    ) -> Security {
        let Some(raw) = raw else {
            return Security::default();
        };
        Security {
            username_token: self.username_token(file, raw),
            signature: raw
                .signature
                .as_ref()
                .and_then(|s| self.signature(file, s, addressing)),
            verify: raw.verify.as_ref().and_then(|v| self.verify(file, v)),
        }
    }

    fn username_token(&mut self, file: &Path, s: &RawWsSecurity) -> Option<WsSecurity> {
        let digest = match s.password_type.as_ref().map(|p| (p, p.value.as_str())) {
            None | Some((_, "text")) => false,
            Some((_, "digest")) => true,
            Some((p, other)) => {
                self.diags.push(
                    Diagnostic::new(
                        file,
                        loc(p),
                        format!("password_type `{other}` is not known"),
                    )
                    .hint("use `text` or `digest`"),
                );
                false
            }
        };
        let (u, p) = match (&s.username, &s.password) {
            (Some(u), Some(p)) => (u, p),
            (None, None) => {
                if s.signature.is_none() && s.verify.is_none() {
                    self.diags.push(
                        Diagnostic::new(file, None, "`ws_security` says nothing to do")
                            .hint("give `username` and `password` (a UsernameToken), `signature`, or `verify`"),
                    );
                }
                return None;
            }
            (Some(one), None) | (None, Some(one)) => {
                self.diags.push(
                    Diagnostic::new(
                        file,
                        loc(one),
                        "a UsernameToken needs both `username` and `password`",
                    )
                    .hint("give both, or neither when the backend only wants a signature"),
                );
                return None;
            }
        };
        let username = self.expand_text(file, u);
        let password = self.expand_text(file, p);
        username
            .zip(password)
            .map(|(username, password)| WsSecurity {
                username,
                password,
                digest,
                timestamp: s.timestamp.unwrap_or(true),
            })
    }

    /// A path relative to the mapping file, `${VAR}` expanded.
    fn file_path(&mut self, file: &Path, s: &Spanned<String>) -> Option<PathBuf> {
        let value = self.expand_text(file, s)?;
        Some(file.parent().unwrap_or(Path::new("")).join(value))
    }

    fn signature(
        &mut self,
        file: &Path,
        spanned: &Spanned<RawSignature>,
        addressing: Option<WsaVersion>,
    ) -> Option<SignatureSettings> {
        let raw = &spanned.value;
        let keys = self.key_source(file, spanned)?;
        let algorithm = raw.algorithm.as_ref().and_then(|a| {
            let alg = match a.value.trim().to_ascii_lowercase().as_str() {
                "rsa-sha256" => Some(Algorithm::RsaSha256),
                "ecdsa-sha256" => Some(Algorithm::EcdsaSha256),
                "rsa-sha1" => Some(Algorithm::RsaSha1),
                _ => None,
            };
            if alg.is_none() {
                self.diags.push(
                    Diagnostic::new(
                        file,
                        loc(a),
                        format!("algorithm `{}` is not known", a.value),
                    )
                    .hint("use `rsa-sha256`, `ecdsa-sha256`, or `rsa-sha1` for old backends only"),
                );
            }
            alg
        });
        let token_reference = match raw.key_reference.as_ref() {
            None => TokenReference::BinarySecurityToken,
            Some(r) => match r.value.trim() {
                "binary-security-token" => TokenReference::BinarySecurityToken,
                "issuer-serial" => TokenReference::IssuerSerial,
                "subject-key-identifier" => TokenReference::SubjectKeyIdentifier,
                other => {
                    self.diags.push(
                        Diagnostic::new(file, loc(r), format!("key_reference `{other}` is not known"))
                            .hint("use `binary-security-token`, `issuer-serial` or `subject-key-identifier`"),
                    );
                    TokenReference::BinarySecurityToken
                }
            },
        };
        let sign_headers = raw
            .sign_headers
            .iter()
            .flatten()
            .filter_map(|h| self.header_name(file, h, addressing))
            .collect();
        let timestamp_ttl = raw
            .timestamp_ttl
            .as_ref()
            .map(|_| self.duration(file, &raw.timestamp_ttl, Duration::from_secs(300)));
        let inclusive_prefixes = raw
            .inclusive_namespaces
            .as_ref()
            .map(|list| list.iter().map(|p| p.value.trim().to_owned()).collect());
        let config = SignatureConfig {
            keys,
            algorithm,
            token_reference,
            sign_headers,
            timestamp_ttl,
            inclusive_prefixes,
        };
        let at = raw
            .key
            .as_ref()
            .or(raw.pkcs12.as_ref())
            .map_or_else(|| loc(spanned), loc);
        let settings = match config.load() {
            Ok(s) => s,
            Err(e) => {
                let d = match e {
                    KeyError::AlgorithmMismatch { .. } => Diagnostic::new(
                        file,
                        raw.algorithm.as_ref().and_then(loc),
                        format!("the algorithm does not fit the key: {e}"),
                    )
                    .hint("RSA keys sign with `rsa-sha256` (or `rsa-sha1`), EC P-256 keys with `ecdsa-sha256`"),
                    KeyError::NoSubjectKeyIdentifier => Diagnostic::new(
                        file,
                        raw.key_reference.as_ref().and_then(loc),
                        e.to_string(),
                    )
                    .hint("use `binary-security-token` or `issuer-serial`, or a certificate with the extension"),
                    _ => Diagnostic::new(file, at, format!("the signing key cannot be used: {e}"))
                        .hint("paths are relative to the mapping file; the key must match the certificate"),
                };
                self.diags.push(d);
                return None;
            }
        };
        if settings.algorithm == Algorithm::RsaSha1 {
            tracing::warn!(
                file = %file.display(),
                "Requests are signed with RSA-SHA1, a legacy algorithm: use it only for a backend that accepts nothing else."
            );
        }
        Some(settings)
    }

    /// `key` + `certificate`, or `pkcs12` with `password` / `password_file`.
    fn key_source(&mut self, file: &Path, spanned: &Spanned<RawSignature>) -> Option<KeySource> {
        let raw = &spanned.value;
        match (&raw.key, &raw.certificate, &raw.pkcs12) {
            (Some(k), Some(c), None) => Some(KeySource::Pem {
                key: self.file_path(file, k)?,
                certificate: self.file_path(file, c)?,
            }),
            (None, None, Some(p)) => {
                let path = self.file_path(file, p)?;
                let password = match (&raw.password, &raw.password_file) {
                    (Some(pw), None) => self.expand_text(file, pw)?,
                    (None, Some(f)) => {
                        let path = self.file_path(file, f)?;
                        match std::fs::read_to_string(&path) {
                            Ok(text) => text.trim_end_matches(['\n', '\r']).to_owned(),
                            Err(e) => {
                                self.diags.push(Diagnostic::new(
                                    file,
                                    loc(f),
                                    format!(
                                        "cannot read the password file {}: {e}",
                                        path.display()
                                    ),
                                ));
                                return None;
                            }
                        }
                    }
                    (None, None) => String::new(),
                    (Some(pw), Some(_)) => {
                        self.diags.push(
                            Diagnostic::new(
                                file,
                                loc(pw),
                                "both `password` and `password_file` are given",
                            )
                            .hint("give one"),
                        );
                        return None;
                    }
                };
                Some(KeySource::Pkcs12 { path, password })
            }
            _ => {
                self.diags.push(
                    Diagnostic::new(file, loc(spanned), "the signature's key is not given the way it can be read")
                        .hint("give `key` and `certificate` (PEM files), or `pkcs12` (with `password` or `password_file`)"),
                );
                None
            }
        }
    }

    /// `{namespace}local`, or a WS-Addressing header by `wsa:` name.
    fn header_name(
        &mut self,
        file: &Path,
        s: &Spanned<String>,
        addressing: Option<WsaVersion>,
    ) -> Option<(String, String)> {
        let text = s.value.trim();
        if let Some(rest) = text.strip_prefix('{')
            && let Some((ns, local)) = rest.split_once('}')
            && !ns.is_empty()
            && !local.is_empty()
        {
            return Some((ns.to_owned(), local.to_owned()));
        }
        if let Some(local) = text.strip_prefix("wsa:") {
            const WSA: [&str; 6] = ["Action", "MessageID", "To", "ReplyTo", "From", "RelatesTo"];
            let Some(v) = addressing else {
                self.diags.push(
                    Diagnostic::new(
                        file,
                        loc(s),
                        format!("`{text}` is signed but requests carry no WS-Addressing headers"),
                    )
                    .hint("set `addressing: on`, or name the header as `{namespace}local`"),
                );
                return None;
            };
            if WSA.contains(&local) {
                return Some((v.ns().to_owned(), local.to_owned()));
            }
        }
        self.diags.push(
            Diagnostic::new(file, loc(s), format!("`{text}` does not name a header block"))
                .hint("write `{namespace}local`, e.g. `{urn:example:tx}TxId`, or `wsa:Action`, `wsa:To`, `wsa:MessageID`, `wsa:ReplyTo`"),
        );
        None
    }

    fn verify(&mut self, file: &Path, spanned: &Spanned<RawVerify>) -> Option<VerifySettings> {
        let raw = &spanned.value;
        let path = self.file_path(file, &raw.trust)?;
        let pem = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                self.diags.push(
                    Diagnostic::new(
                        file,
                        loc(&raw.trust),
                        format!("cannot read the trust store {}: {e}", path.display()),
                    )
                    .hint("paths are relative to the mapping file"),
                );
                return None;
            }
        };
        let trust = match TrustStore::from_pem(&pem) {
            Ok(t) => t,
            Err(e) => {
                self.diags.push(
                    Diagnostic::new(file, loc(&raw.trust), format!("the trust store {}: {e}", path.display()))
                        .hint("give the PEM certificates of the CAs that issue the backend's signing certificate"),
                );
                return None;
            }
        };
        Some(VerifySettings {
            trust,
            max_clock_skew: self.duration(file, &raw.clock_skew, DEFAULT_CLOCK_SKEW),
        })
    }
}
