//! WS-Security (OASIS WSS 1.0) UsernameToken and Timestamp headers.
//!
//! ```text
//! <wsse:Security soapenv:mustUnderstand="1">
//!   <wsu:Timestamp><wsu:Created/><wsu:Expires/></wsu:Timestamp>
//!   <wsse:UsernameToken><wsse:Username/><wsse:Password Type="#PasswordText|#PasswordDigest"/>
//!     <wsse:Nonce EncodingType="#Base64Binary"/><wsu:Created/></wsse:UsernameToken>
//! </wsse:Security>
//! ```
//!
//! The digest is Base64(SHA-1(nonce + created + password)), as the UsernameToken profile
//! defines. A fresh nonce and time are made for every call.
//!
//! May import `translate` (the writer), `xmlutil`.

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use sha1::{Digest, Sha1};

use super::envelope::HeaderWriter;
use crate::translate::XmlWriter;

pub use crate::xmlutil::{WSSE_NS, WSU_NS};
const PASSWORD_TEXT: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";
const PASSWORD_DIGEST: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
const BASE64: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

/// A backend's UsernameToken settings, built by the mapping compiler. `Debug` leaves the
/// password out.
#[derive(Clone)]
pub struct WsSecurity {
    pub username: String,
    pub password: String,
    /// `PasswordDigest` instead of `PasswordText`.
    pub digest: bool,
    /// Add a `wsu:Timestamp`.
    pub timestamp: bool,
}

impl std::fmt::Debug for WsSecurity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsSecurity")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("digest", &self.digest)
            .field("timestamp", &self.timestamp)
            .finish()
    }
}

/// A Security header for one call.
pub struct SecurityHeader<'a> {
    pub config: &'a WsSecurity,
    pub env_ns: &'a str,
    pub now: SystemTime,
    pub nonce: [u8; 16],
}

impl<'a> SecurityHeader<'a> {
    /// A header with the current time and a random nonce.
    pub fn fresh(config: &'a WsSecurity, env_ns: &'a str) -> Self {
        Self {
            config,
            env_ns,
            now: SystemTime::now(),
            nonce: *uuid::Uuid::new_v4().as_bytes(),
        }
    }
}

fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// Base64(SHA-1(nonce + created + password)).
pub fn password_digest(nonce: &[u8], created: &str, password: &str) -> String {
    let mut h = Sha1::new();
    h.update(nonce);
    h.update(created.as_bytes());
    h.update(password.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(h.finalize())
}

impl HeaderWriter for SecurityHeader<'_> {
    fn write(&self, w: &mut XmlWriter) {
        let created = rfc3339(self.now);
        w.start(WSSE_NS, "Security");
        w.attr(self.env_ns, "mustUnderstand", "1");
        if self.config.timestamp {
            w.start(WSU_NS, "Timestamp");
            w.start(WSU_NS, "Created");
            w.text(&created);
            w.end();
            w.start(WSU_NS, "Expires");
            w.text(&rfc3339(self.now + Duration::from_secs(300)));
            w.end();
            w.end();
        }
        w.start(WSSE_NS, "UsernameToken");
        w.start(WSSE_NS, "Username");
        w.text(&self.config.username);
        w.end();
        w.start(WSSE_NS, "Password");
        if self.config.digest {
            w.attr("", "Type", PASSWORD_DIGEST);
            w.text(&password_digest(
                &self.nonce,
                &created,
                &self.config.password,
            ));
        } else {
            w.attr("", "Type", PASSWORD_TEXT);
            w.text(&self.config.password);
        }
        w.end();
        if self.config.digest {
            w.start(WSSE_NS, "Nonce");
            w.attr("", "EncodingType", BASE64);
            w.text(&base64::engine::general_purpose::STANDARD.encode(self.nonce));
            w.end();
            w.start(WSU_NS, "Created");
            w.text(&created);
            w.end();
        }
        w.end();
        w.end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_matches_an_independent_computation() {
        // Expected value computed with Python's hashlib and base64 from the same inputs.
        let nonce = base64::engine::general_purpose::STANDARD
            .decode("WScqanjCEAC4mQoBE07sAQ==")
            .expect("nonce");
        let digest = password_digest(&nonce, "2003-07-16T01:24:32Z", "taadtaadpstcsm");
        assert_eq!(digest, "AtYMdWClJo7PIuTpqmhmEEoEZyc=");
    }

    #[test]
    fn writes_a_digest_token() {
        let cfg = WsSecurity {
            username: "u".into(),
            password: "p".into(),
            digest: true,
            timestamp: true,
        };
        let h = SecurityHeader {
            config: &cfg,
            env_ns: crate::xmlutil::SOAP11_ENV_NS,
            now: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            nonce: [7; 16],
        };
        let mut w = XmlWriter::new();
        w.start(crate::xmlutil::SOAP11_ENV_NS, "Header");
        h.write(&mut w);
        let xml = w.finish();
        assert!(xml.contains(">2023-11-14T22:13:20.000Z<"), "{xml}");
        assert!(
            xml.contains(">2023-11-14T22:18:20.000Z<"),
            "expires five minutes later: {xml}"
        );
        assert!(xml.contains("#PasswordDigest\">"), "{xml}");
        assert!(
            xml.contains(&password_digest(&[7; 16], "2023-11-14T22:13:20.000Z", "p")),
            "{xml}"
        );
        assert!(xml.contains("mustUnderstand=\"1\""), "{xml}");
    }
}
