//! Outgoing HTTP helpers shared by the contract loader (WSDLs by URL) and the backend
//! client: reading a Content-Type's parameters and describing a transport error.
//!
//! A low floor: it imports nothing from soapbridge, so `wsdl` and `soap` both can use it.
//! `transport_summary` is ours because reqwest's messages name its own layers
//! (`client error (Connect)`), which callers should not see.

/// The charset parameter of a Content-Type value.
pub fn charset_of(content_type: &str) -> Option<&str> {
    content_type_param(content_type, "charset")
}

/// A parameter of a Content-Type value, by case-insensitive name, unquoted. Lenient on
/// purpose (spaces around `=`, a trailing `;`): backends send such headers. Parameter
/// values that hold a `;` inside quotes are not read; the ones soapbridge reads (charset,
/// a multipart boundary, a root Content-ID) cannot hold one.
///
/// Read every answer: byte searches, not `split` and `trim` (char searchers and Unicode
/// white space, several times the cost on a value such as `text/xml; charset=utf-8`). A
/// header value is visible ASCII, so ASCII white space is all there is to trim.
pub fn content_type_param<'a>(content_type: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = content_type;
    while let Some(at) = rest.bytes().position(|b| b == b';') {
        rest = &rest[at + 1..];
        let param = &rest[..rest.bytes().position(|b| b == b';').unwrap_or(rest.len())];
        if let Some(eq) = param.bytes().position(|b| b == b'=')
            && param[..eq].trim_ascii().eq_ignore_ascii_case(name)
        {
            return Some(param[eq + 1..].trim_ascii().trim_matches('"'));
        }
    }
    None
}

/// A short, precise description of a transport error (the cause chain, not Debug output).
pub fn describe_reqwest_error(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        source = s.source();
    }
    msg
}

/// A URL as it may be shown: without the user name and password of its userinfo
/// (`http://user:secret@host/x` → `http://host/x`).
pub fn redact_url(url: &url::Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return url.as_str().to_owned();
    }
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.into()
}

/// What went wrong in a transport error, in a short sentence that does not depend on the
/// HTTP library's wording (the full chain is for the log).
pub fn transport_summary(e: &reqwest::Error) -> &'static str {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut text = String::new();
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if let Some(tls) = io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                return tls_summary(tls);
            }
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return "the connection was refused",
                std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe
                | std::io::ErrorKind::UnexpectedEof => {
                    return "the connection was closed before the answer was complete";
                }
                std::io::ErrorKind::TimedOut => return "the connection timed out",
                _ => {}
            }
        }
        if let Some(tls) = s.downcast_ref::<rustls::Error>() {
            return tls_summary(tls);
        }
        text.push_str(&s.to_string());
        text.push(' ');
        source = s.source();
    }
    // rustls's error may reach us only as text (wrapped in the connector's own error type).
    if text.contains("invalid peer certificate: UnknownIssuer")
        || text.contains("invalid peer certificate: BadSignature")
    {
        return tls_summary(&rustls::Error::InvalidCertificate(
            rustls::CertificateError::UnknownIssuer,
        ));
    }
    if text.contains("certificate not valid for name") {
        return tls_summary(&rustls::Error::InvalidCertificate(
            rustls::CertificateError::NotValidForName,
        ));
    }
    if text.contains("invalid peer certificate: Expired") || text.contains("certificate expired") {
        return tls_summary(&rustls::Error::InvalidCertificate(
            rustls::CertificateError::Expired,
        ));
    }
    if text.contains("invalid peer certificate") {
        return tls_summary(&rustls::Error::InvalidCertificate(
            rustls::CertificateError::BadEncoding,
        ));
    }
    for alert in [
        "CertificateRequired",
        "BadCertificate",
        "UnknownCA",
        "CertificateUnknown",
    ] {
        if text.contains(&format!("received fatal alert: {alert}")) {
            return tls_summary(&rustls::Error::AlertReceived(
                rustls::AlertDescription::CertificateRequired,
            ));
        }
    }
    if text.contains("received fatal alert") || text.contains("tls handshake") {
        return "the TLS handshake with the backend failed";
    }
    if text.contains("dns error") || text.contains("failed to lookup address") {
        "the backend's host name does not resolve"
    } else if text.contains("connection closed") || text.contains("broken pipe") {
        "the connection was closed before the answer was complete"
    } else if e.is_connect() {
        "the connection could not be made"
    } else {
        "the exchange failed"
    }
}

fn tls_summary(e: &rustls::Error) -> &'static str {
    use rustls::{AlertDescription as A, CertificateError as C};
    match e {
        rustls::Error::InvalidCertificate(C::UnknownIssuer | C::BadSignature) => {
            "the backend's TLS certificate is not signed by a trusted CA (see backend.tls.ca)"
        }
        rustls::Error::InvalidCertificate(
            C::NotValidForName | C::NotValidForNameContext { .. },
        ) => "the backend's TLS certificate is not valid for its host name",
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            "the backend's TLS certificate has expired"
        }
        rustls::Error::InvalidCertificate(_) => "the backend's TLS certificate was refused",
        rustls::Error::AlertReceived(
            A::CertificateRequired | A::BadCertificate | A::UnknownCA | A::CertificateUnknown,
        ) => "the backend refused the client certificate (see backend.tls.client_cert)",
        _ => "the TLS handshake with the backend failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_removed_from_shown_urls() {
        let u = url::Url::parse("https://svc:s3cret@erp.example:8443/ws?x=1").expect("url");
        assert_eq!(redact_url(&u), "https://erp.example:8443/ws?x=1");
        let plain = url::Url::parse("http://erp.example/ws").expect("url");
        assert_eq!(redact_url(&plain), "http://erp.example/ws");
    }

    #[test]
    fn charset_is_read_from_any_parameter_position_and_unquoted() {
        assert_eq!(charset_of("text/xml; charset=utf-8"), Some("utf-8"));
        assert_eq!(
            charset_of("application/soap+xml; action=\"x\"; Charset=\"ISO-8859-1\""),
            Some("ISO-8859-1")
        );
        assert_eq!(charset_of("text/xml"), None);
        assert_eq!(
            content_type_param(
                "multipart/related;start=\"<root*1@x>\";type=\"application/xop+xml\";Boundary=\"uuid:b\"",
                "boundary"
            ),
            Some("uuid:b")
        );
        // Lenient forms backends send: spaces around `=`, a trailing or doubled `;`, a
        // parameter without a value, a name that only ends like the one asked for.
        assert_eq!(charset_of("text/xml ; charset = utf-8 ;"), Some("utf-8"));
        assert_eq!(charset_of("text/xml;;flag;charset=\"a\";"), Some("a"));
        assert_eq!(charset_of("text/xml; xcharset=b"), None);
        assert_eq!(charset_of("text/xml;"), None);
        assert_eq!(charset_of("charset=c"), None);
        assert_eq!(charset_of("text/xml; charset="), Some(""));
    }
}
