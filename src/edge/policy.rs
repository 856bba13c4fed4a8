//! A policy: which providers may authenticate a call and what the caller must hold.
//!
//! ```text
//! public?  ──yes──> Identity::Anonymous
//! each provider, in order: credentials present? ──verify──> Principal | 401 invalid
//! none presented ──> 401 with a challenge (Bearer when a JWT provider is accepted)
//! consumers / scopes required? ──missing──> 403 (a token: error="insufficient_scope")
//! ```
//!
//! May import `gateway` (the identity types).

use std::sync::Arc;

use super::apikey::{ApiKeys, KeyLocation};
use super::jwt::{ErrorCode, JwtError, JwtSettings, JwtVerifier, bearer_token};
use super::limit::RateLimit;
use crate::gateway::{Identity, Principal};

/// An authentication provider, named in the gateway configuration.
#[derive(Debug)]
pub enum Provider {
    ApiKey(ApiKeys),
    /// Bearer tokens of one issuer.
    Jwt(Box<JwtProvider>),
    /// The verified client certificate of a mutual-TLS connection; the consumer is its
    /// subject.
    ClientCertificate,
}

/// A JWT provider: its settings, checked when the configuration loads, and the verifier,
/// which needs a runtime (it may fetch the keys) and so starts with [`JwtProvider::start`].
#[derive(Debug)]
pub struct JwtProvider {
    pub settings: JwtSettings,
    /// The `realm` of its challenges.
    pub realm: String,
    /// The claim whose value names the consumer (`sub` by default).
    pub consumer_claim: String,
    verifier: tokio::sync::OnceCell<JwtVerifier>,
}

impl JwtProvider {
    pub fn new(settings: JwtSettings, realm: String, consumer_claim: String) -> Self {
        Self {
            settings,
            realm,
            consumer_claim,
            verifier: tokio::sync::OnceCell::new(),
        }
    }

    /// Loads the key set (reads the file or fetches the URL) and starts its refresh; must
    /// run inside a tokio runtime. Idempotent.
    pub async fn start(&self) -> Result<(), String> {
        self.verifier
            .get_or_try_init(|| JwtVerifier::new(self.settings.clone()))
            .await
            .map(|_| ())
    }

    fn challenge(&self, err: Option<&JwtError>) -> String {
        match err {
            Some(e) => e.www_authenticate(&self.realm),
            None => JwtError::missing().www_authenticate(&self.realm),
        }
    }
}

/// What the face offers to authenticate with.
pub struct Credentials<'a> {
    /// A request header by lower-case name (`Sync`, so a face whose calls move between
    /// threads can hold it across the policy's await).
    pub header: &'a (dyn Fn(&str) -> Option<&'a str> + Sync),
    /// The query's (name, value) pairs.
    pub query: &'a [(String, String)],
    /// The verified client certificate of the connection: (subject, subjectAltNames).
    pub client_cert: Option<(&'a str, &'a [String])>,
}

/// Why a call is refused at the edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denied {
    /// 401: not authenticated; 403: authenticated, not allowed.
    pub status: u16,
    /// For the caller: what to do, never a credential.
    pub detail: String,
    /// `WWW-Authenticate`, when the scheme has one.
    pub challenge: Option<String>,
}

impl From<Denied> for crate::gateway::Problem {
    /// The refusal every face answers with: 403 `forbidden` or 401 `unauthenticated`.
    fn from(denied: Denied) -> Self {
        match denied.status {
            403 => Self::forbidden(denied.detail, denied.challenge),
            _ => Self::unauthenticated(denied.detail, denied.challenge),
        }
    }
}

/// A compiled policy.
#[derive(Debug)]
pub struct Policy {
    pub name: String,
    /// Anyone may call.
    pub public: bool,
    /// (provider name, provider), tried in order.
    pub providers: Vec<(String, Arc<Provider>)>,
    /// If not empty: the consumer must be one of these.
    pub consumers: Vec<String>,
    /// Every one of these scopes must be granted.
    pub scopes: Vec<String>,
    /// How often one consumer may call one route (per replica).
    pub rate_limit: Option<RateLimit>,
}

/// The first failure met while trying the providers: what the caller is told.
struct Refusal {
    detail: String,
    challenge: Option<String>,
}

impl Policy {
    /// A policy with these providers and requirements, and no rate limit.
    pub fn new(name: impl Into<String>, providers: Vec<(String, Arc<Provider>)>) -> Self {
        Self {
            name: name.into(),
            public: false,
            providers,
            consumers: Vec::new(),
            scopes: Vec::new(),
            rate_limit: None,
        }
    }

