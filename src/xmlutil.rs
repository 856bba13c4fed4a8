//! Small XML helpers shared by the WSDL loader and the SOAP codecs: charset detection,
//! entity references and well-known namespace URIs.
//!
//! May import nothing from soapbridge.

use std::borrow::Cow;

/// XML Schema namespace.
pub const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";
/// XML Schema instance namespace (`xsi:type`, `xsi:nil`).
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// WSDL 1.1 namespace.
pub const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";
/// WSDL 1.1 SOAP 1.1 binding extension namespace.
pub const WSDL_SOAP11_NS: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
/// WSDL 1.1 SOAP 1.2 binding extension namespace.
pub const WSDL_SOAP12_NS: &str = "http://schemas.xmlsoap.org/wsdl/soap12/";
/// WSDL 1.1 HTTP binding extension namespace.
pub const WSDL_HTTP_NS: &str = "http://schemas.xmlsoap.org/wsdl/http/";
/// SOAP 1.1 envelope namespace.
pub const SOAP11_ENV_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// SOAP 1.2 envelope namespace.
pub const SOAP12_ENV_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
/// SOAP 1.1 encoding namespace (`soapenc`).
pub const SOAP11_ENC_NS: &str = "http://schemas.xmlsoap.org/soap/encoding/";
/// SOAP 1.2 encoding namespace.
pub const SOAP12_ENC_NS: &str = "http://www.w3.org/2003/05/soap-encoding";
/// The `xml:` prefix namespace.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The `xmlns:` prefix namespace.
pub const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";
/// WSDL 2.0 namespace (recognised to give a clear error).
pub const WSDL20_NS: &str = "http://www.w3.org/ns/wsdl";
/// WS-Security 1.0 (`wsse:`).
pub const WSSE_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
/// WS-Security utility (`wsu:Id`, `wsu:Timestamp`), also the ids of WS-Policy documents.
pub const WSU_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";

/// Errors from turning raw bytes into XML text.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CharsetError {
    #[error("unsupported character encoding `{0}`")]
    Unsupported(String),
    #[error("the document is not valid {0}")]
    Malformed(&'static str),
}

/// Decodes an XML document to UTF-8 text.
///
/// Looks at the byte order mark, then at the `encoding` of the XML declaration, then at the
/// `charset` given by the transport (if any), and falls back to UTF-8. Invalid sequences are
/// an error rather than being silently replaced.
pub fn decode_xml_bytes<'a>(
    bytes: &'a [u8],
    transport_charset: Option<&str>,
) -> Result<Cow<'a, str>, CharsetError> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        return decode_with(enc, &bytes[bom_len..]);
    }
    match declared_encoding(bytes).or(transport_charset) {
        None => std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|_| CharsetError::Malformed("UTF-8")),
        Some(label) => {
            let enc = encoding_rs::Encoding::for_label(label.trim().as_bytes())
                .ok_or_else(|| CharsetError::Unsupported(label.to_owned()))?;
            decode_with(enc, bytes)
        }
    }
}

fn decode_with<'a>(
    enc: &'static encoding_rs::Encoding,
    bytes: &'a [u8],
) -> Result<Cow<'a, str>, CharsetError> {
    if enc == encoding_rs::UTF_8 {
        return std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|_| CharsetError::Malformed("UTF-8"));
    }
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(CharsetError::Malformed(enc.name()));
    }
    // The declaration still names the old encoding; the parser only reads UTF-8 text, so
    // that is harmless.
    Ok(Cow::Owned(text.into_owned()))
}

/// Reads `encoding="..."` from an XML declaration at the very start of `bytes`. Byte
/// searches over the few bytes of the declaration: it is read on every answer.
fn declared_encoding(bytes: &[u8]) -> Option<&str> {
    let decl = bytes.strip_prefix(b"<?xml")?;
    // No `>` can occur inside a declaration; the first one ends it.
    let decl = &decl[..decl.iter().take(512).position(|&b| b == b'>')?];
    let at = decl.windows(8).position(|w| w == b"encoding")?;
    let rest = decl[at + 8..].trim_ascii_start().strip_prefix(b"=")?;
    let (&quote, value) = rest.trim_ascii_start().split_first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let close = value.iter().position(|&b| b == quote)?;
    std::str::from_utf8(&value[..close]).ok()
}

/// Resolves a general entity reference (`&name;`) to its text. Only the five predefined
/// entities and character references exist: a document that declares its own entities would
/// need a DTD, which soapbridge never processes.
pub fn resolve_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = if let Some(hex) = num.strip_prefix('x') {
                u32::from_str_radix(hex, 16).ok()?
            } else {
                num.parse::<u32>().ok()?
            };
            if code == 0 {
                return None;
            }
            char::from_u32(code)
        }
    }
}

