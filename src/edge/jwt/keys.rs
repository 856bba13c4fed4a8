//! A JWKS document (RFC 7517) turned into the verification keys one issuer may use, and the
//! lookup of a token's key by `kid` and `alg`.
//!
//! ```text
//! JWKS bytes ──each key──> usable for signatures? for an allowed alg? long enough?
//!            ──jsonwebtoken DecodingKey──> KeySet { generation, keys } (swapped whole)
//! ```
//!
//! A key that cannot be used is skipped with a reason (the set still loads) so that one
//! encryption key or unknown curve in the provider's set does not lock everyone out.
//!
//! May import nothing from soapbridge.

use std::fmt;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyOperations, PublicKeyUse};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, DecodingKeyKind};
use serde_json::Value;

use super::settings::alg_name;

/// The largest JWKS document accepted.
pub(crate) const MAX_JWKS_BYTES: usize = 1024 * 1024;
/// RSA keys shorter than this (in bytes of modulus) are refused (NIST SP 800-131A).
const MIN_RSA_MODULUS_BYTES: usize = 256;

/// One usable verification key.
pub(crate) struct Key {
    kid: Option<String>,
    /// The one algorithm the key is for, when the JWKS (`alg`) or its curve says so.
    alg: Option<Algorithm>,
    family: AlgorithmFamily,
    key: DecodingKey,
}

/// The keys of one issuer at one moment; replaced whole on every change.
pub(crate) struct KeySet {
    /// Increases with every change of the set; cached verifications of older sets are void.
    pub(crate) generation: u64,
    /// SHA-256 of the document the set came from, to tell a change from a re-fetch.
    pub(crate) digest: [u8; 32],
    keys: Vec<Key>,
}

/// The result of looking up a token's key.
pub(crate) enum Lookup<'a> {
    Found(&'a DecodingKey),
    /// The set holds no key with that `kid` (or, without a `kid`, no key for the algorithm).
    Unknown,
    /// No `kid`, and several keys would fit.
    Ambiguous,
    /// The key exists but is for another algorithm (or family) than the token's.
    WrongAlgorithm,
}

impl KeySet {
    /// Parses a JWKS document; `skipped` receives one line per key that cannot be used.
    pub(crate) fn parse(
        body: &[u8],
        allowed: &[Algorithm],
        generation: u64,
        digest: [u8; 32],
        skipped: &mut Vec<String>,
    ) -> Result<Self, String> {
        if body.len() > MAX_JWKS_BYTES {
            return Err(format!(
                "the key set is {} bytes, more than the {MAX_JWKS_BYTES} accepted",
                body.len()
            ));
        }
        let doc: Value =
            serde_json::from_slice(body).map_err(|e| format!("the key set is not JSON: {e}"))?;
        let Some(entries) = doc.get("keys").and_then(Value::as_array) else {
            return Err("the key set has no `keys` array (is this the JWKS URL, and not the OpenID configuration?)".to_owned());
        };
        let mut keys = Vec::with_capacity(entries.len());
        for (i, entry) in entries.iter().enumerate() {
            let kid = entry.get("kid").and_then(Value::as_str).map(str::to_owned);
            let name = match &kid {
                Some(k) => format!("key `{k}`"),
                None => format!("key #{}", i + 1),
            };
            match usable(entry, allowed) {
                Ok(key) => keys.push(Key { kid, ..key }),
                Err(why) => skipped.push(format!("{name}: {why}")),
            }
        }
        if keys.is_empty() {
            let names: Vec<&str> = allowed.iter().map(|a| alg_name(*a)).collect();
            let mut msg = format!(
                "the key set holds no key usable for {} ({} keys in it)",
                names.join(", "),
                entries.len()
            );
            if !skipped.is_empty() {
                msg.push_str(": ");
                msg.push_str(&skipped.join("; "));
            }
            return Err(msg);
        }
        Ok(Self {
            generation,
            digest,
            keys,
        })
    }