    /// The caller's identity, or why the call is refused.
    pub async fn admit(&self, c: &Credentials<'_>) -> Result<Identity, Denied> {
        if self.public {
            return Ok(Identity::Anonymous);
        }
        let mut refusal: Option<Refusal> = None;
        let mut principal = None;
        // The JWT provider whose token verified, for an insufficient_scope challenge.
        let mut bearer_realm: Option<&JwtProvider> = None;
        // Whether a client certificate authenticated (its SANs may then be listed consumers).
        let mut from_cert = false;
        for (name, p) in &self.providers {
            match p.as_ref() {
                Provider::ApiKey(keys) => {
                    let presented = match &keys.location {
                        KeyLocation::Header(h) => (c.header)(h),
                        KeyLocation::Query(q) => c
                            .query
                            .iter()
                            .find(|(k, _)| k == q)
                            .map(|(_, v)| v.as_str()),
                    };
                    let Some(presented) = presented else { continue };
                    match keys.consumer(presented) {
                        Some(consumer) => {
                            principal = Some(Principal {
                                provider: name.clone(),
                                consumer: consumer.to_owned(),
                                subject: None,
                                scopes: Vec::new(),
                                claims: serde_json::Map::new(),
                            });
                            break;
                        }
                        None => {
                            refusal.get_or_insert_with(|| Refusal {
                                detail: format!(
                                    "the API key given in {} is not known",
                                    where_(keys)
                                ),
                                challenge: None,
                            });
                        }
                    }
                }
                Provider::Jwt(jwt) => {
                    let Some(authorization) = (c.header)("authorization") else {
                        continue;
                    };
                    let verified = match bearer_token(authorization) {
                        // Another scheme (Basic...): not this provider's to judge.
                        Err(e) if e.code().is_none() => continue,
                        Err(e) => Err(e),
                        Ok(token) => match jwt.verifier.get() {
                            Some(v) => v.verify(token).await,
                            // `start` was not awaited: a bug, refused rather than admitted.
                            None => Err(JwtError::unavailable()),
                        },
                    };
                    match verified {
                        Ok(v) => {
                            let consumer = v
                                .claims
                                .get(&jwt.consumer_claim)
                                .and_then(serde_json::Value::as_str)
                                .or(v.subject.as_deref())
                                .unwrap_or("-")
                                .to_owned();
                            principal = Some(Principal {
                                provider: name.clone(),
                                consumer,
                                subject: v.subject,
                                scopes: v.scopes,
                                claims: v.claims,
                            });
                            bearer_realm = Some(jwt);
                            break;
                        }
                        Err(e) => {
                            refusal.get_or_insert_with(|| Refusal {
                                detail: e.description(),
                                challenge: Some(jwt.challenge(Some(&e))),
                            });
                        }
                    }
                }
                Provider::ClientCertificate => {
                    if let Some((subject, sans)) = c.client_cert {
                        principal = Some(Principal {
                            provider: name.clone(),
                            consumer: subject.to_owned(),
                            subject: Some(subject.to_owned()),
                            // A certificate grants no scopes; its SANs can be allowed as
                            // consumers.
                            scopes: Vec::new(),
                            claims: sans
                                .iter()
                                .enumerate()
                                .map(|(i, s)| {
                                    (format!("san{i}"), serde_json::Value::from(s.as_str()))
                                })
                                .collect(),
                        });
                        from_cert = true;
                        break;
                    }
                }
            }
        }
        let Some(principal) = principal else {
            let r = refusal.unwrap_or_else(|| Refusal {
                detail: self.what_to_send(),
                challenge: self.first_bearer().map(|j| j.challenge(None)),
            });
            return Err(Denied {
                status: 401,
                detail: r.detail,
                challenge: r.challenge,
            });
        };
        let allowed = self.consumers.contains(&principal.consumer)
            || principal
                .claims
                .iter()
                .filter(|(k, _)| from_cert && k.starts_with("san"))
                .filter_map(|(_, v)| v.as_str())
                // SANs read `URI:spiffe://...`, `DNS:host`: either form may be listed.
                .any(|san| {
                    let bare = san.split_once(':').map_or(san, |(_, v)| v);
                    self.consumers.iter().any(|c| c == san || c == bare)
                });
        if !self.consumers.is_empty() && !allowed {
            return Err(Denied {
                status: 403,
                detail: format!(
                    "consumer `{}` may not call this route (policy `{}`)",
                    principal.consumer, self.name
                ),
                challenge: None,
            });
        }
        let missing: Vec<&str> = self
            .scopes
            .iter()
            .filter(|s| !principal.scopes.contains(s))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            let detail = format!("the call needs the scope(s) {}", missing.join(" "));
            // RFC 6750 section 3.1: a valid token without the scope gets insufficient_scope,
            // with the scope the resource needs.
            let challenge = bearer_realm.map(|j| {
                format!(
                    "Bearer realm=\"{}\", error=\"{}\", error_description=\"the token lacks a required scope\", scope=\"{}\"",
                    j.realm.replace(['"', '\\'], ""),
                    ErrorCode::InsufficientScope.as_str(),
                    self.scopes.join(" ").replace(['"', '\\'], "")
                )
            });
            return Err(Denied {
                status: 403,
                detail,
                challenge,
            });
        }
        Ok(Identity::Authenticated(Arc::new(principal)))
    }

    fn first_bearer(&self) -> Option<&JwtProvider> {
        self.providers.iter().find_map(|(_, p)| match p.as_ref() {
            Provider::Jwt(j) => Some(j.as_ref()),
            _ => None,
        })
    }

    /// What a caller without credentials is told to send.
    fn what_to_send(&self) -> String {
        let ways: Vec<String> = self
            .providers
            .iter()
            .map(|(_, p)| match p.as_ref() {
                Provider::ApiKey(k) => format!("an API key in {}", where_(k)),
                Provider::Jwt(_) => "a bearer token in the `Authorization` header".to_owned(),
                Provider::ClientCertificate => "a client certificate (mutual TLS)".to_owned(),
            })
            .collect();
        format!("this route needs credentials: {}", ways.join(", or "))
    }
}

