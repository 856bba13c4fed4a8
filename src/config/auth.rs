//! The `auth:` section: providers (API keys, JWT issuers, client certificates) and the
//! policies that combine them with required consumers, scopes and a rate limit.
//!
//! Secrets are read here (from the environment or files) and kept only as hashes; a JWT
//! issuer's keys are loaded later, by [`super::Gateway::start`], since fetching them needs
//! the runtime. May import `edge`, `mapping::diag`.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_saphyr::Spanned;

use super::Gateway;
use super::raw::{RawApiKey, RawAuth, RawJwt, RawProvider, RawRateLimit};
use crate::edge::apikey::{self, ApiKeys, KeyLocation, StoredKey};
use crate::edge::jwt::{Algorithm, JwksSource, JwtSettings};
use crate::edge::limit::{LimitBy, RateLimit};
use crate::edge::policy::JwtProvider;
use crate::edge::{Policy, Provider};
use crate::mapping::diag::{Diagnostic, hint_for, loc};

pub(super) fn auth(
    path: &Path,
    dir: &Path,
    auth: &RawAuth,
    env: &dyn Fn(&str) -> Option<String>,
    diags: &mut Vec<Diagnostic>,
    out: &mut Gateway,
) {
    let mut providers: BTreeMap<String, Arc<Provider>> = BTreeMap::new();
    for (name, p) in &auth.providers {
        if let Some(p) = provider(path, dir, name, p, env, diags) {
            providers.insert(name.clone(), Arc::new(p));
        }
    }
    let known: Vec<&str> = auth.providers.keys().map(String::as_str).collect();
    for (name, p) in &auth.policies {
        let public = p.public.unwrap_or(false);
        if public && !(p.providers.is_empty() && p.consumers.is_empty() && p.scopes.is_empty()) {
            diags.push(
                Diagnostic::new(
                    path,
                    None,
                    format!(
                        "policy `{name}` is public and also names providers, consumers or scopes"
                    ),
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
        let mut policy = Policy::new(name.clone(), list);
        policy.public = public;
        policy.consumers = p.consumers.clone();
        policy.scopes = p.scopes.clone();
        policy.rate_limit = p
            .rate_limit
            .as_ref()
            .and_then(|r| rate_limit(path, name, r, diags));
        out.policies.insert(name.clone(), Arc::new(policy));
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

fn duration(
    path: &Path,
    s: Option<&Spanned<String>>,
    default: Duration,
    diags: &mut Vec<Diagnostic>,
) -> Duration {
    let Some(s) = s else { return default };
    match humantime::parse_duration(s.value.trim()) {
        Ok(d) => d,
        Err(_) => {
            diags.push(
                Diagnostic::new(path, loc(s), format!("`{}` is not a duration", s.value))
                    .hint("write a number with a unit: `30s`, `5m`"),
            );
            default
        }
    }
}

const ALGORITHMS: [&str; 12] = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA", "HS256",
    "HS384", "HS512",
];

fn jwt(
    path: &Path,
    dir: &Path,
    name: &str,
    j: &RawJwt,
    diags: &mut Vec<Diagnostic>,
) -> Option<JwtProvider> {
    let before = diags.len();
    let mut algorithms = Vec::new();
    for a in &j.algorithms {
        if a.value.eq_ignore_ascii_case("none") {
            diags.push(
                Diagnostic::new(path, loc(a), "`none` is never accepted").hint(
                    "unsigned tokens prove nothing; list the algorithm your issuer signs with",
                ),
            );
            continue;
        }
        match a.value.parse::<Algorithm>() {
            Ok(alg) => algorithms.push(alg),
            Err(_) => diags.push(
                Diagnostic::new(
                    path,
                    loc(a),
                    format!("algorithm `{}` is not known", a.value),
                )
                .hint(hint_for(&a.value, &ALGORITHMS, "algorithms")),
            ),
        }
    }
    let jwks = if j.jwks.value.starts_with("https://") || j.jwks.value.starts_with("http://") {
        match url::Url::parse(&j.jwks.value) {
            Ok(u) => JwksSource::Url(u),
            Err(e) => {
                diags.push(Diagnostic::new(
                    path,
                    loc(&j.jwks),
                    format!("`{}` is not a URL: {e}", j.jwks.value),
                ));
                return None;
            }
        }
    } else {
        let file = dir.join(&j.jwks.value);
        if !file.is_file() {
            diags.push(
                Diagnostic::new(
                    path,
                    loc(&j.jwks),
                    format!("the JWKS file {} is not a file", file.display()),
                )
                .hint(
                    "a path relative to the configuration file, or the issuer's https `jwks_uri`",
                ),
            );
            return None;
        }
        JwksSource::File(file)
    };
    let defaults = JwtSettings::default();
    let settings = JwtSettings {
        issuer: j.issuer.value.clone(),
        audiences: j.audiences.iter().map(|a| a.value.clone()).collect(),
        algorithms,
        jwks,
        leeway: duration(path, j.leeway.as_ref(), defaults.leeway, diags),
        required_claims: j
            .required_claims
            .clone()
            .unwrap_or(defaults.required_claims),
        scope_claim: j.scope_claim.clone().unwrap_or(defaults.scope_claim),
        refresh: duration(path, j.refresh.as_ref(), defaults.refresh, diags),
        min_refetch_interval: duration(
            path,
            j.min_refetch_interval.as_ref(),
            defaults.min_refetch_interval,
            diags,
        ),
        cache_capacity: defaults.cache_capacity,
        fetch_timeout: defaults.fetch_timeout,
    };
    for problem in settings.problems() {
        let (key, text) = problem.split_once(": ").unwrap_or(("", problem.as_str()));
        let at = match key {
            "issuer" => loc(&j.issuer),
            "jwks" => loc(&j.jwks),
            "algorithms" => j.algorithms.first().and_then(loc),
            "audiences" => j.audiences.first().and_then(loc),
            _ => None,
        };
        diags.push(Diagnostic::new(
            path,
            at,
            format!("provider `{name}`: {key}: {text}"),
        ));
    }
    (diags.len() == before).then(|| {
        JwtProvider::new(
            settings,
            j.realm.clone().unwrap_or_else(|| "soapbridge".to_owned()),
            j.consumer_claim.clone().unwrap_or_else(|| "sub".to_owned()),
        )
    })
}

fn rate_limit(
    path: &Path,
    policy: &str,
    r: &RawRateLimit,
    diags: &mut Vec<Diagnostic>,
) -> Option<RateLimit> {
    let Some(requests) = NonZeroU32::new(r.requests.value) else {
        diags.push(
            Diagnostic::new(
                path,
                loc(&r.requests),
                "`requests: 0` would refuse every call",
            )
            .hint("give at least 1, or remove the rate limit"),
        );
        return None;
    };
    let per = match humantime::parse_duration(r.per.value.trim()) {
        Ok(d) if !d.is_zero() => d,
        _ => {
            diags.push(
                Diagnostic::new(
                    path,
                    loc(&r.per),
                    format!("`{}` is not a duration", r.per.value),
                )
                .hint("the window: `1s`, `1m`, `1h`"),
            );
            return None;
        }
    };
    let burst = match &r.burst {
        None => requests,
        Some(b) => match NonZeroU32::new(b.value) {
            Some(b) => b,
            None => {
                diags.push(
                    Diagnostic::new(path, loc(b), "`burst: 0` would refuse every call")
                        .hint("the calls allowed at once; default: `requests`"),
                );
                return None;
            }
        },
    };
    let by = match r.by.as_ref().map(|b| (b, b.value.as_str())) {
        None | Some((_, "consumer")) => LimitBy::Consumer,
        Some((_, "route")) => LimitBy::Route,
        Some((b, other)) => {
            diags.push(
                Diagnostic::new(path, loc(b), format!("`by: {other}` is not known")).hint(
                    "use `consumer` (a bucket per consumer and route) or `route` (one per route)",
                ),
            );
            return None;
        }
    };
    let limit = RateLimit::new(requests, per, burst, by);
    if limit.is_none() {
        diags.push(
            Diagnostic::new(
                path,
                loc(&r.per),
                format!(
                    "policy `{policy}`: {} requests per {} is too fine a rate",
                    requests, r.per.value
                ),
            )
            .hint("give a longer window or fewer requests"),
        );
    }
    limit
}

fn provider(
    path: &Path,
    dir: &Path,
    name: &str,
    p: &RawProvider,
    env: &dyn Fn(&str) -> Option<String>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Provider> {
    match (&p.api_key, &p.client_certificate, &p.jwt) {
        (Some(k), None, None) => api_keys(path, dir, name, k, env, diags).map(Provider::ApiKey),
        (None, Some(_), None) => Some(Provider::ClientCertificate),
        (None, None, Some(j)) => jwt(path, dir, name, j, diags).map(|j| Provider::Jwt(Box::new(j))),
        (None, None, None) => {
            diags.push(
                Diagnostic::new(path, None, format!("provider `{name}` has no kind")).hint(
                    "give `api_key: {header: X-Api-Key, keys: [...]}`, `jwt: {issuer: ..., jwks: ...}` or `client_certificate: {}`",
                ),
            );
            None
        }
        _ => {
            diags.push(
                Diagnostic::new(path, None, format!("provider `{name}` has two kinds"))
                    .hint("one provider is one way to authenticate: split it in two"),
            );
            None
        }
    }
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
