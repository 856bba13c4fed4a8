//! Bearer-token (JWT, RFC 7519) verification for one issuer: signature against the issuer's
//! JWKS, `iss`, `aud`, `exp`/`nbf` with leeway, required claims, and the caller's scopes.
//!
//! ```text
//! token ─sha256─> cache hit (same key set, before exp)? ─────────────────────> Verified
//!   └─miss─> header: alg allowed? kid known? (unknown: one rate-limited re-fetch)
//!            ─jsonwebtoken::decode (signature, iss, aud, exp, nbf)─> required claims,
//!            scopes ─> cache ─> Verified
//! ```
//!
//! `settings` is the operator's declaration, `keys` parses a JWKS, `fetch` keeps it
//! current, `cache` remembers verified tokens, `error` speaks RFC 6750. The crypto is
//! jsonwebtoken's `aws_lc_rs` backend: constant-time, maintained, fast RSA (the pure-Rust
//! backend brings the `rsa` crate, slower and with an open timing advisory).
//!
//! May import: tls, net.

mod cache;
mod error;
mod fetch;
mod keys;
mod settings;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Validation, decode, decode_header};
use serde_json::{Map, Value};

pub use error::{ErrorCode, JwtError, JwtErrorKind};
pub use settings::{
    Algorithm, DEFAULT_CACHE_CAPACITY, DEFAULT_FETCH_TIMEOUT, DEFAULT_LEEWAY,
    DEFAULT_MIN_REFETCH_INTERVAL, DEFAULT_REFRESH, JwksSource, JwtSettings,
};

use cache::TokenCache;
use fetch::{KeySource, RefreshTask};
use keys::Lookup;
use settings::alg_name;

/// Tokens longer than this are refused before any work (headers rarely allow 8 KiB).
const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// The registered claims jsonwebtoken checks itself when they are required.
const SPEC_CLAIMS: [&str; 5] = ["exp", "nbf", "sub", "iss", "aud"];

/// What a valid token says about its caller.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified {
    /// `sub`, when it is a string.
    pub subject: Option<String>,
    /// The scopes from the configured scope claim (empty when it is absent).
    pub scopes: Vec<String>,
    /// Every claim of the token.
    pub claims: Map<String, Value>,
    /// `exp`, when the token has one.
    pub expires: Option<SystemTime>,
}

/// Verifies the bearer tokens of one issuer. Built once at start-up; cheap to call from
/// any number of requests at once. Dropping it stops its background refresh.
pub struct JwtVerifier {
    issuer: String,
    audiences: Vec<String>,
    algorithms: Vec<Algorithm>,
    validations: Vec<(Algorithm, Validation)>,
    /// Required claims that jsonwebtoken does not check (the non-registered ones).
    other_required: Vec<String>,
    scope_claim: String,
    keys: Arc<KeySource>,
    cache: TokenCache,
    _refresh: Option<RefreshTask>,
}

impl JwtVerifier {
    /// Checks the settings and loads the key set (reading the file or fetching the URL);
    /// a URL is then refreshed in the background, so this must run inside a tokio runtime.
    /// The error says what to fix.
    pub async fn new(settings: JwtSettings) -> Result<Self, String> {
        let problems = settings.problems();
        if !problems.is_empty() {
            return Err(format!("jwt settings: {}", problems.join("; ")));
        }
        let mut algorithms: Vec<Algorithm> = Vec::with_capacity(settings.algorithms.len());
        for alg in &settings.algorithms {
            if !algorithms.contains(alg) {
                algorithms.push(*alg);
            }
        }
        let (source, max_age) = KeySource::start(
            settings.jwks.clone(),
            algorithms.clone(),
            settings.fetch_timeout,
            settings.min_refetch_interval,
        )
        .await?;
        let keys = Arc::new(source);
        let refresh = fetch::spawn_refresh(&keys, max_age, settings.refresh);
        let validations = algorithms
            .iter()
            .map(|alg| (*alg, validation(&settings, *alg)))
            .collect();
        Ok(Self {
            issuer: settings.issuer,
            audiences: settings.audiences,
            validations,
            other_required: settings
                .required_claims
                .into_iter()
                .filter(|c| !SPEC_CLAIMS.contains(&c.as_str()))
                .collect(),
            scope_claim: settings.scope_claim,
            algorithms,
            keys,
            cache: TokenCache::new(settings.cache_capacity, settings.refresh),
            _refresh: refresh,
        })
    }

