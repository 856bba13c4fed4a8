//! Checking a signed envelope: the reverse of `sign`, so signed messages can be checked
//! without an outside tool (a stub backend that insists on signatures, signed answers).
//!
//! ```text
//! envelope ─dom::parse─> Header/wsse:Security/ds:Signature
//!   SignedInfo: exc-c14n only, a known SignatureMethod, each Reference: one `#wsu:Id`
//!     target (ids unique), exc-c14n transform, digest matches
//!   KeyInfo/SecurityTokenReference ─> wsse:BinarySecurityToken ─> certificate
//!   certificate: valid now, signed by a certificate of the TrustStore (valid now)
//!   SignatureValue verifies over exc-c14n(SignedInfo) with the certificate's key
//!   Body and the Timestamp among the references; Timestamp fresh (± clock skew)
//! ```
//!
//! Each failure is its own [`VerifyError`] variant. Only the direct CA (one level) is
//! checked, with no revocation: enough for a trust store of the issuing CAs.
//!
//! May import `xmlutil`, `soap::security` (namespace constants).

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use aws_lc_rs::signature::{self as lc, UnparsedPublicKey};
use base64::Engine as _;
use subtle::ConstantTimeEq as _;

use super::c14n;
use super::dom::{self, Element, Scope};
use super::keys::{Algorithm, Certificate, KeyError};
use super::sign::{DS_NS, EXC_C14N, X509V3, find_child};
use crate::soap::security::{WSSE_NS, WSU_NS};
use crate::xmlutil::{SOAP11_ENV_NS, SOAP12_ENV_NS};

/// The CA certificates a signer's certificate must be issued by, read once: what a check
/// needs of each (its name, validity and key), so no answer parses them again.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    cas: Vec<TrustedCa>,
}

#[derive(Debug, Clone)]
struct TrustedCa {
    /// The DER of its subject name, compared with the signer's issuer.
    subject: Vec<u8>,
    validity: x509_parser::certificate::Validity,
    /// Its subject public key (the bit string's bytes).
    key: Vec<u8>,
}

impl TrustStore {
    /// Every certificate of a PEM text; one that cannot be read is an error here.
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        use rustls_pki_types::CertificateDer;
        use rustls_pki_types::pem::PemObject as _;
        use x509_parser::prelude::FromDer as _;
        let ders: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<_, _>>()
            .map_err(|_| KeyError::Pem {
                what: "the trust store".into(),
                expected: "certificate",
            })?;
        if ders.is_empty() {
            return Err(KeyError::Pem {
                what: "the trust store".into(),
                expected: "certificate",
            });
        }
        let cas = ders
            .iter()
            .map(|der| {
                let (_, ca) = x509_parser::certificate::X509Certificate::from_der(der.as_ref())
                    .map_err(|e| KeyError::Certificate(e.to_string()))?;
                Ok(TrustedCa {
                    subject: ca.subject().as_raw().to_vec(),
                    validity: ca.validity().clone(),
                    key: ca.public_key().subject_public_key.data.to_vec(),
                })
            })
            .collect::<Result<_, KeyError>>()?;
        Ok(Self { cas })
    }
}

/// What a valid signature covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedParts {
    pub signer: Certificate,
    pub algorithm: Algorithm,
    /// The `wsu:Id`s of the signed elements (Body and Timestamp among them).
    pub signed_ids: Vec<String>,
}

/// Why a signed envelope was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    #[error(transparent)]
    Envelope(#[from] dom::DomError),
    #[error("the document is not a SOAP 1.1 or 1.2 Envelope with a Body")]
    NotAnEnvelope,
    #[error("the envelope has no wsse:Security header")]
    NoSecurityHeader,
    #[error("the Security header has no complete ds:Signature")]
    NoSignature,
    #[error("unsupported canonicalization or transform `{0}` (exclusive C14N only)")]
    UnsupportedTransform(String),
    #[error("unsupported signature or digest method `{0}`")]
    UnsupportedAlgorithm(String),
    #[error("reference `{0}` is not a `#id` of one element of the envelope")]
    UnresolvedReference(String),
    #[error("id `{0}` is on more than one element")]
    DuplicateId(String),
    #[error("the digest of `{0}` does not match: it was changed after signing")]
    DigestMismatch(String),
    #[error(
        "the signature does not reference a wsse:BinarySecurityToken holding an X.509 certificate"
    )]
    NoCertificate,
    #[error("the signer's certificate cannot be read: {0}")]
    BadCertificate(String),
    #[error("the signer's certificate is outside its validity period")]
    CertificateExpired,
    #[error("the signer's certificate is not issued by a trusted CA")]
    Untrusted,
    #[error("the SignatureValue does not verify with the signer's key")]
    BadSignature,
    #[error("the Body is not signed")]
    BodyNotSigned,
    #[error("the Security header has no Timestamp")]
    NoTimestamp,
    #[error("the Timestamp is not signed")]
    TimestampNotSigned,
    #[error("the Timestamp has expired")]
    TimestampExpired,
    #[error("the Timestamp is created in the future")]
    TimestampInFuture,
    #[error("the Timestamp's times cannot be read")]
    BadTimestamp,
}

