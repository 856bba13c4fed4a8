//! The signer's private key and X.509 certificate: loading (PEM or PKCS#12) and signing.
//!
//! ```text
//! PEM key (PKCS#8 RSA|P-256, PKCS#1 RSA, SEC1 P-256) + PEM certificate ─┐
//! PKCS#12 file + password ─p12-keystore─> PKCS#8 key + certificate ─────┴─> Credentials
//! PrivateKey::sign(algorithm, canonical SignedInfo) ─ aws-lc-rs (RSA-SHA1: rsa) ─> bytes
//! ```
//!
//! aws-lc-rs signs (RSA PKCS#1 v1.5 with SHA-256, ECDSA P-256 with SHA-256 as r||s, the
//! form XMLDSig wants); it reads PKCS#1 and SEC1 keys, which ring does not. Neither signs
//! RSA with SHA-1, so the legacy profile ([`Algorithm::RsaSha1`]) signs with RustCrypto's
//! `rsa` 0.9, blinded. That version's big-number arithmetic is not constant-time (advisory
//! RUSTSEC-2023-0071; 0.10 needs a newer Rust than ours), one more reason the profile is
//! only for backends that accept nothing else. PKCS#12: `p12-keystore` (pure Rust, reads
//! OpenSSL 3's default PBES2/AES and the legacy 3DES/RC2 stores); aws-lc-rs has no
//! PKCS#12 API. The certificate must carry the key's public key.
//! No `Debug` output and no error text carries key material or the password.
//!
//! May import nothing from soapbridge.

use std::fmt;
use std::path::Path;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::{self as lc, EcdsaKeyPair, KeyPair as _};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sha1::Sha1;
use sha2::{Digest as _, Sha256};

/// The XMLDSig signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// `http://www.w3.org/2001/04/xmldsig-more#rsa-sha256`, digests SHA-256.
    RsaSha256,
    /// `http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256` (P-256), digests SHA-256.
    EcdsaSha256,
    /// `http://www.w3.org/2000/09/xmldsig#rsa-sha1`, digests SHA-1. Legacy: only for old
    /// backends that accept nothing else; SHA-1 is broken for collision resistance.
    RsaSha1,
}

impl Algorithm {
    /// The name a mapping gives it (`rsa-sha256`, `ecdsa-sha256`, `rsa-sha1`), RSA-SHA1 marked
    /// as legacy.
    pub fn name(self) -> &'static str {
        match self {
            Self::RsaSha256 => "rsa-sha256",
            Self::EcdsaSha256 => "ecdsa-sha256",
            Self::RsaSha1 => "rsa-sha1 (legacy)",
        }
    }

    /// The `SignatureMethod` URI.
    pub fn uri(self) -> &'static str {
        match self {
            Self::RsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            Self::EcdsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
            Self::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        }
    }

    /// The `DigestMethod` URI of the references.
    pub fn digest_uri(self) -> &'static str {
        match self {
            Self::RsaSha256 | Self::EcdsaSha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
            Self::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
        }
    }

    /// The reference digest of canonical bytes.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::RsaSha256 | Self::EcdsaSha256 => Sha256::digest(data).to_vec(),
            Self::RsaSha1 => Sha1::digest(data).to_vec(),
        }
    }
}

/// Why a key or certificate could not be loaded. The texts name files and kinds, never
/// contents.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("cannot read `{path}`: {reason}")]
    Read { path: String, reason: String },
    #[error("`{what}` holds no PEM {expected}")]
    Pem {
        what: String,
        expected: &'static str,
    },
    #[error("the private key is not an RSA or P-256 key in a form aws-lc-rs reads ({0})")]
    UnsupportedKey(&'static str),
    #[error("the certificate cannot be read: {0}")]
    Certificate(String),
    #[error("the certificate's public key is not the private key's")]
    KeyMismatch,
    #[error("the PKCS#12 file cannot be opened (wrong password, or unsupported encryption)")]
    Pkcs12,
    #[error("the PKCS#12 file holds no private key with a certificate")]
    Pkcs12Empty,
    #[error("{algorithm} cannot sign with the {key} key")]
    AlgorithmMismatch {
        algorithm: &'static str,
        key: &'static str,
    },
    #[error(
        "the certificate has no SubjectKeyIdentifier extension; reference it by BinarySecurityToken or IssuerSerial"
    )]
    NoSubjectKeyIdentifier,
}

enum Inner {
    /// The same RSA key for aws-lc-rs and, for the legacy SHA-1 profile, for `rsa`.
    Rsa(RsaKeyPair, Box<rsa::pkcs1v15::SigningKey<Sha1>>),
    Ec(EcdsaKeyPair),
}

