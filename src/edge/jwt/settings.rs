//! What an operator declares for one token issuer (`JwtSettings`), and the checks that turn
//! a mistake in it into a precise start-up error instead of a surprise at request time.
//!
//! May import nothing from soapbridge.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

pub use jsonwebtoken::Algorithm;
use jsonwebtoken::AlgorithmFamily;

/// Clock skew accepted on `exp` and `nbf` unless the operator says otherwise.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);
/// How often a JWKS URL is fetched again when its answer has no `Cache-Control: max-age`.
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(5 * 60);
/// The least time between two fetches caused by tokens with an unknown `kid`.
pub const DEFAULT_MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(30);
/// How many verified tokens are remembered.
pub const DEFAULT_CACHE_CAPACITY: usize = 10_000;
/// How long one JWKS fetch may take, connection included.
pub const DEFAULT_FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the identity provider's public keys (a JWKS document, RFC 7517) come from.
#[derive(Clone, PartialEq, Eq)]
pub enum JwksSource {
    /// A JWKS document on disk, read at start-up (and again when a token names an unknown
    /// key, at most once per `min_refetch_interval`).
    File(PathBuf),
    /// The provider's `jwks_uri`: fetched at start-up, then refreshed in the background.
    /// `https` is required, except on a loopback host.
    Url(url::Url),
}

impl fmt::Display for JwksSource {
    /// The file path, or the URL without its password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(path) => write!(f, "{}", path.display()),
            Self::Url(url) => {
                let mut shown = url.clone();
                if shown.password().is_some() {
                    let _ = shown.set_password(Some("redacted"));
                }
                write!(f, "{shown}")
            }
        }
    }
}

impl fmt::Debug for JwksSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(_) => write!(f, "File({self})"),
            Self::Url(_) => write!(f, "Url({self})"),
        }
    }
}

/// One token issuer: which tokens it signs, for whom, and where its keys are.
#[derive(Clone, Debug, PartialEq)]
pub struct JwtSettings {
    /// The exact `iss` a token must carry (required).
    pub issuer: String,
    /// The accepted `aud` values; a token must name at least one of them (at least one).
    pub audiences: Vec<String>,
    /// The accepted signature algorithms (an explicit allow-list; `none` cannot be named).
    /// HMAC (`HS*`) and public-key algorithms cannot be mixed in one issuer.
    pub algorithms: Vec<Algorithm>,
    /// Where the verification keys come from.
    pub jwks: JwksSource,
    /// Clock skew accepted on `exp` and `nbf`.
    pub leeway: Duration,
    /// Claims every token must carry (for example `exp`, `sub`, `tenant`).
    pub required_claims: Vec<String>,
    /// The claim holding the caller's scopes: a space-separated string (`scope`) or a JSON
    /// array of strings (`roles`, `scp`).
    pub scope_claim: String,
    /// Refresh period of a JWKS URL whose answer carries no `Cache-Control: max-age`.
    pub refresh: Duration,
    /// The least time between two fetches caused by an unknown `kid`, so that a flood of
    /// made-up key ids cannot flood the identity provider.
    pub min_refetch_interval: Duration,
    /// How many verified tokens are remembered (0 turns the cache off).
    pub cache_capacity: usize,
    /// How long one JWKS fetch may take.
    pub fetch_timeout: Duration,
}

impl Default for JwtSettings {
    /// The optional parts at their defaults; `issuer`, `audiences`, `algorithms` and `jwks`
    /// must still be filled in (`JwtVerifier::new` says which one is missing).
    fn default() -> Self {
        Self {
            issuer: String::new(),
            audiences: Vec::new(),
            algorithms: Vec::new(),
            jwks: JwksSource::File(PathBuf::new()),
            leeway: DEFAULT_LEEWAY,
            required_claims: vec!["exp".to_owned()],
            scope_claim: "scope".to_owned(),
            refresh: DEFAULT_REFRESH,
            min_refetch_interval: DEFAULT_MIN_REFETCH_INTERVAL,
            cache_capacity: DEFAULT_CACHE_CAPACITY,
            fetch_timeout: DEFAULT_FETCH_TIMEOUT,
        }
    }
}

