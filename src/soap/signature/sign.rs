//! Signing an envelope: ids on the parts, the Security header's blocks, the Signature.
//!
//! ```text
//! envelope ─dom::parse─> tree
//!   Header (added if absent) ─ wsse:Security mustUnderstand="1" (added if absent)
//!     wsu:Timestamp (kept if present, else added first)   ← signed
//!     ... blocks already there (UsernameToken) ...
//!     wsse:BinarySecurityToken (BST reference only)
//!     ds:Signature  SignedInfo(C14N exc, SignatureMethod, Reference per part)
//!                   SignatureValue = sign(exc-c14n(SignedInfo))
//!                   KeyInfo/wsse:SecurityTokenReference (BST | IssuerSerial | SKI)
//!   chosen header blocks (by QName)                       ← signed
//!   Body                                                  ← signed
//! ─dom::serialize─> signed envelope
//! ```
//!
//! Every part is canonicalized where it stands in the tree (its ancestors' namespaces in
//! scope), with the same exclusive C14N the verifier applies to the serialized text.
//!
//! May import `xmlutil`, `soap::security` (namespace constants).

use std::time::SystemTime;

use base64::Engine as _;

use super::c14n;
use super::dom::{self, Document, Element, Node, Scope};
use super::{SignError, SignatureSettings, TokenReference};
use crate::soap::security::{WSSE_NS, WSU_NS};
use crate::xmlutil::{SOAP11_ENV_NS, SOAP12_ENV_NS};

pub(crate) const DS_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub(crate) const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
pub(crate) const BASE64: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";
pub(crate) const X509V3: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
const X509_SKI: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509SubjectKeyIdentifier";

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn new_id(kind: &str) -> String {
    format!("{kind}-{}", uuid::Uuid::new_v4().simple())
}

/// A prefix bound to `ns` where `el` stands (its ancestors declare `above`), declaring
/// `preferred` (or a free variant of it) on `el` when none is.
fn prefix_for(el: &mut Element, above: &Scope, ns: &str, preferred: &str) -> String {
    let mut scope = above.clone();
    dom::push_scope(&mut scope, el);
    if let Some((p, _)) = scope.iter().find(|(p, u)| *u == ns && !p.is_empty()) {
        return p.clone();
    }
    let mut p = preferred.to_owned();
    let mut n = 0;
    while scope.contains_key(&p) {
        n += 1;
        p = format!("{preferred}{n}");
    }
    el.set_attr(&format!("xmlns:{p}"), ns);
    p
}

/// The element's `wsu:Id`, added (with a fresh value) when it has none.
fn ensure_id(el: &mut Element, above: &Scope, kind: &str) -> String {
    let mut scope = above.clone();
    dom::push_scope(&mut scope, el);
    let existing = el
        .attrs
        .iter()
        .find(|(n, _)| dom::local_of(n) == "Id" && dom::resolve(&scope, n, true) == Some(WSU_NS));
    if let Some((_, v)) = existing {
        return v.clone();
    }
    let p = prefix_for(el, above, WSU_NS, "wsu");
    let id = new_id(kind);
    el.set_attr(&format!("{p}:Id"), &id);
    id
}

/// The index in `parent.children` of the first child element named `{ns}local`.
pub(super) fn find_child(parent: &Element, above: &Scope, ns: &str, local: &str) -> Option<usize> {
    let mut scope = above.clone();
    dom::push_scope(&mut scope, parent);
    parent.element_indexes().find(|&i| {
        let Some(c) = parent.child(i) else {
            return false;
        };
        let mut s = scope.clone();
        dom::push_scope(&mut s, c);
        dom::local_of(&c.name) == local && dom::resolve(&s, &c.name, false) == Some(ns)
    })
}

pub(super) fn scope_at(doc: &Document, path: &[usize]) -> Result<Scope, SignError> {
    let (el, mut scope) = dom::locate(&doc.root, path).ok_or(SignError::Internal)?;
    dom::push_scope(&mut scope, el);
    Ok(scope)
}

fn el_mut<'d>(doc: &'d mut Document, path: &[usize]) -> Result<&'d mut Element, SignError> {
    dom::locate_mut(&mut doc.root, path).ok_or(SignError::Internal)
}

fn q(prefix: &str, local: &str) -> String {
    if prefix.is_empty() {
        local.to_owned()
    } else {
        format!("{prefix}:{local}")
    }
}

fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

pub(crate) fn sign(
    envelope: &str,
    settings: &SignatureSettings,
    now: SystemTime,
) -> Result<String, SignError> {
    let mut doc = dom::parse(envelope)?;
    let root_scope = scope_at(&doc, &[])?;
    let env_ns = match dom::resolve(&root_scope, &doc.root.name, false) {
        Some(ns @ (SOAP11_ENV_NS | SOAP12_ENV_NS))
            if dom::local_of(&doc.root.name) == "Envelope" =>
        {
            ns.to_owned()
        }
        _ => return Err(SignError::NotAnEnvelope),
    };
    let env_prefix = dom::prefix_of(&doc.root.name).to_owned();
    let none = Scope::new();

    // Header and Body.
    let mut body_i = find_child(&doc.root, &none, &env_ns, "Body").ok_or(SignError::NoBody)?;
    let header_i = match find_child(&doc.root, &none, &env_ns, "Header") {
        Some(i) => i,
        None => {
            let header = Element::new(q(&env_prefix, "Header"));
            doc.root.children.insert(body_i, Node::Elem(header));
            body_i += 1;
            body_i - 1
        }
    };
    let header_scope = scope_at(&doc, &[header_i])?;

    // wsse:Security, first in the Header when it is added.
    let sec_i = match find_child(
        el_mut(&mut doc, &[header_i])?,
        &root_scope,
        WSSE_NS,
        "Security",
    ) {
        Some(i) => i,
        None => {
            let mut sec = Element::new("wsse:Security");
            sec.set_attr("xmlns:wsse", WSSE_NS);
            sec.set_attr("xmlns:wsu", WSU_NS);
            el_mut(&mut doc, &[header_i])?
                .children
                .insert(0, Node::Elem(sec));
            0
        }
    };
    let sec_path = [header_i, sec_i];
    let (wsse, wsu) = {
        let sec = el_mut(&mut doc, &sec_path)?;
        let env = prefix_for(sec, &header_scope, &env_ns, "soapenv");
        sec.set_attr(&format!("{env}:mustUnderstand"), "1");
        (
            prefix_for(sec, &header_scope, WSSE_NS, "wsse"),
            prefix_for(sec, &header_scope, WSU_NS, "wsu"),
        )
    };
    let sec_scope = scope_at(&doc, &sec_path)?;

    // The Timestamp: the one already there, or a new one first in Security.
    let ts_i = match find_child(
        el_mut(&mut doc, &sec_path)?,
        &header_scope,
        WSU_NS,
        "Timestamp",
    ) {
        Some(i) => i,
        None => {
            let ts = Element::new(q(&wsu, "Timestamp"))
                .with_child(Element::new(q(&wsu, "Created")).with_text(&rfc3339(now)))
                .with_child(
                    Element::new(q(&wsu, "Expires"))
                        .with_text(&rfc3339(now + settings.timestamp_ttl)),
                );
            el_mut(&mut doc, &sec_path)?
                .children
                .insert(0, Node::Elem(ts));
            0
        }
    };
    let ts_path = [header_i, sec_i, ts_i];
    let ts_id = ensure_id(el_mut(&mut doc, &ts_path)?, &sec_scope, "TS");

    // The BinarySecurityToken, when the key is referenced through one.
    let bst_id = match settings.token_reference {
        TokenReference::BinarySecurityToken => {
            let id = new_id("X509");
            let bst = Element::new(q(&wsse, "BinarySecurityToken"))
                .with_attr("EncodingType", BASE64)
                .with_attr("ValueType", X509V3)
                .with_attr(&q(&wsu, "Id"), &id)
                .with_text(&b64(settings.credentials.certificate.der()));
            el_mut(&mut doc, &sec_path)?.children.push(Node::Elem(bst));
            Some(id)
        }
        _ => None,
    };

    // The parts to sign: Body, Timestamp, the chosen header blocks.
    let mut parts: Vec<(String, Vec<usize>)> = Vec::new();
    let body_id = ensure_id(el_mut(&mut doc, &[body_i])?, &root_scope, "Body");
    parts.push((body_id, vec![body_i]));
    parts.push((ts_id, ts_path.to_vec()));
    // A chosen header block is signed when the message has it (WS-SecurityPolicy's
    // SignedParts reads the same way): an optional header left out is not an error.
    for (ns, local) in &settings.sign_headers {
        let Some(i) = find_child(el_mut(&mut doc, &[header_i])?, &root_scope, ns, local)
            .filter(|&i| i != sec_i)
        else {
            continue;
        };
        let id = ensure_id(el_mut(&mut doc, &[header_i, i])?, &header_scope, local);
        parts.push((id, vec![header_i, i]));
    }

    // SignedInfo with one Reference per part.
    let alg = settings.algorithm;
    let prefixes = settings.inclusive_prefixes.clone().unwrap_or_default();
    let inclusive = |parent: Element| -> Element {
        match &settings.inclusive_prefixes {
            Some(list) => parent.with_child(
                Element::new("ec:InclusiveNamespaces")
                    .with_attr("xmlns:ec", EXC_C14N)
                    .with_attr("PrefixList", &list.join(" ")),
            ),
            None => parent,
        }
    };
    let mut signed_info = Element::new("ds:SignedInfo")
        .with_child(inclusive(
            Element::new("ds:CanonicalizationMethod").with_attr("Algorithm", EXC_C14N),
        ))
        .with_child(Element::new("ds:SignatureMethod").with_attr("Algorithm", alg.uri()));
    for (id, path) in &parts {
        let (el, above) = dom::locate(&doc.root, path).ok_or(SignError::Internal)?;
        let digest = alg.digest(c14n::exclusive(el, &above, &prefixes).as_bytes());
        signed_info = signed_info.with_child(
            Element::new("ds:Reference")
                .with_attr("URI", &format!("#{id}"))
                .with_child(Element::new("ds:Transforms").with_child(inclusive(
                    Element::new("ds:Transform").with_attr("Algorithm", EXC_C14N),
                )))
                .with_child(
                    Element::new("ds:DigestMethod").with_attr("Algorithm", alg.digest_uri()),
                )
                .with_child(Element::new("ds:DigestValue").with_text(&b64(&digest))),
        );
    }

    let cert = &settings.credentials.certificate;
    let reference = match (&settings.token_reference, bst_id) {
        (TokenReference::BinarySecurityToken, Some(id)) => Element::new(q(&wsse, "Reference"))
            .with_attr("URI", &format!("#{id}"))
            .with_attr("ValueType", X509V3),
        (TokenReference::IssuerSerial, _) => Element::new("ds:X509Data").with_child(
            Element::new("ds:X509IssuerSerial")
                .with_child(Element::new("ds:X509IssuerName").with_text(&cert.issuer))
                .with_child(Element::new("ds:X509SerialNumber").with_text(&cert.serial)),
        ),
        (TokenReference::SubjectKeyIdentifier, _) => {
            let ski = cert
                .subject_key_id
                .as_deref()
                .ok_or(SignError::NoSubjectKeyIdentifier)?;
            Element::new(q(&wsse, "KeyIdentifier"))
                .with_attr("EncodingType", BASE64)
                .with_attr("ValueType", X509_SKI)
                .with_text(&b64(ski))
        }
        (TokenReference::BinarySecurityToken, None) => return Err(SignError::Internal),
    };
    let signature = Element::new("ds:Signature")
        .with_attr("xmlns:ds", DS_NS)
        .with_child(signed_info)
        .with_child(Element::new("ds:SignatureValue"))
        .with_child(
            Element::new("ds:KeyInfo")
                .with_child(Element::new(q(&wsse, "SecurityTokenReference")).with_child(reference)),
        );
    let sig_i = {
        let sec = el_mut(&mut doc, &sec_path)?;
        sec.children.push(Node::Elem(signature));
        sec.children.len() - 1
    };

    // SignatureValue over the canonical SignedInfo, where it stands.
    let sig_path = [header_i, sec_i, sig_i];
    let (si, above) =
        dom::locate(&doc.root, &[header_i, sec_i, sig_i, 0]).ok_or(SignError::Internal)?;
    let value = settings
        .credentials
        .key
        .sign(alg, c14n::exclusive(si, &above, &prefixes).as_bytes())?;
    let sig = el_mut(&mut doc, &sig_path)?;
    sig.children[1] = Node::Elem(Element::new("ds:SignatureValue").with_text(&b64(&value)));
    Ok(dom::serialize(&doc))
}
