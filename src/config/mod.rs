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
//! `mapping::diag`, and `openapi`'s description of security (no secret goes there).

mod auth;
mod cors;
pub mod raw;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use crate::edge::cors::CorsPolicy;
use crate::edge::{Policy, Provider};
use crate::mapping::diag::{Diagnostic, hint_for, loc};
use raw::RawConfig;

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
    /// CORS policies by name.
    pub cors: BTreeMap<String, Arc<CorsPolicy>>,
    /// The GraphQL face: whether it is on by default, and its limits.
    pub graphql: crate::graphql::Settings,
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

    /// What the mapping compiler checks `auth:`, `cors:` and `{auth.*}` against.
    pub fn mapping_policies(&self) -> crate::mapping::Policies {
        crate::mapping::Policies {
            names: self.policy_names(),
            public: self
                .policies
                .iter()
                .filter(|(_, p)| p.public)
                .map(|(n, _)| n.clone())
                .collect(),
            default: self.default_policy.clone(),
            cors: self.cors.keys().cloned().collect(),
        }
    }

    /// Who may call what, as the OpenAPI document describes it: a security scheme per
    /// provider (where callers put their credential, never a credential), and per policy
    /// the providers, scopes, consumers and rate limit.
    pub fn openapi_security(&self) -> crate::openapi::Security {
        use crate::edge::apikey::KeyLocation;
        use crate::openapi::{PolicyDoc, Security};
        let mut doc = Security::default();
        for (name, policy) in &self.policies {
            for (provider, p) in &policy.providers {
                let scheme = match p.as_ref() {
                    Provider::ApiKey(keys) => match &keys.location {
                        KeyLocation::Header(h) => Security::api_key("header", h),
                        KeyLocation::Query(q) => Security::api_key("query", q),
                    },
                    Provider::Jwt(j) => Security::bearer(&j.settings.issuer, &j.settings.audiences),
                    Provider::ClientCertificate => Security::mutual_tls(),
                };
                doc.schemes.insert(provider.clone(), scheme);
            }
            doc.policies.insert(
                name.clone(),
                PolicyDoc {
                    public: policy.public,
                    providers: policy.providers.iter().map(|(n, _)| n.clone()).collect(),
                    scopes: policy.scopes.clone(),
                    consumers: policy.consumers.clone(),
                    rate_limit: policy.rate_limit.as_ref().map(|l| {
                        format!(
                            "{} requests per {} (bursts of {})",
                            l.requests,
                            humantime::format_duration(l.per),
                            l.burst
                        )
                    }),
                },
            );
        }
        doc
    }

    /// Starts what needs the runtime: each JWT issuer's keys are read or fetched (and then
    /// refreshed in the background). Every failure is reported, with its provider.
    pub async fn start(&self) -> Result<(), Vec<String>> {
        self.start_providers(true).await
    }

    /// As [`start`](Self::start), reading JWKS files but fetching no URL (for `check`).
    pub async fn start_offline(&self) -> Result<(), Vec<String>> {
        self.start_providers(false).await
    }

    async fn start_providers(&self, fetch: bool) -> Result<(), Vec<String>> {
        let mut seen = BTreeSet::new();
        let mut errors = Vec::new();
        for policy in self.policies.values() {
            for (name, p) in &policy.providers {
                if let Provider::Jwt(j) = p.as_ref()
                    && (fetch || matches!(j.settings.jwks, crate::edge::jwt::JwksSource::File(_)))
                    && seen.insert(name.clone())
                    && let Err(e) = j.start().await
                {
                    errors.push(format!("provider `{name}`: {e}"));
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
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
    let mut diags = Vec::new();
    let Some(raw) = crate::mapping::diag::parse_yaml::<RawConfig>(path, text, &mut diags) else {
        return Err(diags);
    };
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
    if let Some(a) = &raw.auth {
        auth::auth(path, dir, a, env, &mut diags, &mut out);
    }
    out.cors = cors::policies(path, &raw.cors, &mut diags);
    if let Some(g) = &raw.graphql {
        out.graphql = graphql(path, g, &mut diags);
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

/// The `graphql:` section: limits of at least 1, a body size with a unit.
fn graphql(
    path: &Path,
    g: &raw::RawGraphql,
    diags: &mut Vec<Diagnostic>,
) -> crate::graphql::Settings {
    let mut out = crate::graphql::Settings::default();
    if let Some(e) = g.enabled {
        out.enabled = e;
    }
    if let Some(i) = g.introspection {
        out.introspection = i;
    }
    for (value, slot, key) in [
        (&g.max_depth, &mut out.max_depth, "max_depth"),
        (&g.max_complexity, &mut out.max_complexity, "max_complexity"),
        (
            &g.max_root_fields,
            &mut out.max_root_fields,
            "max_root_fields",
        ),
    ] {
        if let Some(v) = value {
            if v.value == 0 {
                diags.push(
                    Diagnostic::new(path, loc(v), format!("graphql {key} must be at least 1"))
                        .hint("leave the key out for the default"),
                );
            } else {
                *slot = v.value;
            }
        }
    }
    if let Some(b) = &g.max_body {
        match crate::mapping::compile::parse_size(&b.value) {
            Some(n) if n > 0 => out.max_body_bytes = n,
            _ => diags.push(
                Diagnostic::new(
                    path,
                    loc(b),
                    format!("graphql max_body `{}` is not a size", b.value),
                )
                .hint("write bytes with a unit, such as `64KiB`"),
            ),
        }
    }
    out
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

#[cfg(test)]
mod tests;