fn b64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
}

fn text_of(el: &Element) -> String {
    el.children
        .iter()
        .filter_map(|n| match n {
            dom::Node::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

fn attr<'e>(el: &'e Element, name: &str) -> Option<&'e str> {
    el.attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The child `{ns}local` of the element at `path`, with its path.
fn child(doc: &dom::Document, path: &[usize], ns: &str, local: &str) -> Option<Vec<usize>> {
    let (el, above) = dom::locate(&doc.root, path)?;
    let i = find_child(el, &above, ns, local)?;
    let mut p = path.to_vec();
    p.push(i);
    Some(p)
}

fn el_at<'d>(doc: &'d dom::Document, path: &[usize]) -> &'d Element {
    dom::locate(&doc.root, path).map_or_else(|| &doc.root, |(e, _)| e)
}

/// Every element's `wsu:Id`, with its path; a repeated id is an error (a second element
/// with the signed id is how signature-wrapping attacks hide a changed part).
fn ids(doc: &dom::Document) -> Result<HashMap<String, Vec<usize>>, VerifyError> {
    fn walk(
        el: &Element,
        scope: &Scope,
        path: &mut Vec<usize>,
        out: &mut HashMap<String, Vec<usize>>,
    ) -> Result<(), VerifyError> {
        let mut s = scope.clone();
        dom::push_scope(&mut s, el);
        for (n, v) in &el.attrs {
            if dom::local_of(n) == "Id"
                && dom::resolve(&s, n, true) == Some(WSU_NS)
                && out.insert(v.clone(), path.clone()).is_some()
            {
                return Err(VerifyError::DuplicateId(v.clone()));
            }
        }
        for i in el.element_indexes().collect::<Vec<_>>() {
            path.push(i);
            if let Some(c) = el.child(i) {
                walk(c, &s, path, out)?;
            }
            path.pop();
        }
        Ok(())
    }
    let mut out = HashMap::new();
    walk(&doc.root, &Scope::new(), &mut Vec::new(), &mut out)?;
    Ok(out)
}

/// The exclusive C14N PrefixList under a CanonicalizationMethod or Transform, checking
/// its Algorithm.
fn exc_prefixes(doc: &dom::Document, path: &[usize]) -> Result<Vec<String>, VerifyError> {
    let el = el_at(doc, path);
    let alg = attr(el, "Algorithm").unwrap_or_default();
    if alg != EXC_C14N {
        return Err(VerifyError::UnsupportedTransform(alg.to_owned()));
    }
    Ok(child(doc, path, EXC_C14N, "InclusiveNamespaces")
        .and_then(|p| attr(el_at(doc, &p), "PrefixList").map(str::to_owned))
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default())
}

fn algorithm(uri: &str) -> Result<Algorithm, VerifyError> {
    [
        Algorithm::RsaSha256,
        Algorithm::EcdsaSha256,
        Algorithm::RsaSha1,
    ]
    .into_iter()
    .find(|a| a.uri() == uri)
    .ok_or_else(|| VerifyError::UnsupportedAlgorithm(uri.to_owned()))
}

fn digest_of(uri: &str, data: &[u8]) -> Result<Vec<u8>, VerifyError> {
    [Algorithm::RsaSha256, Algorithm::RsaSha1]
        .into_iter()
        .find(|a| a.digest_uri() == uri)
        .map(|a| a.digest(data))
        .ok_or_else(|| VerifyError::UnsupportedAlgorithm(uri.to_owned()))
}

fn asn1_time(t: SystemTime) -> Option<x509_parser::time::ASN1Time> {
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs();
    x509_parser::time::ASN1Time::from_timestamp(i64::try_from(secs).ok()?).ok()
}