    /// Verifies a bearer token (the part after `Bearer `).
    pub async fn verify(&self, token: &str) -> Result<Verified, JwtError> {
        if token.is_empty() {
            return Err(JwtError::missing());
        }
        if token.len() > MAX_TOKEN_BYTES {
            return Err(malformed("it is longer than 16 KiB"));
        }
        let digest = cache::digest(token);
        let now = SystemTime::now();
        let generation = self.keys.keys.load().generation;
        if let Some(hit) = self.cache.get(&digest, now, generation) {
            return Ok(hit);
        }
        let (verified, generation) = self.verify_uncached(token).await?;
        self.cache.insert(digest, &verified, now, generation);
        Ok(verified)
    }

    /// The full check; also returns the generation of the key set that verified it.
    async fn verify_uncached(&self, token: &str) -> Result<(Verified, u64), JwtError> {
        let header = decode_header(token).map_err(|_| header_error(token))?;
        if header.crit.is_some() {
            return Err(malformed(
                "it names critical header extensions (`crit`), which are not supported",
            ));
        }
        let alg = header.alg;
        let Some((_, validation)) = self.validations.iter().find(|(a, _)| *a == alg) else {
            return Err(disallowed(format!("{} is not accepted", alg_name(alg))));
        };
        let kid = header.kid.as_deref();
        let mut keys = self.keys.keys.load_full();
        let mut refetched = false;
        let key = loop {
            match keys.find(kid, alg) {
                Lookup::Found(key) => break key,
                Lookup::WrongAlgorithm => {
                    return Err(disallowed(format!(
                        "{} does not fit its key",
                        alg_name(alg)
                    )));
                }
                Lookup::Ambiguous => {
                    return Err(malformed(
                        "it has no `kid` and several keys could have signed it",
                    ));
                }
                Lookup::Unknown if !refetched => {
                    refetched = true;
                    if !self.keys.refetch_for_unknown_kid(keys.generation).await {
                        return Err(JwtError::new(JwtErrorKind::UnknownKey));
                    }
                    keys = self.keys.keys.load_full();
                }
                Lookup::Unknown => return Err(JwtError::new(JwtErrorKind::UnknownKey)),
            }
        };
        let data = decode::<Map<String, Value>>(token, key, validation)
            .map_err(|e| decode_error(e.into_kind()))?;
        let claims = data.claims;
        for name in &self.other_required {
            if claims.get(name).is_none_or(Value::is_null) {
                return Err(JwtError::new(JwtErrorKind::MissingClaim(name.clone())));
            }
        }
        let verified = Verified {
            subject: claims.get("sub").and_then(Value::as_str).map(str::to_owned),
            scopes: scopes(claims.get(&self.scope_claim))?,
            expires: claims
                .get("exp")
                .and_then(Value::as_u64)
                .and_then(|s| UNIX_EPOCH.checked_add(Duration::from_secs(s))),
            claims,
        };
        Ok((verified, keys.generation))
    }
}

impl fmt::Debug for JwtVerifier {
    /// Settings and key ids only: no token, no key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = self.keys.keys.load();
        let algorithms: Vec<&str> = self.algorithms.iter().map(|a| alg_name(*a)).collect();
        f.debug_struct("JwtVerifier")
            .field("issuer", &self.issuer)
            .field("audiences", &self.audiences)
            .field("algorithms", &algorithms)
            .field("jwks", self.keys.source())
            .field("kids", &keys.kids())
            .field("keys", &keys.len())
            .field("cached_tokens", &self.cache.len())
            .finish()
    }
}

