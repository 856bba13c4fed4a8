//! Reading the listener's PEM files: the certificate chain with its private key, the client CA
//! bundle, and the on-disk stamp that tells when a file changed.
//!
//! Errors name the file and say what is wrong with it; they never quote a key file's content.
//!
//! May import nothing from soapbridge.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rustls::RootCertStore;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::{self, PemObject, SectionKind};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use x509_parser::prelude::{FromDer, X509Certificate};

/// One version of a file on disk: where its path leads (a Kubernetes secret volume swaps a
/// symlink), when it was last written and how long it is. Any difference means "read again".
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Stamp {
    resolved: Option<PathBuf>,
    modified: Option<SystemTime>,
    len: Option<u64>,
}

/// The stamp of `path` now; a file that cannot be seen has an empty stamp.
pub(super) fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok();
    Stamp {
        resolved: std::fs::canonicalize(path).ok(),
        modified: meta.as_ref().and_then(|m| m.modified().ok()),
        len: meta.map(|m| m.len()),
    }
}

/// A loaded certificate chain and key, with what the logs say about it.
pub(super) struct Pair {
    pub key: CertifiedKey,
    /// The leaf certificate's serial number, hex.
    pub serial: String,
    /// The leaf certificate's subject, as x509-parser prints it.
    pub subject: String,
    /// The end of the leaf certificate's validity, seconds since the Unix epoch.
    pub not_after: i64,
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read the {what} {}: {e}", path.display()))
}

/// The kinds of PEM blocks in `bytes`, to say what a file holds instead of what was expected.
fn sections(bytes: &[u8]) -> Vec<SectionKind> {
    <(SectionKind, Vec<u8>) as PemObject>::pem_slice_iter(bytes)
        .filter_map(Result::ok)
        .map(|(kind, _)| kind)
        .collect()
}

/// Says what is wrong with a file's PEM syntax without quoting the file.
fn pem_syntax(e: &pem::Error) -> String {
    match e {
        pem::Error::MissingSectionEnd { .. } => "a PEM block has no -----END line".to_owned(),
        pem::Error::IllegalSectionStart { .. } => "a -----BEGIN line is malformed".to_owned(),
        pem::Error::Base64Decode(_) => "a PEM block is not valid base64".to_owned(),
        pem::Error::SectionTooLarge => "a PEM block is larger than 256 MB".to_owned(),
        other => other.to_string(),
    }
}

/// Reads every `CERTIFICATE` block of a PEM file, in order.
fn read_certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let bytes = read(path, what)?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            format!(
                "the {what} {} is not valid PEM: {}",
                path.display(),
                pem_syntax(&e)
            )
        })?;
    if certs.is_empty() {
        let holds_key = sections(&bytes).iter().any(|k| {
            matches!(
                k,
                SectionKind::PrivateKey | SectionKind::RsaPrivateKey | SectionKind::EcPrivateKey
            )
        });
        let hint = if holds_key {
            " (it holds a private key: are the certificate and key paths swapped?)"
        } else {
            " (expected one or more -----BEGIN CERTIFICATE----- blocks)"
        };
        return Err(format!(
            "the {what} {} holds no certificate{hint}",
            path.display()
        ));
    }
    Ok(certs)
}

/// Reads the first private key (PKCS#8, PKCS#1 or SEC1) of a PEM file.
fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, String> {
    let bytes = read(path, "TLS private key")?;
    match PrivateKeyDer::from_pem_slice(&bytes) {
        Ok(key) => Ok(key),
        Err(pem::Error::NoItemsFound) => {
            let text = String::from_utf8_lossy(&bytes);
            let hint = if text.contains("ENCRYPTED") {
                "it is encrypted, which the listener cannot use: store it decrypted \
                 (`openssl pkey -in KEY -out KEY.plain`) and protect the file instead"
            } else if sections(&bytes).contains(&SectionKind::Certificate) {
                "it holds certificates only: are the certificate and key paths swapped?"
            } else {
                "expected a -----BEGIN PRIVATE KEY----- (PKCS#8), -----BEGIN RSA PRIVATE KEY----- \
                 (PKCS#1) or -----BEGIN EC PRIVATE KEY----- (SEC1) block"
            };
            Err(format!(
                "the TLS private key {} holds no private key: {hint}",
                path.display()
            ))
        }
        Err(e) => Err(format!(
            "the TLS private key {} is not valid PEM: {}",
            path.display(),
            pem_syntax(&e)
        )),
    }
}

/// Reads and checks a certificate chain and its key: the key must be usable and belong to the
/// first certificate of the chain, which must be a well-formed X.509 certificate.
pub(super) fn load_pair(
    cert_path: &Path,
    key_path: &Path,
    provider: &CryptoProvider,
) -> Result<Pair, String> {
    let chain = read_certs(cert_path, "TLS certificate chain")?;
    let key_der = read_key(key_path)?;
    let signing_key = provider.key_provider.load_private_key(key_der).map_err(|e| {
        format!(
            "the TLS private key {} cannot be used: {e} (supported: RSA, ECDSA P-256/P-384, Ed25519)",
            key_path.display()
        )
    })?;
    let (serial, subject, not_after) = {
        let leaf = chain.first().map(|c| c.as_ref()).unwrap_or_default();
        let (_, cert) = X509Certificate::from_der(leaf).map_err(|e| {
            format!(
                "the first certificate in {} is not a valid X.509 certificate: {e}",
                cert_path.display()
            )
        })?;
        (
            cert.raw_serial_as_string(),
            cert.subject().to_string(),
            cert.validity().not_after.timestamp(),
        )
    };
    let key = CertifiedKey::new(chain, signing_key);
    match key.keys_match() {
        Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => {}
        Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) => {
            return Err(format!(
                "the TLS private key {} does not match the certificate {} (subject {subject}, \
                 serial {serial}): the first certificate in the chain must be the one issued for \
                 this key; check that both files come from the same issuance",
                key_path.display(),
                cert_path.display()
            ));
        }
        Err(e) => {
            return Err(format!(
                "the first certificate in {} cannot be used: {e}",
                cert_path.display()
            ));
        }
    }
    Ok(Pair {
        key,
        serial,
        subject,
        not_after,
    })
}

/// Reads a bundle of CA certificates that client certificates must chain to.
pub(super) fn load_client_ca(path: &Path) -> Result<RootCertStore, String> {
    let certs = read_certs(path, "client CA bundle")?;
    let mut roots = RootCertStore::empty();
    for (i, cert) in certs.into_iter().enumerate() {
        roots.add(cert).map_err(|e| {
            format!(
                "certificate #{} of the client CA bundle {} is not a usable CA certificate: {e}",
                i + 1,
                path.display()
            )
        })?;
    }
    Ok(roots)
}
