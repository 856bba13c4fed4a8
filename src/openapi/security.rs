//! Who may call each route, as the document says it: `components.securitySchemes` (one per
//! authentication provider), each operation's `security` (the providers its policy accepts,
//! with the scopes it requires; `[]` for a public route), and the 401/403/429 problems a
//! policy can lead to.
//!
//! The face builds [`Security`] from the gateway configuration; this module never sees a
//! credential, only where callers put theirs.
//!
//! May import: the sibling files of `openapi`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// How callers authenticate, for the document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Security {
    /// Security Scheme Objects by provider name.
    pub schemes: BTreeMap<String, Value>,
    /// By policy name.
    pub policies: BTreeMap<String, PolicyDoc>,
}

/// What one policy asks of a caller.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyDoc {
    /// Anyone may call.
    pub public: bool,
    /// Providers accepted, in order (names in [`Security::schemes`]).
    pub providers: Vec<String>,
    /// Scopes every caller must hold.
    pub scopes: Vec<String>,
    /// Only these consumers are admitted.
    pub consumers: Vec<String>,
    /// `requests` per `per`, when the policy limits calls.
    pub rate_limit: Option<String>,
}

impl Security {
    /// The Security Scheme Object of a bearer-token (JWT) provider.
    pub fn bearer(issuer: &str, audiences: &[String]) -> Value {
        json!({
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": format!(
                "A JWT of issuer `{issuer}` for audience {}.",
                audiences
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        })
    }

    /// The Security Scheme Object of an API-key provider: `location` is `header` or `query`.
    pub fn api_key(location: &str, name: &str) -> Value {
        json!({ "type": "apiKey", "in": location, "name": name })
    }

    /// The Security Scheme Object of the client certificate of a mutual-TLS connection.
    pub fn mutual_tls() -> Value {
        json!({
            "type": "mutualTLS",
            "description": "A client certificate the listener's client CA bundle verifies.",
        })
    }

    pub(super) fn policy(&self, name: &str) -> Option<&PolicyDoc> {
        self.policies.get(name)
    }

    /// `components.securitySchemes`, when there is any.
    pub(super) fn components(&self) -> Option<Value> {
        (!self.schemes.is_empty()).then(|| {
            Value::Object(
                self.schemes
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            )
        })
    }
}

impl PolicyDoc {
    /// The operation's `security`: one requirement per accepted provider (any one will do),
    /// each with the policy's scopes (OpenAPI 3.1 allows them as roles for every scheme
    /// type); `[]` for a public route.
    pub(super) fn requirements(&self) -> Value {
        if self.public {
            return json!([]);
        }
        Value::Array(
            self.providers
                .iter()
                .map(|p| {
                    let mut m = Map::new();
                    m.insert(p.clone(), json!(self.scopes));
                    Value::Object(m)
                })
                .collect(),
        )
    }

    /// The problems this policy can answer with, by status.
    pub(super) fn problems(&self) -> Vec<(u16, String)> {
        if self.public {
            return Vec::new();
        }
        let mut out = vec![(
            401,
            "`unauthenticated`: no credentials, or credentials that are not valid; \
             `WWW-Authenticate` names the scheme (RFC 6750 `error` codes for bearer tokens)."
                .to_owned(),
        )];
        let mut why = Vec::new();
        if !self.scopes.is_empty() {
            why.push(format!(
                "without the scope{} {}",
                if self.scopes.len() == 1 { "" } else { "s" },
                self.scopes
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !self.consumers.is_empty() {
            why.push("not one of the consumers the policy admits".to_owned());
        }
        if !why.is_empty() {
            out.push((
                403,
                format!(
                    "`forbidden`: the caller is authenticated but {}.",
                    why.join(", or ")
                ),
            ));
        }
        if let Some(rate) = &self.rate_limit {
            out.push((
                429,
                format!(
                    "`rate-limited`: more than {rate} for this caller; `Retry-After` says \
                     when to try again."
                ),
            ));
        }
        out
    }
}