/// The token from an `Authorization` header value (`Bearer <token>`, scheme in any case).
pub fn bearer_token(authorization: &str) -> Result<&str, JwtError> {
    let Some((scheme, token)) = authorization.trim().split_once(' ') else {
        return Err(JwtError::missing());
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(JwtError::missing());
    }
    let token = token.trim_start_matches(' ');
    if token.is_empty() {
        return Err(JwtError::missing());
    }
    if token.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return Err(malformed(
            "the Authorization header holds more than one token",
        ));
    }
    Ok(token)
}

fn validation(settings: &JwtSettings, alg: Algorithm) -> Validation {
    let mut v = Validation::new(alg);
    v.leeway = settings.leeway.as_secs();
    v.validate_exp = true;
    v.validate_nbf = true;
    v.validate_aud = true;
    v.set_issuer(&[settings.issuer.as_str()]);
    v.set_audience(&settings.audiences);
    // Without iss and aud required, jsonwebtoken lets a token that lacks them through.
    let mut required = vec!["iss", "aud"];
    for claim in &settings.required_claims {
        if let Some(spec) = SPEC_CLAIMS.iter().find(|s| **s == claim.as_str())
            && !required.contains(spec)
        {
            required.push(spec);
        }
    }
    v.set_required_spec_claims(&required);
    v
}

fn scopes(claim: Option<&Value>) -> Result<Vec<String>, JwtError> {
    match claim {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(s.split_whitespace().map(str::to_owned).collect()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| malformed("the scope claim holds something other than strings"))
            })
            .collect(),
        Some(_) => Err(malformed(
            "the scope claim is neither a string nor an array of strings",
        )),
    }
}

fn malformed(why: &'static str) -> JwtError {
    JwtError::new(JwtErrorKind::Malformed(why))
}

fn disallowed(why: String) -> JwtError {
    JwtError::new(JwtErrorKind::DisallowedAlgorithm(why))
}

/// Why a header did not parse: an algorithm jsonwebtoken does not know (`none` above all)
/// is named as such; anything else is a malformed token.
fn header_error(token: &str) -> JwtError {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return malformed("it is not three base64url parts separated by dots");
    };
    let alg = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .and_then(|h| h.get("alg").and_then(Value::as_str).map(str::to_owned));
    match alg {
        Some(a) if a.eq_ignore_ascii_case("none") => {
            disallowed("`none` is never accepted".to_owned())
        }
        Some(a) if a.parse::<Algorithm>().is_ok() => {
            malformed("its header has a field of the wrong type")
        }
        Some(_) => disallowed("is not supported".to_owned()),
        None => malformed("its header is not base64url-encoded JSON with an `alg`"),
    }
}

fn decode_error(kind: ErrorKind) -> JwtError {
    let kind = match kind {
        ErrorKind::ExpiredSignature => JwtErrorKind::Expired,
        ErrorKind::ImmatureSignature => JwtErrorKind::NotYetValid,
        ErrorKind::InvalidIssuer => JwtErrorKind::WrongIssuer,
        ErrorKind::InvalidAudience => JwtErrorKind::WrongAudience,
        ErrorKind::MissingRequiredClaim(name) => JwtErrorKind::MissingClaim(name),
        ErrorKind::InvalidClaimFormat(name) => JwtErrorKind::Malformed(match name.as_str() {
            "exp" => "`exp` is not a whole number of seconds",
            "nbf" => "`nbf` is not a whole number of seconds",
            "iss" => "`iss` is not a string",
            "aud" => "`aud` is neither a string nor an array of strings",
            _ => "a registered claim has the wrong type",
        }),
        ErrorKind::InvalidToken
        | ErrorKind::Base64(_)
        | ErrorKind::Json(_)
        | ErrorKind::Utf8(_) => {
            JwtErrorKind::Malformed("it is not three base64url-encoded parts with JSON claims")
        }
        ErrorKind::InvalidAlgorithm
        | ErrorKind::MissingAlgorithm
        | ErrorKind::UnsupportedAlgorithm
        | ErrorKind::InvalidAlgorithmName => {
            JwtErrorKind::DisallowedAlgorithm("does not fit its key".to_owned())
        }
        _ => JwtErrorKind::BadSignature,
    };
    JwtError::new(kind)
}
