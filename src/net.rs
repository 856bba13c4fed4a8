//! Outgoing HTTP helpers shared by the contract loader (WSDLs by URL) and the backend
//! client: reading a Content-Type's charset and describing a transport error.
//!
//! A low floor: it imports nothing from soapbridge, so `wsdl` and `soap` both can use it.

/// The charset parameter of a Content-Type value.
pub fn charset_of(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"'))
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charset_is_read_from_any_parameter_position_and_unquoted() {
        assert_eq!(charset_of("text/xml; charset=utf-8"), Some("utf-8"));
        assert_eq!(
            charset_of("application/soap+xml; action=\"x\"; Charset=\"ISO-8859-1\""),
            Some("ISO-8859-1")
        );
        assert_eq!(charset_of("text/xml"), None);
    }
}