fn where_(k: &ApiKeys) -> String {
    match &k.location {
        KeyLocation::Header(h) => format!("the `{h}` header"),
        KeyLocation::Query(q) => format!("the `{q}` query parameter"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edge::apikey::{StoredKey, hash};

    fn policy(consumers: &[&str]) -> Policy {
        let keys = ApiKeys {
            location: KeyLocation::Header("x-api-key".into()),
            keys: vec![
                StoredKey {
                    consumer: "billing".into(),
                    sha256: hash("good-key"),
                },
                StoredKey {
                    consumer: "crm".into(),
                    sha256: hash("crm-key"),
                },
            ],
        };
        let mut p = Policy::new(
            "orders",
            vec![("partners".into(), Arc::new(Provider::ApiKey(keys)))],
        );
        p.consumers = consumers.iter().map(|s| (*s).to_owned()).collect();
        p
    }

    fn admit(p: &Policy, key: Option<&'static str>) -> Result<Identity, Denied> {
        let header = move |name: &str| if name == "x-api-key" { key } else { None };
        let creds = Credentials {
            header: &header,
            query: &[],
            client_cert: None,
        };
        futures_util::FutureExt::now_or_never(p.admit(&creds)).expect("API keys need no waiting")
    }

    #[test]
    fn good_bad_and_missing_keys() {
        let p = policy(&[]);
        match admit(&p, Some("good-key")) {
            Ok(Identity::Authenticated(pr)) => {
                assert_eq!(
                    (pr.consumer.as_str(), pr.provider.as_str()),
                    ("billing", "partners")
                )
            }
            other => panic!("{other:?}"),
        }
        let bad = admit(&p, Some("guess")).expect_err("refused");
        assert_eq!(bad.status, 401);
        assert!(
            bad.detail.contains("not known") && !bad.detail.contains("guess"),
            "{bad:?}"
        );
        let none = admit(&p, None).expect_err("refused");
        assert_eq!(none.status, 401);
        assert!(none.detail.contains("`x-api-key` header"), "{none:?}");
    }

    #[test]
    fn a_consumer_outside_the_list_is_forbidden() {
        let p = policy(&["billing"]);
        assert!(admit(&p, Some("good-key")).is_ok());
        let e = admit(&p, Some("crm-key")).expect_err("forbidden");
        assert_eq!(e.status, 403);
        assert!(e.detail.contains("`crm`"), "{e:?}");
    }

    #[test]
    fn a_public_policy_admits_anyone() {
        let mut p = policy(&[]);
        p.public = true;
        assert_eq!(admit(&p, None), Ok(Identity::Anonymous));
    }
}