/// A private key that can sign. `Debug` shows its kind only.
pub struct PrivateKey(Inner);

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Inner::Rsa(k, _) => write!(f, "PrivateKey(RSA {} bits)", k.public_modulus_len() * 8),
            Inner::Ec(_) => f.write_str("PrivateKey(EC P-256)"),
        }
    }
}

/// Why a signature could not be made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("algorithm {0:?} does not fit a {1} key")]
    WrongKey(Algorithm, &'static str),
    #[error("the signing operation failed")]
    Failed,
}

impl PrivateKey {
    /// Reads a PEM private key: PKCS#8 (RSA or P-256), PKCS#1 (RSA) or SEC1 (P-256).
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        let der = PrivateKeyDer::from_pem_slice(pem).map_err(|_| KeyError::Pem {
            what: "the key".into(),
            expected: "private key",
        })?;
        Self::from_der(&der)
    }

    /// Reads a DER private key of any of the three forms.
    pub fn from_der(der: &PrivateKeyDer<'_>) -> Result<Self, KeyError> {
        match der {
            PrivateKeyDer::Pkcs1(k) => {
                use rsa::pkcs1::DecodeRsaPrivateKey as _;
                let der = k.secret_pkcs1_der();
                let unsupported = |_| KeyError::UnsupportedKey("PKCS#1");
                let lc = RsaKeyPair::from_der(der).map_err(unsupported)?;
                let legacy = rsa::RsaPrivateKey::from_pkcs1_der(der)
                    .map_err(|_| KeyError::UnsupportedKey("PKCS#1"))?;
                Ok(Self(Inner::Rsa(
                    lc,
                    Box::new(rsa::pkcs1v15::SigningKey::new(legacy)),
                )))
            }
            PrivateKeyDer::Sec1(k) => EcdsaKeyPair::from_private_key_der(
                &lc::ECDSA_P256_SHA256_FIXED_SIGNING,
                k.secret_sec1_der(),
            )
            .map(|k| Self(Inner::Ec(k)))
            .map_err(|_| KeyError::UnsupportedKey("SEC1, P-256 only")),
            PrivateKeyDer::Pkcs8(k) => Self::from_pkcs8(k.secret_pkcs8_der()),
            _ => Err(KeyError::UnsupportedKey("unknown form")),
        }
    }

    /// Reads a PKCS#8 private key (RSA or P-256).
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, KeyError> {
        if let Ok(k) = RsaKeyPair::from_pkcs8(der) {
            use rsa::pkcs8::DecodePrivateKey as _;
            let legacy = rsa::RsaPrivateKey::from_pkcs8_der(der)
                .map_err(|_| KeyError::UnsupportedKey("PKCS#8"))?;
            return Ok(Self(Inner::Rsa(
                k,
                Box::new(rsa::pkcs1v15::SigningKey::new(legacy)),
            )));
        }
        EcdsaKeyPair::from_pkcs8(&lc::ECDSA_P256_SHA256_FIXED_SIGNING, der)
            .map(|k| Self(Inner::Ec(k)))
            .map_err(|_| KeyError::UnsupportedKey("PKCS#8"))
    }

    /// The public key as an X.509 `subjectPublicKey` bit string holds it.
    fn public_key(&self) -> &[u8] {
        match &self.0 {
            Inner::Rsa(k, _) => k.public_key().as_ref(),
            Inner::Ec(k) => k.public_key().as_ref(),
        }
    }

    /// `RSA` or `EC`, for messages.
    pub fn kind(&self) -> &'static str {
        match self.0 {
            Inner::Rsa(..) => "RSA",
            Inner::Ec(_) => "EC",
        }
    }

    /// Whether this key can sign with `alg`.
    pub fn fits(&self, alg: Algorithm) -> bool {
        matches!(
            (&self.0, alg),
            (Inner::Rsa(..), Algorithm::RsaSha256 | Algorithm::RsaSha1)
                | (Inner::Ec(_), Algorithm::EcdsaSha256)
        )
    }

    /// The algorithm that fits this key by default.
    pub fn default_algorithm(&self) -> Algorithm {
        match self.0 {
            Inner::Rsa(..) => Algorithm::RsaSha256,
            Inner::Ec(_) => Algorithm::EcdsaSha256,
        }
    }

    /// Signs `data` (the canonical SignedInfo) with `alg`.
    pub fn sign(&self, alg: Algorithm, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let rng = SystemRandom::new();
        match (&self.0, alg) {
            (Inner::Rsa(k, _), Algorithm::RsaSha256) => {
                let mut sig = vec![0; k.public_modulus_len()];
                k.sign(&lc::RSA_PKCS1_SHA256, &rng, data, &mut sig)
                    .map_err(|_| CryptoError::Failed)?;
                Ok(sig)
            }
            (Inner::Rsa(_, legacy), Algorithm::RsaSha1) => {
                use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _};
                legacy
                    .try_sign_with_rng(&mut rsa::rand_core::OsRng, data)
                    .map(|s| s.to_vec())
                    .map_err(|_| CryptoError::Failed)
            }
            (Inner::Ec(k), Algorithm::EcdsaSha256) => k
                .sign(&rng, data)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| CryptoError::Failed),
            (_, a) => Err(CryptoError::WrongKey(a, self.kind())),
        }
    }
}

