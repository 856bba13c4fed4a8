//! The caller's identity from mutual TLS: the verified client certificate of a connection,
//! read once per connection in `HttpServer::on_connect` and kept in the connection's data.
//!
//! ```text
//! HttpServer::new(..).on_connect(store_client_cert)   every connection: leaf cert → ClientCert
//! handler: client_cert(&req) -> Option<&ClientCert>   None: no certificate (or plain HTTP)
//! ```
//!
//! May import nothing from soapbridge.

use std::any::Any;
use std::fmt::Write as _;

use actix_tls::accept::rustls_0_23::TlsStream;
use actix_web::HttpRequest;
use actix_web::dev::Extensions;
use actix_web::rt::net::TcpStream;
use serde::Serialize;
use x509_parser::asn1_rs::{Tag, ToDer};
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::x509::{AttributeTypeAndValue, X509Name};

/// Who called, as their verified client certificate says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClientCert {
    /// The subject's distinguished name in RFC 4514 form: most specific first, e.g.
    /// `CN=billing,OU=payments,O=Acme,C=DE`.
    pub subject: String,
    /// The subjectAltName entries, in certificate order: `DNS:name`, `URI:uri`, `email:addr`.
    pub sans: Vec<String>,
    /// SHA-256 of the certificate's DER encoding, lowercase hex (64 digits, no colons).
    pub fingerprint_sha256: String,
}

impl ClientCert {
    /// Reads the identity from a DER-encoded certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, String> {
        let (_, cert) = X509Certificate::from_der(der)
            .map_err(|e| format!("the client certificate is not valid X.509: {e}"))?;
        let mut sans = Vec::new();
        let san = cert
            .subject_alternative_name()
            .map_err(|e| format!("the client certificate's subjectAltName is malformed: {e}"))?;
        for name in san.iter().flat_map(|ext| ext.value.general_names.iter()) {
            match name {
                GeneralName::DNSName(s) => sans.push(format!("DNS:{s}")),
                GeneralName::URI(s) => sans.push(format!("URI:{s}")),
                GeneralName::RFC822Name(s) => sans.push(format!("email:{s}")),
                _ => {}
            }
        }
        Ok(Self {
            subject: rfc4514(cert.subject()),
            sans,
            fingerprint_sha256: hex(ring::digest::digest(&ring::digest::SHA256, der).as_ref()),
        })
    }
}

/// The verified client certificate of a connection accepted by `bind_rustls_0_23`, or `None`
/// when the connection is not TLS or the client sent no certificate. rustls has verified the
/// chain against the client CA bundle before the connection gets here.
pub fn peer_client_cert(conn: &dyn Any) -> Option<ClientCert> {
    let tls = conn.downcast_ref::<TlsStream<TcpStream>>()?;
    let (_, session) = tls.get_ref();
    let leaf = session.peer_certificates()?.first()?;
    match ClientCert::from_der(leaf.as_ref()) {
        Ok(cert) => Some(cert),
        Err(error) => {
            tracing::warn!(%error, "Client certificate accepted by TLS but unreadable; the connection has no identity.");
            None
        }
    }
}

/// For `HttpServer::on_connect`: keeps the connection's [`ClientCert`] in its data, where
/// [`client_cert`] finds it for every request on that connection.
pub fn store_client_cert(conn: &dyn Any, data: &mut Extensions) {
    if let Some(cert) = peer_client_cert(conn) {
        data.insert(cert);
    }
}

/// The identity that [`store_client_cert`] kept for the request's connection.
pub fn client_cert(req: &HttpRequest) -> Option<&ClientCert> {
    req.conn_data::<ClientCert>()
}

/// Lowercase hex, by hand: two lines do not need a crate.
fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A distinguished name as RFC 4514 writes it: RDNs last-to-first, `,` between them, `+`
/// between the attributes of one RDN.
fn rfc4514(name: &X509Name<'_>) -> String {
    let rdns: Vec<Vec<&AttributeTypeAndValue<'_>>> =
        name.iter_rdn().map(|rdn| rdn.iter().collect()).collect();
    rdns.iter()
        .rev()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| attribute(atv))
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// One `type=value`: the short names RFC 4514 lists, else the dotted OID with the value's DER
/// in hex (as the RFC requires for those).
fn attribute(atv: &AttributeTypeAndValue<'_>) -> String {
    let oid = atv.attr_type().to_id_string();
    let short = match oid.as_str() {
        "2.5.4.3" => "CN",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.6" => "C",
        "2.5.4.9" => "STREET",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        _ => return format!("{oid}={}", hex_value(atv)),
    };
    let value = atv.as_str().map(str::to_owned).ok().or_else(|| bmp(atv));
    match value {
        Some(v) => format!("{short}={}", escape(&v)),
        None => format!("{short}={}", hex_value(atv)),
    }
}

/// A BMPString (UTF-16 big-endian), which x509-parser does not turn into text.
fn bmp(atv: &AttributeTypeAndValue<'_>) -> Option<String> {
    if atv.attr_value().tag() != Tag::BmpString {
        return None;
    }
    let units: Vec<u16> = atv
        .as_slice()
        .chunks_exact(2)
        .map(|p| u16::from_be_bytes([p[0], p[1]]))
        .collect();
    String::from_utf16(&units).ok()
}

/// `#` and the hex of the value's DER encoding.
fn hex_value(atv: &AttributeTypeAndValue<'_>) -> String {
    let der = atv.attr_value().to_der_vec().unwrap_or_default();
    format!("#{}", hex(&der))
}

/// RFC 4514 section 2.4 escaping; control characters are hex-escaped too, so a name never
/// breaks a log line.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "\\{b:02X}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_characters_rfc_4514_reserves() {
        assert_eq!(escape("a,b+c"), "a\\,b\\+c");
        assert_eq!(escape("#x"), "\\#x");
        assert_eq!(escape(" x "), "\\ x\\ ");
        assert_eq!(escape("x#y"), "x#y");
        assert_eq!(escape("a\nb"), "a\\0Ab");
        assert_eq!(escape("Ünïcode"), "Ünïcode");
    }

    #[test]
    fn hex_is_lowercase_and_padded() {
        assert_eq!(hex(&[0x00, 0xab, 0x0f]), "00ab0f");
    }

    #[test]
    fn a_malformed_certificate_is_an_error_not_a_panic() {
        let err = ClientCert::from_der(b"\x30\x03\x02\x01").expect_err("garbage");
        assert!(err.contains("not valid X.509"), "{err}");
    }
}