/// The JWT name of an algorithm (`RS256`), as it appears in a token header.
pub(crate) fn alg_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::HS256 => "HS256",
        Algorithm::HS384 => "HS384",
        Algorithm::HS512 => "HS512",
        Algorithm::ES256 => "ES256",
        Algorithm::ES384 => "ES384",
        Algorithm::RS256 => "RS256",
        Algorithm::RS384 => "RS384",
        Algorithm::RS512 => "RS512",
        Algorithm::PS256 => "PS256",
        Algorithm::PS384 => "PS384",
        Algorithm::PS512 => "PS512",
        Algorithm::EdDSA => "EdDSA",
        _ => "an unnamed algorithm",
    }
}

impl JwtSettings {
    /// Every mistake in the settings, one message each (empty when they are usable).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.issuer.trim().is_empty() {
            out.push("issuer: missing; give the exact `iss` your identity provider puts in its tokens (its OpenID `issuer`)".to_owned());
        }
        if self.audiences.is_empty() {
            out.push("audiences: empty; list at least one `aud` value that tokens for this gateway carry".to_owned());
        } else if self.audiences.iter().any(|a| a.trim().is_empty()) {
            out.push("audiences: an entry is empty; remove it or give the `aud` value".to_owned());
        }
        self.check_algorithms(&mut out);
        match &self.jwks {
            JwksSource::File(path) if path.as_os_str().is_empty() => out.push(
                "jwks: missing; give the path of a JWKS file or the provider's `jwks_uri` URL"
                    .to_owned(),
            ),
            JwksSource::File(_) => {}
            JwksSource::Url(url) => check_url(url, &mut out),
        }
        if self.required_claims.iter().any(|c| c.trim().is_empty()) {
            out.push("required_claims: an entry is empty; remove it or name the claim".to_owned());
        }
        if self.scope_claim.trim().is_empty() {
            out.push(
                "scope_claim: empty; name the claim that holds scopes (`scope` by default)"
                    .to_owned(),
            );
        }
        if self.min_refetch_interval < Duration::from_secs(1) {
            out.push(format!(
                "min_refetch_interval: {:?} is too short; at least 1s, so that tokens with made-up key ids cannot flood the identity provider",
                self.min_refetch_interval
            ));
        }
        if self.refresh < self.min_refetch_interval {
            out.push(format!(
                "refresh: {:?} is shorter than min_refetch_interval ({:?}); make it at least as long",
                self.refresh, self.min_refetch_interval
            ));
        }
        if self.fetch_timeout.is_zero() {
            out.push(
                "fetch_timeout: 0s leaves no time to fetch the keys; give e.g. 10s".to_owned(),
            );
        }
        out
    }

    fn check_algorithms(&self, out: &mut Vec<String>) {
        if self.algorithms.is_empty() {
            out.push("algorithms: empty; list the algorithms your identity provider signs with, e.g. [RS256] (`none` is never accepted)".to_owned());
            return;
        }
        let hmac: Vec<&str> = self
            .algorithms
            .iter()
            .filter(|a| a.family() == AlgorithmFamily::Hmac)
            .map(|a| alg_name(*a))
            .collect();
        let public: Vec<&str> = self
            .algorithms
            .iter()
            .filter(|a| a.family() != AlgorithmFamily::Hmac)
            .map(|a| alg_name(*a))
            .collect();
        if !hmac.is_empty() && !public.is_empty() {
            out.push(format!(
                "algorithms: {} (shared secret) cannot be mixed with {} (public key) for one issuer, since a public key must never be usable as an HMAC secret; configure two issuers if you really need both",
                hmac.join(", "),
                public.join(", ")
            ));
        }
    }
}

fn check_url(url: &url::Url, out: &mut Vec<String>) {
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => out.push(format!(
            "jwks: {} is plain http; keys fetched without TLS can be replaced on the way, so use https (http is accepted only on a loopback host)",
            JwksSource::Url(url.clone())
        )),
        other => out.push(format!(
            "jwks: scheme `{other}` is not supported; give an https URL or a file path"
        )),
    }
}
