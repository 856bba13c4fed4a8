//! The gateway configuration: what is not per backend (the listener's TLS, authentication
//! providers and policies), in the same strict, located style as mapping files.
//!
//! ```text
//! soapbridge.yaml ──raw (serde, positions)──> check + compile ──> Gateway { policies }
//!                                               every problem a Diagnostic (file:line:col)
//! ```
//!
//! Mappings name policies (`auth:` on a backend or a route); the mapping compiler checks
//! those names against [`Gateway::policy_names`]. Secrets are read here (from the
//! environment or files) and kept only as hashes. May import `edge`, `telemetry`,
//! `mapping::diag`.

pub mod raw;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use crate::edge::apikey::{self, ApiKeys, KeyLocation, StoredKey};
use crate::edge::{Policy, Provider};
use crate::mapping::diag::{Diagnostic, hint_for, loc, strip_location_prefix};
use raw::{RawApiKey, RawConfig, RawProvider};

/// The compiled gateway configuration.
#[derive(Debug, Default)]
pub struct Gateway {
    pub policies: BTreeMap<String, Arc<Policy>>,
    /// The policy of routes that name none.
    pub default_policy: Option<String>,
    /// TLS on the listener (files checked to exist; the listener reads them).
    pub tls: Option<ListenerTls>,
    /// Traces (the logging set-up reads them first, with [`telemetry_settings`]).
    pub telemetry: crate::telemetry::Settings,
}

/// The listener's TLS, as configured (the REST face builds its rustls config from it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenerTls {
    pub cert: std::path::PathBuf,
    pub key: std::path::PathBuf,
    pub client_ca: Option<std::path::PathBuf>,
    /// Client certificates: `None` without `client_ca`.
    pub client_auth: ClientAuthMode,
    pub reload_every: std::time::Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuthMode {
    None,
    Optional,
    Require,
}

impl Gateway {
    pub fn policy_names(&self) -> BTreeSet<String> {
        self.policies.keys().cloned().collect()
    }
}

/// Reads and checks a gateway configuration file.
pub fn load(path: &Path) -> Result<Gateway, Vec<Diagnostic>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![Diagnostic::new(
            path,
            None,
            format!("cannot read the gateway configuration: {e}"),
        )]
    })?;
    let env = |name: &str| std::env::var(name).ok();
    load_text(path, &text, &env)
}

