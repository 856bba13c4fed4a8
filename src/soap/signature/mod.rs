//! WS-Security X.509 signatures (OASIS WSS 1.0 X.509 Token Profile, XMLDSig) on outgoing
//! requests: called with an envelope as `soap::build_request` wrote it, returns it signed.
//!
//! ```text
//! SignatureConfig (key + certificate files, or PKCS#12 + password; choices)
//!   ─load─> SignatureSettings (Credentials checked to belong together)
//! envelope text ─sign(settings, now)─> envelope with wsse:Security { Timestamp,
//!   [BinarySecurityToken], ds:Signature over Body + Timestamp + chosen header blocks }
//! ```
//!
//! Pieces: [`dom`] (the envelope as a tree), [`c14n`] (exclusive canonicalization),
//! [`keys`] (loading keys, signing bytes), `sign` (the header and the signature), `verify`
//! (the reverse, against a [`TrustStore`]).
//!
//! May import `xmlutil`, `soap::security`; never `mapping`, `gateway` or a face.

pub mod c14n;
pub mod dom;
pub mod keys;
mod sign;
mod verify;

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

pub use dom::DomError;
pub use keys::{Algorithm, Certificate, Credentials, CryptoError, KeyError, PrivateKey};
pub use verify::{TrustStore, VerifiedParts, VerifyError};

/// How the signature's KeyInfo points at the signer's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenReference {
    /// The certificate travels in a `wsse:BinarySecurityToken`, referenced by `wsse:Reference`.
    BinarySecurityToken,
    /// `ds:X509Data/ds:X509IssuerSerial`: the backend already holds the certificate.
    IssuerSerial,
    /// `wsse:KeyIdentifier` with the certificate's SubjectKeyIdentifier extension.
    SubjectKeyIdentifier,
}

/// Everything [`sign`] needs, ready to use: keys parsed and checked.
#[derive(Debug)]
pub struct SignatureSettings {
    pub credentials: Credentials,
    pub algorithm: Algorithm,
    pub token_reference: TokenReference,
    /// Header blocks to sign besides Body and Timestamp, by (namespace URI, local name),
    /// when the message has them.
    pub sign_headers: Vec<(String, String)>,
    /// How long the Timestamp is valid (`Expires - Created`).
    pub timestamp_ttl: Duration,
    /// The exclusive C14N `InclusiveNamespaces PrefixList` (`#default` for the default
    /// namespace), written on the CanonicalizationMethod and every Transform; `None`
    /// writes no InclusiveNamespaces element.
    pub inclusive_prefixes: Option<Vec<String>>,
}

/// The default Timestamp lifetime.
pub const DEFAULT_TIMESTAMP_TTL: Duration = Duration::from_secs(300);

impl SignatureSettings {
    /// Settings with the defaults: the algorithm that fits the key (RSA-SHA256 or
    /// ECDSA-SHA256), a BinarySecurityToken, five minutes, no extra headers, no PrefixList.
    pub fn new(credentials: Credentials) -> Self {
        Self {
            algorithm: credentials.key.default_algorithm(),
            credentials,
            token_reference: TokenReference::BinarySecurityToken,
            sign_headers: Vec::new(),
            timestamp_ttl: DEFAULT_TIMESTAMP_TTL,
            inclusive_prefixes: None,
        }
    }
}

/// Where the key and certificate are. The caller reads passwords from the environment or
/// secret files; `Debug` leaves the password out.
#[derive(Clone, PartialEq, Eq)]
pub enum KeySource {
    Pem { key: PathBuf, certificate: PathBuf },
    Pkcs12 { path: PathBuf, password: String },
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Pem { key, certificate } => f
                .debug_struct("Pem")
                .field("key", key)
                .field("certificate", certificate)
                .finish(),
            Self::Pkcs12 { path, .. } => f
                .debug_struct("Pkcs12")
                .field("path", path)
                .field("password", &"<redacted>")
                .finish(),
        }
    }
}