/// The signer's certificate and what the token references need of it.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    /// The issuer's name as RFC 4514 writes it (`CN=...,O=...`, last RDN first).
    pub issuer: String,
    /// The serial number in decimal, as `X509SerialNumber` wants it.
    pub serial: String,
    /// The SubjectKeyIdentifier extension's bytes, if the certificate has one.
    pub subject_key_id: Option<Vec<u8>>,
    pub(crate) spki_key: Vec<u8>,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("issuer", &self.issuer)
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

impl Certificate {
    /// Reads the first certificate of a PEM text.
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        let der = CertificateDer::from_pem_slice(pem).map_err(|_| KeyError::Pem {
            what: "the certificate".into(),
            expected: "certificate",
        })?;
        Self::from_der(der.as_ref())
    }

    /// Reads a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        use x509_parser::prelude::*;
        let (_, cert) =
            X509Certificate::from_der(der).map_err(|e| KeyError::Certificate(e.to_string()))?;
        let subject_key_id = cert
            .extensions()
            .iter()
            .find_map(|e| match e.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(id) => Some(id.0.to_vec()),
                _ => None,
            });
        Ok(Self {
            der: der.to_vec(),
            issuer: rfc4514(cert.issuer()),
            serial: cert.tbs_certificate.serial.to_string(),
            subject_key_id,
            spki_key: cert.public_key().subject_public_key.data.to_vec(),
        })
    }

    /// The DER bytes (the BinarySecurityToken's content).
    pub fn der(&self) -> &[u8] {
        &self.der
    }
}

/// A distinguished name as RFC 4514 (and XMLDSig's `X509IssuerName`) writes it.
fn rfc4514(name: &x509_parser::x509::X509Name<'_>) -> String {
    use x509_parser::objects::{oid_registry, oid2abbrev};
    let rdns: Vec<String> = name
        .iter_rdn()
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| {
                    let ty = oid2abbrev(atv.attr_type(), oid_registry())
                        .map(str::to_owned)
                        .unwrap_or_else(|_| atv.attr_type().to_id_string());
                    let value = atv.as_str().map(escape_dn_value).unwrap_or_else(|_| {
                        let hex: String = atv
                            .attr_value()
                            .data
                            .iter()
                            .map(|b| format!("{b:02x}"))
                            .collect();
                        format!("#{hex}")
                    });
                    format!("{ty}={value}")
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    rdns.join(",")
}

fn escape_dn_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let last = v.chars().count().saturating_sub(1);
    for (i, c) in v.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=')
            || (i == 0 && (c == '#' || c == ' '))
            || (i == last && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A key with its certificate, checked to belong together.
#[derive(Debug)]
pub struct Credentials {
    pub key: PrivateKey,
    pub certificate: Certificate,
}

impl Credentials {
    pub fn new(key: PrivateKey, certificate: Certificate) -> Result<Self, KeyError> {
        if key.public_key() != certificate.spki_key.as_slice() {
            return Err(KeyError::KeyMismatch);
        }
        Ok(Self { key, certificate })
    }

    /// A PEM key file and a PEM certificate file.
    pub fn from_pem_files(key: &Path, certificate: &Path) -> Result<Self, KeyError> {
        let k = PrivateKey::from_pem(&read(key)?)?;
        let c = Certificate::from_pem(&read(certificate)?)?;
        Self::new(k, c)
    }

    /// A PKCS#12 file: its first private key and that key's certificate.
    pub fn from_pkcs12(der: &[u8], password: &str) -> Result<Self, KeyError> {
        let store = p12_keystore::KeyStore::from_pkcs12(
            der,
            password,
            p12_keystore::Pkcs12ImportPolicy::Strict,
        )
        .map_err(|_| KeyError::Pkcs12)?;
        let (_, chain) = store.private_key_chain().ok_or(KeyError::Pkcs12Empty)?;
        let cert = chain.certs().first().ok_or(KeyError::Pkcs12Empty)?;
        let key = PrivateKey::from_pkcs8(chain.key().as_der())?;
        Self::new(key, Certificate::from_der(cert.as_der())?)
    }

    pub fn from_pkcs12_file(path: &Path, password: &str) -> Result<Self, KeyError> {
        Self::from_pkcs12(&read(path)?, password)
    }
}

fn read(path: &Path) -> Result<Vec<u8>, KeyError> {
    std::fs::read(path).map_err(|e| KeyError::Read {
        path: path.display().to_string(),
        reason: e.kind().to_string(),
    })
}