    /// The key for a token with this `kid` and `alg`.
    pub(crate) fn find(&self, kid: Option<&str>, alg: Algorithm) -> Lookup<'_> {
        let fits = |k: &Key| k.family == alg.family() && k.alg.is_none_or(|a| a == alg);
        match kid {
            Some(kid) => {
                let mut named = self.keys.iter().filter(|k| k.kid.as_deref() == Some(kid));
                let Some(first) = named.next() else {
                    return Lookup::Unknown;
                };
                if fits(first) {
                    return Lookup::Found(&first.key);
                }
                // A provider may publish the same kid for keys of two types.
                match named.find(|k| fits(k)) {
                    Some(k) => Lookup::Found(&k.key),
                    None => Lookup::WrongAlgorithm,
                }
            }
            None => {
                let mut candidates = self.keys.iter().filter(|k| fits(k));
                match (candidates.next(), candidates.next()) {
                    (Some(k), None) => Lookup::Found(&k.key),
                    (Some(_), Some(_)) => Lookup::Ambiguous,
                    (None, _) => Lookup::Unknown,
                }
            }
        }
    }

    /// The key ids in the set, for logs and `Debug`.
    pub(crate) fn kids(&self) -> Vec<&str> {
        self.keys
            .iter()
            .map(|k| k.kid.as_deref().unwrap_or("(no kid)"))
            .collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }
}

impl fmt::Debug for KeySet {
    /// Key ids and algorithms only: never key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySet")
            .field("generation", &self.generation)
            .field("kids", &self.kids())
            .finish()
    }
}

/// A key from one JWKS entry, or why it cannot verify this issuer's tokens.
fn usable(entry: &Value, allowed: &[Algorithm]) -> Result<Key, String> {
    let jwk: Jwk = serde_json::from_value(entry.clone())
        .map_err(|e| format!("not a JWK this gateway reads ({e})"))?;
    match &jwk.common.public_key_use {
        None | Some(PublicKeyUse::Signature) => {}
        Some(_) => return Err("not a signature key (`use` is not `sig`)".to_owned()),
    }
    if let Some(ops) = &jwk.common.key_operations
        && !ops.iter().any(|o| matches!(o, KeyOperations::Verify))
    {
        return Err("`key_ops` does not include `verify`".to_owned());
    }
    let declared = match jwk.common.key_algorithm {
        None => None,
        Some(ka) => Some(
            Algorithm::try_from(ka)
                .map_err(|_| format!("`alg` {ka} is not a signature algorithm"))?,
        ),
    };
    let (family, implied) = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => (AlgorithmFamily::Rsa, None),
        AlgorithmParameters::EllipticCurve(p) => match p.curve {
            EllipticCurve::P256 => (AlgorithmFamily::Ec, Some(Algorithm::ES256)),
            EllipticCurve::P384 => (AlgorithmFamily::Ec, Some(Algorithm::ES384)),
            _ => return Err("its curve is not supported (P-256 and P-384 are)".to_owned()),
        },
        AlgorithmParameters::OctetKey(_) => (AlgorithmFamily::Hmac, None),
        AlgorithmParameters::OctetKeyPair(_) => (AlgorithmFamily::Ed, Some(Algorithm::EdDSA)),
        _ => return Err("its key type is not supported".to_owned()),
    };
    if let (Some(d), Some(i)) = (declared, implied)
        && d != i
    {
        return Err(format!("`alg` {} does not fit its curve", alg_name(d)));
    }
    let alg = declared.or(implied);
    let wanted = |a: &Algorithm| a.family() == family && alg.is_none_or(|k| k == *a);
    if !allowed.iter().any(wanted) {
        return Err(match alg {
            Some(a) => format!(
                "it is for {}, which is not among the algorithms",
                alg_name(a)
            ),
            None => "its key type fits none of the algorithms".to_owned(),
        });
    }
    let key = DecodingKey::from_jwk(&jwk).map_err(|e| format!("it cannot be read ({e})"))?;
    if let DecodingKeyKind::RsaModulusExponent { n, .. } = key.kind() {
        let bytes = n.iter().skip_while(|b| **b == 0).count();
        if bytes < MIN_RSA_MODULUS_BYTES {
            return Err(format!(
                "its RSA modulus has {} bits, fewer than the 2048 required",
                bytes * 8
            ));
        }
    }
    Ok(Key {
        kid: None,
        alg,
        family,
        key,
    })
}