/// A backend's signature configuration, as files and choices; [`SignatureConfig::load`]
/// reads the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureConfig {
    pub keys: KeySource,
    /// `None`: the algorithm that fits the key.
    pub algorithm: Option<Algorithm>,
    pub token_reference: TokenReference,
    pub sign_headers: Vec<(String, String)>,
    /// `None`: [`DEFAULT_TIMESTAMP_TTL`].
    pub timestamp_ttl: Option<Duration>,
    pub inclusive_prefixes: Option<Vec<String>>,
}

impl SignatureConfig {
    /// Reads the key and certificate and checks they belong together and with the choices:
    /// the algorithm fits the key, and a SubjectKeyIdentifier reference has an extension to
    /// name. What passes here cannot fail for a configuration reason when signing.
    pub fn load(&self) -> Result<SignatureSettings, KeyError> {
        let credentials = match &self.keys {
            KeySource::Pem { key, certificate } => Credentials::from_pem_files(key, certificate)?,
            KeySource::Pkcs12 { path, password } => Credentials::from_pkcs12_file(path, password)?,
        };
        let mut s = SignatureSettings::new(credentials);
        if let Some(a) = self.algorithm {
            s.algorithm = a;
        }
        s.token_reference = self.token_reference;
        s.sign_headers.clone_from(&self.sign_headers);
        s.timestamp_ttl = self.timestamp_ttl.unwrap_or(DEFAULT_TIMESTAMP_TTL);
        s.inclusive_prefixes.clone_from(&self.inclusive_prefixes);
        if !s.credentials.key.fits(s.algorithm) {
            return Err(KeyError::AlgorithmMismatch {
                algorithm: s.algorithm.name(),
                key: s.credentials.key.kind(),
            });
        }
        if s.token_reference == TokenReference::SubjectKeyIdentifier
            && s.credentials.certificate.subject_key_id.is_none()
        {
            return Err(KeyError::NoSubjectKeyIdentifier);
        }
        Ok(s)
    }
}

/// Why an envelope could not be signed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignError {
    #[error(transparent)]
    Envelope(#[from] DomError),
    #[error("the document is not a SOAP 1.1 or 1.2 Envelope")]
    NotAnEnvelope,
    #[error("the envelope has no Body")]
    NoBody,
    #[error(
        "the certificate has no SubjectKeyIdentifier extension; reference it by BinarySecurityToken or IssuerSerial"
    )]
    NoSubjectKeyIdentifier,
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error("internal error while signing (a bug)")]
    Internal,
}

/// Signs a SOAP 1.1 or 1.2 envelope: adds (or completes) `wsse:Security` with a
/// Timestamp created `now`, and a signature over Body, Timestamp and the chosen headers.
pub fn sign(
    envelope: &str,
    settings: &SignatureSettings,
    now: SystemTime,
) -> Result<String, SignError> {
    sign::sign(envelope, settings, now)
}

/// How far a backend's clock may be off when its Timestamp is checked, unless configured.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(60);

/// A backend's check of its signed answers: who may sign them, and the clock's leeway.
#[derive(Debug, Clone)]
pub struct VerifySettings {
    pub trust: TrustStore,
    pub max_clock_skew: Duration,
}

impl VerifySettings {
    /// [`verify`] with these settings at the current time.
    pub fn check(&self, envelope: &str) -> Result<VerifiedParts, VerifyError> {
        verify(
            envelope,
            &self.trust,
            SystemTime::now(),
            self.max_clock_skew,
        )
    }
}

/// Checks a signed envelope: the signature verifies with a BinarySecurityToken certificate
/// issued by a CA of `trust`, its references cover the Body and a Timestamp that is fresh
/// at `now` (give or take `max_clock_skew`).
pub fn verify(
    envelope: &str,
    trust: &TrustStore,
    now: SystemTime,
    max_clock_skew: Duration,
) -> Result<VerifiedParts, VerifyError> {
    verify::verify(envelope, trust, now, max_clock_skew)
}
