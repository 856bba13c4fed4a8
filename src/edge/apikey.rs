//! API keys: a key presented in a header or query parameter, matched against stored
//! SHA-256 hashes, each with the consumer it names.
//!
//! Only hashes are kept in memory, so a heap dump or a `Debug` print never shows a key. The
//! presented key is hashed and compared with every stored hash in constant time (`subtle`),
//! without stopping at the first match, so timing says nothing about which key is close.
//!
//! May import nothing from soapbridge.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq as _;

/// Where the caller puts the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyLocation {
    /// A request header, by name (case-insensitive).
    Header(String),
    /// A query parameter, by name.
    Query(String),
}

/// One accepted key: its SHA-256 and the consumer it identifies.
#[derive(Clone)]
pub struct StoredKey {
    pub consumer: String,
    pub sha256: [u8; 32],
}

impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKey")
            .field("consumer", &self.consumer)
            .finish_non_exhaustive()
    }
}

/// An API-key provider.
#[derive(Clone, Debug)]
pub struct ApiKeys {
    pub location: KeyLocation,
    pub keys: Vec<StoredKey>,
}

/// The SHA-256 of a key, as stored.
pub fn hash(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// Parses a stored hash written as 64 hexadecimal digits.
pub fn parse_hex_sha256(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

impl ApiKeys {
    /// The consumer of `presented`, if it is one of the keys.
    pub fn consumer(&self, presented: &str) -> Option<&str> {
        let h = hash(presented);
        let mut found = None;
        for k in &self.keys {
            if bool::from(k.sha256.ct_eq(&h)) && found.is_none() {
                found = Some(k.consumer.as_str());
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> ApiKeys {
        ApiKeys {
            location: KeyLocation::Header("x-api-key".into()),
            keys: vec![
                StoredKey {
                    consumer: "billing".into(),
                    sha256: hash("key-one"),
                },
                StoredKey {
                    consumer: "crm".into(),
                    sha256: hash("key-two"),
                },
            ],
        }
    }

    #[test]
    fn a_known_key_names_its_consumer_and_others_name_none() {
        let k = keys();
        assert_eq!(k.consumer("key-two"), Some("crm"));
        assert_eq!(k.consumer("key-one"), Some("billing"));
        assert_eq!(k.consumer("key-on"), None);
        assert_eq!(k.consumer(""), None);
    }

    #[test]
    fn hex_hashes_parse_and_match() {
        // SHA-256("test"), as `printf test | sha256sum` prints it.
        let h =
            parse_hex_sha256("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
                .expect("hex");
        assert_eq!(h, hash("test"));
        assert_eq!(parse_hex_sha256("9f86"), None);
        assert_eq!(parse_hex_sha256(&"zz".repeat(32)), None);
    }

    #[test]
    fn debug_shows_consumers_not_hashes() {
        let text = format!("{:?}", keys());
        assert!(text.contains("billing"), "{text}");
        assert!(!text.contains("sha256"), "{text}");
    }
}
