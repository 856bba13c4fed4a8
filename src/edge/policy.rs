//! A policy: which providers may authenticate a call and what the caller must hold.
//!
//! ```text
//! public?  ──yes──> Identity::Anonymous
//! each provider, in order: credentials present? ──verify──> Principal | 401 invalid
//! none presented ──> 401 with a challenge
//! consumers / scopes required? ──missing──> 403
//! ```
//!
//! May import `gateway` (the identity types).

use std::sync::Arc;

use super::apikey::{ApiKeys, KeyLocation};
use crate::gateway::{Identity, Principal};

/// An authentication provider, named in the gateway configuration.
#[derive(Debug)]
pub enum Provider {
    ApiKey(ApiKeys),
    /// The verified client certificate of a mutual-TLS connection; the consumer is its
    /// subject.
    ClientCertificate,
}

/// What the face offers to authenticate with.
pub struct Credentials<'a> {
    /// A request header by lower-case name.
    pub header: &'a dyn Fn(&str) -> Option<&'a str>,
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
}

impl Policy {
    /// The caller's identity, or why the call is refused.
    pub fn admit(&self, c: &Credentials<'_>) -> Result<Identity, Denied> {
        if self.public {
            return Ok(Identity::Anonymous);
        }
        let mut invalid: Option<String> = None;
        let mut principal = None;
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
                            invalid.get_or_insert_with(|| {
                                format!("the API key given in {} is not known", where_(keys))
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
                        break;
                    }
                }
            }
        }
        let Some(principal) = principal else {
            return Err(Denied {
                status: 401,
                detail: invalid.unwrap_or_else(|| self.what_to_send()),
                challenge: None,
            });
        };
        let allowed = self.consumers.contains(&principal.consumer)
            || principal
                .claims
                .values()
                .filter_map(|v| v.as_str())
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
            return Err(Denied {
                status: 403,
                detail: format!("the call needs the scope(s) {}", missing.join(" ")),
                challenge: None,
            });
        }
        Ok(Identity::Authenticated(Arc::new(principal)))
    }

    /// What a caller without credentials is told to send.
    fn what_to_send(&self) -> String {
        let ways: Vec<String> = self
            .providers
            .iter()
            .map(|(_, p)| match p.as_ref() {
                Provider::ApiKey(k) => format!("an API key in {}", where_(k)),
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
        Policy {
            name: "orders".into(),
            public: false,
            providers: vec![("partners".into(), Arc::new(Provider::ApiKey(keys)))],
            consumers: consumers.iter().map(|s| (*s).to_owned()).collect(),
            scopes: Vec::new(),
        }
    }

    fn admit(p: &Policy, key: Option<&'static str>) -> Result<Identity, Denied> {
        let header = move |name: &str| if name == "x-api-key" { key } else { None };
        p.admit(&Credentials {
            header: &header,
            query: &[],
            client_cert: None,
        })
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
