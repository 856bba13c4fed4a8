//! Why a bearer token was refused, as RFC 6750 says it to the caller: an error code, a short
//! description that is safe to send (it never quotes the token or anything taken from it),
//! and the `WWW-Authenticate` challenge.
//!
//! May import nothing from soapbridge.

use std::fmt;

/// The error codes of RFC 6750 section 3.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The request is malformed (for example two tokens); HTTP 400.
    InvalidRequest,
    /// The token is expired, revoked, malformed or otherwise not valid; HTTP 401.
    InvalidToken,
    /// The token is valid but lacks a scope the resource needs; HTTP 403.
    InsufficientScope,
}

impl ErrorCode {
    /// The code as it is written in a `WWW-Authenticate` header.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
        }
    }

    /// The HTTP status RFC 6750 pairs with the code.
    pub fn http_status(self) -> u16 {
        match self {
            Self::InvalidRequest => 400,
            Self::InvalidToken => 401,
            Self::InsufficientScope => 403,
        }
    }
}

/// What exactly was wrong with a token (for logs and metrics; the caller sees the
/// description).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwtErrorKind {
    /// No token at all: the challenge carries no error code (RFC 6750 section 3.1).
    Missing,
    /// Not a JWT: parts, base64url, JSON or a claim of the wrong type.
    Malformed(&'static str),
    /// `exp` is in the past (beyond the leeway).
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    NotYetValid,
    /// `iss` is not the configured issuer.
    WrongIssuer,
    /// `aud` names none of the configured audiences.
    WrongAudience,
    /// The signature does not verify with the key the token names.
    BadSignature,
    /// The token names a key (`kid`) that the key set does not hold, even after a re-fetch.
    UnknownKey,
    /// The token's `alg` is not on the allow-list, or does not fit its key.
    DisallowedAlgorithm(String),
    /// A required claim is absent (its name comes from the settings, not from the token).
    MissingClaim(String),
    /// The issuer's keys are not loaded.
    Unavailable,
}

/// A refused bearer token.
#[derive(Clone, PartialEq, Eq)]
pub struct JwtError {
    kind: JwtErrorKind,
}

impl JwtError {
    pub(crate) fn new(kind: JwtErrorKind) -> Self {
        Self { kind }
    }

    /// The error for a request that carries no bearer token.
    pub fn missing() -> Self {
        Self::new(JwtErrorKind::Missing)
    }

    /// The error for a token that cannot be checked because the issuer's keys were never
    /// loaded (the provider was not started).
    pub fn unavailable() -> Self {
        Self::new(JwtErrorKind::Unavailable)
    }

    /// What was wrong.
    pub fn kind(&self) -> &JwtErrorKind {
        &self.kind
    }

    /// The RFC 6750 error code, `None` when no token was sent.
    pub fn code(&self) -> Option<ErrorCode> {
        match self.kind {
            JwtErrorKind::Missing => None,
            _ => Some(ErrorCode::InvalidToken),
        }
    }

    /// The HTTP status to answer with (401 for every token error).
    pub fn http_status(&self) -> u16 {
        self.code().map_or(401, ErrorCode::http_status)
    }

    /// A short description, safe to send to the caller.
    pub fn description(&self) -> String {
        match &self.kind {
            JwtErrorKind::Missing => "no bearer token was sent".to_owned(),
            JwtErrorKind::Malformed(why) => format!("the token is malformed: {why}"),
            JwtErrorKind::Expired => "the token has expired".to_owned(),
            JwtErrorKind::NotYetValid => "the token is not valid yet (nbf)".to_owned(),
            JwtErrorKind::WrongIssuer => "the token was issued by another issuer".to_owned(),
            JwtErrorKind::WrongAudience => "the token is meant for another audience".to_owned(),
            JwtErrorKind::BadSignature => "the token's signature does not verify".to_owned(),
            JwtErrorKind::UnknownKey => "the token is signed with an unknown key".to_owned(),
            JwtErrorKind::DisallowedAlgorithm(why) => format!("the token's algorithm {why}"),
            JwtErrorKind::MissingClaim(name) => {
                format!("the token lacks the required claim `{name}`")
            }
            JwtErrorKind::Unavailable => "the issuer's keys are not loaded".to_owned(),
        }
    }

    /// The `WWW-Authenticate` value for this error:
    /// `Bearer realm="...", error="invalid_token", error_description="..."`.
    pub fn www_authenticate(&self, realm: &str) -> String {
        let mut out = format!("Bearer realm=\"{}\"", quoted(realm));
        if let Some(code) = self.code() {
            out.push_str(", error=\"");
            out.push_str(code.as_str());
            out.push_str("\", error_description=\"");
            out.push_str(&quoted(&self.description()));
            out.push('"');
        }
        out
    }
}

/// The content of an RFC 9110 quoted-string: printable ASCII only (RFC 6750 restricts
/// `error_description` to it), with `"` and `\` escaped.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}

impl fmt::Debug for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtError")
            .field("code", &self.code().map(ErrorCode::as_str))
            .field("kind", &self.kind)
            .finish()
    }
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description())
    }
}

impl std::error::Error for JwtError {}