/// Whether `ca` issued `cert`: names match, the CA is valid now, and its key verifies the
/// certificate's signature.
fn issued_by(
    cert: &x509_parser::certificate::X509Certificate<'_>,
    ca: &TrustedCa,
    now: SystemTime,
) -> bool {
    if ca.subject != cert.issuer().as_raw()
        || !asn1_time(now).is_some_and(|t| ca.validity.is_valid_at(t))
    {
        return false;
    }
    let alg: &'static dyn lc::VerificationAlgorithm =
        match cert.signature_algorithm.algorithm.to_id_string().as_str() {
            "1.2.840.113549.1.1.11" => &lc::RSA_PKCS1_2048_8192_SHA256,
            "1.2.840.113549.1.1.12" => &lc::RSA_PKCS1_2048_8192_SHA384,
            "1.2.840.10045.4.3.2" => &lc::ECDSA_P256_SHA256_ASN1,
            "1.2.840.10045.4.3.3" => &lc::ECDSA_P384_SHA384_ASN1,
            _ => return false,
        };
    UnparsedPublicKey::new(alg, &ca.key)
        .verify(cert.tbs_certificate.as_ref(), &cert.signature_value.data)
        .is_ok()
}

pub(crate) fn verify(
    envelope: &str,
    trust: &TrustStore,
    now: SystemTime,
    max_clock_skew: Duration,
) -> Result<VerifiedParts, VerifyError> {
    let doc = dom::parse(envelope)?;
    let mut root_scope = Scope::new();
    dom::push_scope(&mut root_scope, &doc.root);
    let env_ns = match dom::resolve(&root_scope, &doc.root.name, false) {
        Some(ns @ (SOAP11_ENV_NS | SOAP12_ENV_NS))
            if dom::local_of(&doc.root.name) == "Envelope" =>
        {
            ns.to_owned()
        }
        _ => return Err(VerifyError::NotAnEnvelope),
    };
    let body = child(&doc, &[], &env_ns, "Body").ok_or(VerifyError::NotAnEnvelope)?;
    let header = child(&doc, &[], &env_ns, "Header").ok_or(VerifyError::NoSecurityHeader)?;
    let sec = child(&doc, &header, WSSE_NS, "Security").ok_or(VerifyError::NoSecurityHeader)?;
    let sig = child(&doc, &sec, DS_NS, "Signature").ok_or(VerifyError::NoSignature)?;
    let si = child(&doc, &sig, DS_NS, "SignedInfo").ok_or(VerifyError::NoSignature)?;
    let cm = child(&doc, &si, DS_NS, "CanonicalizationMethod").ok_or(VerifyError::NoSignature)?;
    let si_prefixes = exc_prefixes(&doc, &cm)?;
    let sm = child(&doc, &si, DS_NS, "SignatureMethod").ok_or(VerifyError::NoSignature)?;
    let alg = algorithm(attr(el_at(&doc, &sm), "Algorithm").unwrap_or_default())?;

    // References.
    let ids = ids(&doc)?;
    let si_el = el_at(&doc, &si);
    let mut signed_ids = Vec::new();
    for i in si_el.element_indexes() {
        let mut rp = si.clone();
        rp.push(i);
        let r = el_at(&doc, &rp);
        if dom::local_of(&r.name) != "Reference" {
            continue;
        }
        let uri = attr(r, "URI").unwrap_or_default();
        let target = uri
            .strip_prefix('#')
            .and_then(|id| ids.get(id).map(|p| (id, p)))
            .ok_or_else(|| VerifyError::UnresolvedReference(uri.to_owned()))?;
        let tr = child(&doc, &rp, DS_NS, "Transforms").ok_or(VerifyError::NoSignature)?;
        let transforms: Vec<usize> = el_at(&doc, &tr).element_indexes().collect();
        let [t] = transforms.as_slice() else {
            return Err(VerifyError::UnsupportedTransform(format!(
                "{} transforms",
                transforms.len()
            )));
        };
        let mut tp = tr.clone();
        tp.push(*t);
        let prefixes = exc_prefixes(&doc, &tp)?;
        let dm = child(&doc, &rp, DS_NS, "DigestMethod").ok_or(VerifyError::NoSignature)?;
        let dv = child(&doc, &rp, DS_NS, "DigestValue").ok_or(VerifyError::NoSignature)?;
        let (el, above) = dom::locate(&doc.root, target.1).ok_or(VerifyError::NoSignature)?;
        let actual = digest_of(
            attr(el_at(&doc, &dm), "Algorithm").unwrap_or_default(),
            c14n::exclusive(el, &above, &prefixes).as_bytes(),
        )?;
        let expected = b64(&text_of(el_at(&doc, &dv))).unwrap_or_default();
        if !bool::from(actual.ct_eq(&expected)) {
            return Err(VerifyError::DigestMismatch(target.0.to_owned()));
        }
        signed_ids.push(target.0.to_owned());
    }

    // The signer's certificate, through the BinarySecurityToken.
    let ki = child(&doc, &sig, DS_NS, "KeyInfo").ok_or(VerifyError::NoCertificate)?;
    let str_ =
        child(&doc, &ki, WSSE_NS, "SecurityTokenReference").ok_or(VerifyError::NoCertificate)?;
    let reference = child(&doc, &str_, WSSE_NS, "Reference").ok_or(VerifyError::NoCertificate)?;
    let bst_path = attr(el_at(&doc, &reference), "URI")
        .and_then(|u| u.strip_prefix('#'))
        .and_then(|id| ids.get(id))
        .ok_or(VerifyError::NoCertificate)?;
    let bst = el_at(&doc, bst_path);
    if dom::local_of(&bst.name) != "BinarySecurityToken" || attr(bst, "ValueType") != Some(X509V3) {
        return Err(VerifyError::NoCertificate);
    }
    let der = b64(&text_of(bst)).ok_or(VerifyError::NoCertificate)?;
    let signer =
        Certificate::from_der(&der).map_err(|e| VerifyError::BadCertificate(e.to_string()))?;
    {
        use x509_parser::prelude::FromDer as _;
        let (_, cert) = x509_parser::certificate::X509Certificate::from_der(&der)
            .map_err(|e| VerifyError::BadCertificate(e.to_string()))?;
        if !asn1_time(now).is_some_and(|t| cert.validity().is_valid_at(t)) {
            return Err(VerifyError::CertificateExpired);
        }
        if !trust.cas.iter().any(|ca| issued_by(&cert, ca, now)) {
            return Err(VerifyError::Untrusted);
        }
    }

    // The SignatureValue.
    let sv = child(&doc, &sig, DS_NS, "SignatureValue").ok_or(VerifyError::NoSignature)?;
    let value = b64(&text_of(el_at(&doc, &sv))).ok_or(VerifyError::BadSignature)?;
    let (si_el, si_above) = dom::locate(&doc.root, &si).ok_or(VerifyError::NoSignature)?;
    let canonical = c14n::exclusive(si_el, &si_above, &si_prefixes);
    let key_alg: &'static dyn lc::VerificationAlgorithm = match alg {
        Algorithm::RsaSha256 => &lc::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::EcdsaSha256 => &lc::ECDSA_P256_SHA256_FIXED,
        Algorithm::RsaSha1 => &lc::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
    };
    UnparsedPublicKey::new(key_alg, &signer.spki_key)
        .verify(canonical.as_bytes(), &value)
        .map_err(|_| VerifyError::BadSignature)?;

    // What must be covered, and fresh.
    let signed = |path: &[usize]| {
        ids.iter()
            .any(|(id, p)| p == path && signed_ids.contains(id))
    };
    if !signed(&body) {
        return Err(VerifyError::BodyNotSigned);
    }
    let ts = child(&doc, &sec, WSU_NS, "Timestamp").ok_or(VerifyError::NoTimestamp)?;
    if !signed(&ts) {
        return Err(VerifyError::TimestampNotSigned);
    }
    let time = |local: &str| -> Result<SystemTime, VerifyError> {
        let p = child(&doc, &ts, WSU_NS, local).ok_or(VerifyError::BadTimestamp)?;
        humantime::parse_rfc3339_weak(text_of(el_at(&doc, &p)).trim())
            .map_err(|_| VerifyError::BadTimestamp)
    };
    if time("Created")? > now + max_clock_skew {
        return Err(VerifyError::TimestampInFuture);
    }
    if time("Expires")? + max_clock_skew <= now {
        return Err(VerifyError::TimestampExpired);
    }
    Ok(VerifiedParts {
        signer,
        algorithm: alg,
        signed_ids,
    })
}