/// Checks a configuration given as text; `env` looks variables up.
pub fn load_text(
    path: &Path,
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Gateway, Vec<Diagnostic>> {
    let raw: RawConfig = serde_saphyr::from_str(text).map_err(|e| {
        let msg = e.without_snippet().to_string();
        vec![Diagnostic::new(
            path,
            e.location(),
            strip_location_prefix(&msg),
        )]
    })?;
    let mut diags = Vec::new();
    if raw.version.value != 1 {
        diags.push(
            Diagnostic::new(
                path,
                loc(&raw.version),
                format!(
                    "configuration version {} is not supported",
                    raw.version.value
                ),
            )
            .hint("this soapbridge reads `version: 1`"),
        );
        return Err(diags);
    }
    let mut out = Gateway::default();
    let dir = path.parent().unwrap_or(Path::new(""));
    if let Some(tls) = raw.listener.as_ref().and_then(|l| l.tls.as_ref()) {
        out.tls = listener_tls(path, dir, tls, &mut diags);
    }
    if let Some(t) = &raw.telemetry {
        out.telemetry = telemetry(path, t, &mut diags);
    }
    if let Some(auth) = &raw.auth {
        let mut providers: BTreeMap<String, Arc<Provider>> = BTreeMap::new();
        for (name, p) in &auth.providers {
            if let Some(p) = provider(path, dir, name, p, env, &mut diags) {
                providers.insert(name.clone(), Arc::new(p));
            }
        }
        let known: Vec<&str> = auth.providers.keys().map(String::as_str).collect();
        for (name, p) in &auth.policies {
            let public = p.public.unwrap_or(false);
            if public && !(p.providers.is_empty() && p.consumers.is_empty() && p.scopes.is_empty())
            {
                diags.push(
                    Diagnostic::new(
                        path,
                        None,
                        format!("policy `{name}` is public and also names providers, consumers or scopes"),
                    )
                    .hint("a public policy admits anyone: remove `public: true` or the other keys"),
                );
                continue;
            }
            if !public && p.providers.is_empty() {
                diags.push(
                    Diagnostic::new(path, None, format!("policy `{name}` names no provider"))
                        .hint("list `providers: [...]`, or write `public: true` for an open route"),
                );
                continue;
            }
            let mut list = Vec::new();
            for pn in &p.providers {
                match providers.get(&pn.value) {
                    Some(prov) => list.push((pn.value.clone(), prov.clone())),
                    None if auth.providers.contains_key(&pn.value) => {}
                    None => diags.push(
                        Diagnostic::new(
                            path,
                            loc(pn),
                            format!(
                                "policy `{name}` names provider `{}`, which is not declared",
                                pn.value
                            ),
                        )
                        .hint(hint_for(&pn.value, &known, "providers")),
                    ),
                }
            }
            out.policies.insert(
                name.clone(),
                Arc::new(Policy {
                    name: name.clone(),
                    public,
                    providers: list,
                    consumers: p.consumers.clone(),
                    scopes: p.scopes.clone(),
                }),
            );
        }
        if let Some(d) = &auth.default {
            if auth.policies.contains_key(&d.value) {
                out.default_policy = Some(d.value.clone());
            } else {
                let names: Vec<&str> = auth.policies.keys().map(String::as_str).collect();
                diags.push(
                    Diagnostic::new(
                        path,
                        loc(d),
                        format!("the default policy `{}` is not declared", d.value),
                    )
                    .hint(hint_for(&d.value, &names, "policies")),
                );
            }
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

fn provider(
    path: &Path,
    dir: &Path,
    name: &str,
    p: &RawProvider,
    env: &dyn Fn(&str) -> Option<String>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Provider> {
    match (&p.api_key, &p.client_certificate) {
        (Some(k), None) => api_keys(path, dir, name, k, env, diags).map(Provider::ApiKey),
        (None, Some(_)) => Some(Provider::ClientCertificate),
        (None, None) => {
            diags.push(
                Diagnostic::new(path, None, format!("provider `{name}` has no kind")).hint(
                    "give `api_key: {header: X-Api-Key, keys: [...]}` or `client_certificate: {}`",
                ),
            );
            None
        }
        (Some(_), Some(_)) => {
            diags.push(
                Diagnostic::new(path, None, format!("provider `{name}` has two kinds"))
                    .hint("one provider is one way to authenticate: split it in two"),
            );
            None
        }
    }
}

/// The telemetry section of the configuration at `path`, read before logging starts; a
/// file that does not read gives none (the full load reports why).
pub fn telemetry_settings(path: &Path) -> crate::telemetry::Settings {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Default::default();
    };
    let Ok(raw) = serde_saphyr::from_str::<RawConfig>(&text) else {
        return Default::default();
    };
    let mut ignored = Vec::new();
    raw.telemetry
        .map(|t| telemetry(path, &t, &mut ignored))
        .unwrap_or_default()
}

fn telemetry(
    path: &Path,
    t: &raw::RawTelemetry,
    diags: &mut Vec<Diagnostic>,
) -> crate::telemetry::Settings {
    let otlp_endpoint = t.otlp_endpoint.as_ref().and_then(|e| {
        match url::Url::parse(&e.value) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => Some(e.value.clone()),
            _ => {
                diags.push(
                    Diagnostic::new(path, loc(e), format!("`{}` is not an http(s) URL", e.value))
                        .hint("the collector's OTLP/HTTP address, such as `http://otel-collector:4318`"),
                );
                None
            }
        }
    });
    let sampler = t.sampler.as_ref().and_then(|s| {
        if crate::telemetry::SAMPLERS.contains(&s.value.as_str()) {
            Some(s.value.clone())
        } else {
            diags.push(
                Diagnostic::new(path, loc(s), format!("sampler `{}` is not known", s.value))
                    .hint(hint_for(&s.value, &crate::telemetry::SAMPLERS, "samplers")),
            );
            None
        }
    });
    let sampler_arg = t.sampler_arg.as_ref().and_then(|a| {
        if (0.0..=1.0).contains(&a.value) {
            Some(a.value)
        } else {
            diags.push(
                Diagnostic::new(
                    path,
                    loc(a),
                    format!("sampler_arg `{}` is not between 0 and 1", a.value),
                )
                .hint("the share of traces sampled: `0.1` for one in ten"),
            );
            None
        }
    });
    crate::telemetry::Settings {
        otlp_endpoint,
        service_name: t.service_name.clone(),
        sampler,
        sampler_arg,
    }
}

fn listener_tls(
    path: &Path,
    dir: &Path,
    t: &raw::RawTls,
    diags: &mut Vec<Diagnostic>,
) -> Option<ListenerTls> {
    let before = diags.len();
    let mut file = |s: &serde_saphyr::Spanned<String>, what: &str| {
        let p = dir.join(&s.value);
        if !p.is_file() {
            diags.push(
                Diagnostic::new(
                    path,
                    loc(s),
                    format!("the {what} {} is not a file", p.display()),
                )
                .hint("paths are relative to the configuration file"),
            );
        }
        p
    };
    let cert = file(&t.cert, "certificate chain");
    let key = file(&t.key, "private key");
    let client_ca = t.client_ca.as_ref().map(|c| file(c, "client CA bundle"));
    let client_auth = match (
        t.client_auth.as_ref().map(|m| (m, m.value.as_str())),
        &client_ca,
    ) {
        (None, None) => ClientAuthMode::None,
        (None, Some(_)) | (Some((_, "require")), Some(_)) => ClientAuthMode::Require,
        (Some((_, "optional")), Some(_)) => ClientAuthMode::Optional,
        (Some((m, "require" | "optional")), None) => {
            diags.push(
                Diagnostic::new(
                    path,
                    loc(m),
                    format!("`client_auth: {}` needs `client_ca`", m.value),
                )
                .hint("give the PEM bundle of the CAs that sign client certificates"),
            );
            ClientAuthMode::None
        }
        (Some((m, other)), _) => {
            diags.push(
                Diagnostic::new(path, loc(m), format!("`client_auth: {other}` is not known"))
                    .hint("use `require` or `optional`"),
            );
            ClientAuthMode::None
        }
    };
    let reload_every = match &t.reload_every {
        None => std::time::Duration::from_secs(10),
        Some(r) => match humantime::parse_duration(r.value.trim()) {
            Ok(d) => d,
            Err(_) => {
                diags.push(
                    Diagnostic::new(path, loc(r), format!("`{}` is not a duration", r.value))
                        .hint("write a number with a unit: `10s`, `1m`"),
                );
                std::time::Duration::from_secs(10)
            }
        },
    };
    (diags.len() == before).then_some(ListenerTls {
        cert,
        key,
        client_ca,
        client_auth,
        reload_every,
    })
}

fn api_keys(
    path: &Path,
    dir: &Path,
    name: &str,
    k: &RawApiKey,
    env: &dyn Fn(&str) -> Option<String>,
    diags: &mut Vec<Diagnostic>,
) -> Option<ApiKeys> {
    let location = match (&k.header, &k.query) {
        (Some(h), None) => {
            if actix_web::http::header::HeaderName::from_bytes(h.value.as_bytes()).is_err() {
                diags.push(Diagnostic::new(
                    path,
                    loc(h),
                    format!("`{}` is not a valid HTTP header name", h.value),
                ));
                return None;
            }
            KeyLocation::Header(h.value.to_ascii_lowercase())
        }
        (None, Some(q)) => KeyLocation::Query(q.value.clone()),
        _ => {
            diags.push(
                Diagnostic::new(
                    path,
                    None,
                    format!("provider `{name}`: give exactly one of `header` and `query`"),
                )
                .hint("where callers put the key, e.g. `header: X-Api-Key`"),
            );
            return None;
        }
    };
    let before = diags.len();
    let mut keys = Vec::new();
    for key in &k.keys {
        let sha256 = match (&key.sha256, &key.env, &key.file) {
            (Some(h), None, None) => match apikey::parse_hex_sha256(&h.value) {
                Some(h) => h,
                None => {
                    diags.push(
                        Diagnostic::new(path, loc(h), "`sha256` is not 64 hexadecimal digits")
                            .hint("write the output of `printf %s \"$KEY\" | sha256sum`"),
                    );
                    continue;
                }
            },
            (None, Some(var), None) => match env(&var.value).filter(|v| !v.is_empty()) {
                Some(v) => apikey::hash(v.trim_end_matches(['\r', '\n'])),
                None => {
                    diags.push(
                        Diagnostic::new(
                            path,
                            loc(var),
                            format!("environment variable `{}` is not set", var.value),
                        )
                        .hint("set it, or give the key's `sha256` instead"),
                    );
                    continue;
                }
            },
            (None, None, Some(f)) => {
                let file = dir.join(&f.value);
                match std::fs::read_to_string(&file) {
                    Ok(v) if !v.trim().is_empty() => apikey::hash(v.trim_end_matches(['\r', '\n'])),
                    Ok(_) => {
                        diags.push(Diagnostic::new(
                            path,
                            loc(f),
                            format!("{} is empty", file.display()),
                        ));
                        continue;
                    }
                    Err(e) => {
                        diags.push(
                            Diagnostic::new(
                                path,
                                loc(f),
                                format!("cannot read {}: {e}", file.display()),
                            )
                            .hint("the path is relative to the configuration file"),
                        );
                        continue;
                    }
                }
            }
            _ => {
                diags.push(
                    Diagnostic::new(
                        path,
                        loc(&key.consumer),
                        format!(
                            "the key of consumer `{}`: give exactly one of `sha256`, `env` and `file`",
                            key.consumer.value
                        ),
                    )
                    .hint("keys are never written in clear in the configuration"),
                );
                continue;
            }
        };
        keys.push(StoredKey {
            consumer: key.consumer.value.clone(),
            sha256,
        });
    }
    (diags.len() == before).then_some(ApiKeys { location, keys })
}

#[cfg(test)]
mod tests;