/// `a == b` for XML names (prefixes, local names, JSON keys made of them): lengths first,
/// then the bytes compared in line, a word at a time. Names are short, and a call to
/// `memcmp` cost more than comparing them where the decoders match every element's name.
#[inline]
pub fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n >= 8 {
        // Whole words, then the last eight bytes (which may overlap the words compared).
        let mut i = 0;
        while i + 8 < n {
            if word8(a, i) != word8(b, i) {
                return false;
            }
            i += 8;
        }
        return word8(a, n - 8) == word8(b, n - 8);
    }
    if n >= 4 {
        // The first four bytes and the last four, overlapping below eight.
        return word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4);
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

#[inline(always)]
fn word8(s: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&s[at..at + 8]);
    u64::from_ne_bytes(w)
}

#[inline(always)]
fn word4(s: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&s[at..at + 4]);
    u32::from_ne_bytes(w)
}

/// Line number (1-based) of a byte offset in `text`.
pub fn line_of(text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    let lines = memchr::memchr_iter(b'\n', &text.as_bytes()[..end]).count();
    u32::try_from(lines + 1).unwrap_or(u32::MAX)
}

/// Escapes text for element content or a double-quoted attribute value.
pub fn escape(text: &str) -> Cow<'_, str> {
    quick_xml::escape::escape(text)
}

/// The first character of `s` that XML 1.0 forbids (every face refuses such input).
pub fn forbidden_char(s: &str) -> Option<char> {
    s.chars().find(|&c| {
        matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_name_compares_every_byte_at_every_length() {
        for n in 0..=40 {
            let a: String = (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            assert!(same_name(&a, &a.clone()), "{n}: equal");
            assert!(!same_name(&a, &format!("{a}x")), "{n}: longer");
            for at in 0..n {
                let mut b = a.clone().into_bytes();
                b[at] = b'Z';
                let b = String::from_utf8(b).expect("ascii");
                assert!(!same_name(&a, &b), "{n}: differs at {at}");
                assert!(!same_name(&b, &a), "{n}: differs at {at}, swapped");
            }
        }
    }

    #[test]
    fn utf8_without_declaration_is_borrowed() {
        let text = decode_xml_bytes("<a>é</a>".as_bytes(), None).expect("utf-8");
        assert!(matches!(text, Cow::Borrowed("<a>é</a>")));
    }

    #[test]
    fn latin1_declaration_is_transcoded() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xe9</a>";
        let text = decode_xml_bytes(bytes, None).expect("latin-1");
        assert!(text.ends_with("<a>é</a>"));
    }

    #[test]
    fn transport_charset_is_used_without_declaration() {
        let text = decode_xml_bytes(b"<a>\xe9</a>", Some("iso-8859-1")).expect("latin-1");
        assert_eq!(text, "<a>é</a>");
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        assert_eq!(
            decode_xml_bytes(b"<a>\xff</a>", None),
            Err(CharsetError::Malformed("UTF-8"))
        );
    }

    #[test]
    fn the_declared_encoding_is_read_in_any_spelling() {
        for (doc, want) in [
            (
                &b"<?xml version=\"1.0\" encoding=\"utf-8\"?><a/>"[..],
                Some("utf-8"),
            ),
            (
                b"<?xml version='1.0' encoding = 'Windows-1252' ?><a/>",
                Some("Windows-1252"),
            ),
            (b"<?xml version=\"1.0\"\n  encoding=\n'x'?>", Some("x")),
            (b"<?xml version=\"1.0\"?><a encoding=\"y\"/>", None),
            (b"<?xml version=\"1.0\" encoding=y?>", None),
            (b"<?xml version=\"1.0\" encoding=\"z?>", None),
            (b" <?xml version=\"1.0\" encoding=\"utf-8\"?>", None),
            (b"<a/>", None),
        ] {
            assert_eq!(
                declared_encoding(doc),
                want,
                "{}",
                String::from_utf8_lossy(doc)
            );
        }
    }

    #[test]
    fn unknown_encoding_is_named() {
        let err = decode_xml_bytes(b"<?xml version='1.0' encoding='klingon'?><a/>", None)
            .expect_err("unknown");
        assert_eq!(err, CharsetError::Unsupported("klingon".into()));
    }

    #[test]
    fn entities() {
        assert_eq!(resolve_entity("amp"), Some('&'));
        assert_eq!(resolve_entity("#x41"), Some('A'));
        assert_eq!(resolve_entity("#66"), Some('B'));
        assert_eq!(resolve_entity("#0"), None);
        assert_eq!(resolve_entity("bomb"), None);
    }

    #[test]
    fn lines() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }
}
