//! MTOM/XOP (SOAP 1.1 and 1.2). Answers: a `multipart/related` body whose root part is the
//! envelope and whose other parts are binaries the envelope points at with `xop:Include`.
//! Each include becomes the base64 text of its part, so the envelope reads as if the
//! backend had sent `xsd:base64Binary` inline, and the JSON conventions do not change.
//!
//! ```text
//! Content-Type: multipart/related; boundary=…; start="<root>"; type="application/xop+xml"
//!   --boundary  Content-ID: <root>   <Envelope>…<data><xop:Include href="cid:part1"/></data>…
//!   --boundary  Content-ID: <part1>  (binary)
//!   --boundary--
//!     ──inline──> <Envelope>…<data>AAEC…</data>…  (the root's charset, as text)
//! ```
//!
//! The body is already in memory (multipart answers are read whole, within the backend's
//! size limits). The splitting is written here because the maintained multipart crates
//! are asynchronous stream parsers for form uploads; this needs a strict, synchronous
//! reading of one body. Requests are packaged by [`request`].
//!
//! May import `net`, `xmlutil`.

pub mod request;

use std::borrow::Cow;

use base64::Engine as _;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

use crate::net::{charset_of, content_type_param};
use crate::xmlutil;

/// The XOP namespace of `xop:Include`.
pub const XOP_NS: &str = "http://www.w3.org/2004/08/xop/include";

/// Why an MTOM answer cannot be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the MTOM answer {0}")]
pub struct MtomError(pub String);

fn err(msg: impl Into<String>) -> MtomError {
    MtomError(msg.into())
}

/// Whether a `Content-Type` is a multipart one (such answers are read whole).
pub fn is_multipart(content_type: &str) -> bool {
    content_type
        .trim_start()
        .get(..10)
        .is_some_and(|p| p.eq_ignore_ascii_case("multipart/"))
}

/// One part: its headers (names lower-cased) and bytes.
struct Part<'a> {
    headers: Vec<(String, String)>,
    body: Cow<'a, [u8]>,
}

impl Part<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn content_id(&self) -> Option<&str> {
        self.header("content-id").map(unbracket)
    }
}

fn unbracket(id: &str) -> &str {
    let id = id.trim();
    id.strip_prefix('<')
        .and_then(|i| i.strip_suffix('>'))
        .unwrap_or(id)
}

/// The root envelope of an MTOM answer as text, each `xop:Include` replaced by the base64 of
/// the part it names.
pub fn inline(content_type: &str, body: &[u8]) -> Result<String, MtomError> {
    let boundary = content_type_param(content_type, "boundary")
        .ok_or_else(|| err("has no multipart boundary in its Content-Type"))?;
    let parts = split(body, boundary)?;
    let start = content_type_param(content_type, "start");
    let root = match &start {
        Some(id) => parts
            .iter()
            .position(|p| p.content_id() == Some(unbracket(id)))
            .ok_or_else(|| err(format!("names a root part {id} that it does not carry")))?,
        None => 0,
    };
    let root_type = parts[root].header("content-type").unwrap_or("");
    let text = xmlutil::decode_xml_bytes(&parts[root].body, charset_of(root_type))
        .map_err(|e| err(format!("root part cannot be read as text: {e}")))?;
    // Each part is inlined once: an answer pointing at one part many times would otherwise
    // grow in memory far past what it weighed on the wire.
    let mut used = vec![false; parts.len()];
    replace_includes(&text, |cid| {
        // `cid:` URLs are percent-encoded (RFC 2392).
        let id = percent_encoding::percent_decode_str(cid).decode_utf8_lossy();
        let (i, p) = parts
            .iter()
            .enumerate()
            .find(|(i, p)| *i != root && p.content_id() == Some(id.as_ref()))
            .ok_or_else(|| {
                err(format!(
                    "has an xop:Include to cid:{cid}, a part it does not carry"
                ))
            })?;
        if std::mem::replace(&mut used[i], true) {
            return Err(err(format!(
                "has two xop:Include elements for the part cid:{cid}"
            )));
        }
        Ok(base64::engine::general_purpose::STANDARD.encode(&p.body))
    })
}

/// The parts between `--boundary` lines (the preamble and epilogue dropped).
fn split<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, MtomError> {
    let delim = format!("--{boundary}");
    let d = delim.as_bytes();
    let mut starts = memchr::memmem::find_iter(body, d)
        .filter(|&i| i == 0 || body[..i].ends_with(b"\n"))
        .peekable();
    let mut parts = Vec::new();
    let mut closed = false;
    while let Some(at) = starts.next() {
        let after = at + d.len();
        if body[after..].starts_with(b"--") {
            closed = true;
            break;
        }
        let Some(next) = starts.peek().copied() else {
            break;
        };
        // The part runs from the line after the delimiter to the CRLF before the next one.
        let line_end = memchr::memchr(b'\n', &body[after..next])
            .map(|i| after + i + 1)
            .ok_or_else(|| err("has a boundary line that does not end"))?;
        let mut end = next;
        if body[..end].ends_with(b"\r\n") {
            end -= 2;
        } else if body[..end].ends_with(b"\n") {
            end -= 1;
        }
        parts.push(part(&body[line_end..end.max(line_end)])?);
    }
    if !closed {
        return Err(err("ends before its closing boundary (cut off?)"));
    }
    if parts.is_empty() {
        return Err(err("has no parts"));
    }
    Ok(parts)
}

fn part(raw: &[u8]) -> Result<Part<'_>, MtomError> {
    let (head, body) = match memchr::memmem::find(raw, b"\r\n\r\n") {
        Some(i) => (&raw[..i], &raw[i + 4..]),
        None => match memchr::memmem::find(raw, b"\n\n") {
            Some(i) => (&raw[..i], &raw[i + 2..]),
            None => return Err(err("has a part without a blank line after its headers")),
        },
    };
    let head = std::str::from_utf8(head).map_err(|_| err("has part headers that are not text"))?;
    let headers: Vec<(String, String)> = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let encoding = headers
        .iter()
        .find(|(k, _)| k == "content-transfer-encoding")
        .map(|(_, v)| v.to_ascii_lowercase());
    let body = match encoding.as_deref() {
        None | Some("binary" | "8bit" | "7bit") => Cow::Borrowed(body),
        Some("base64") => {
            let clean: Vec<u8> = body
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            Cow::Owned(
                base64::engine::general_purpose::STANDARD
                    .decode(clean)
                    .map_err(|e| err(format!("has a base64 part that does not decode: {e}")))?,
            )
        }
        Some(other) => {
            return Err(err(format!(
                "has a part in the transfer encoding `{other}`, which XOP does not use"
            )));
        }
    };
    Ok(Part { headers, body })
}

/// `text` with each `xop:Include` element replaced by what `resolve` gives for its `cid:`
/// (or its refusal).
fn replace_includes(
    text: &str,
    mut resolve: impl FnMut(&str) -> Result<String, MtomError>,
) -> Result<String, MtomError> {
    let mut r = quick_xml::NsReader::from_str(text);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    loop {
        let before = r.buffer_position() as usize;
        let ev = r
            .read_resolved_event()
            .map_err(|e| err(format!("root part is not well-formed XML: {e}")))?;
        let (ns, ev) = ev;
        let is_include = |local: &str| {
            matches!(ns, ResolveResult::Bound(n) if n.into_inner() == XOP_NS) && local == "Include"
        };
        match &ev {
            Event::Empty(e) | Event::Start(e) if is_include(e.local_name().into_inner()) => {
                let href = e
                    .try_get_attribute("href")
                    .ok()
                    .flatten()
                    .and_then(|a| {
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .ok()
                            .map(Cow::into_owned)
                    })
                    .ok_or_else(|| err("has an xop:Include without href"))?;
                let cid = href.strip_prefix("cid:").ok_or_else(|| {
                    err(format!("has an xop:Include to `{href}`, not a cid: URL"))
                })?;
                let data = resolve(cid)?;
                if matches!(ev, Event::Start(_)) {
                    // `<xop:Include …></xop:Include>`: what it holds goes too.
                    let mut depth = 1usize;
                    while depth > 0 {
                        match r.read_event() {
                            Ok(Event::Start(_)) => depth += 1,
                            Ok(Event::End(_)) => depth -= 1,
                            Ok(Event::Eof) => {
                                return Err(err("has an xop:Include that does not end"));
                            }
                            Ok(_) => {}
                            Err(e) => {
                                return Err(err(format!("root part is not well-formed XML: {e}")));
                            }
                        }
                    }
                }
                out.push_str(&text[copied..before]);
                out.push_str(&data);
                copied = r.buffer_position() as usize;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out.push_str(&text[copied..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CT: &str = "multipart/related; type=\"application/xop+xml\"; boundary=\"b1\"; start=\"<root@x>\"; start-info=\"text/xml\"";

    fn body(root: &str, parts: &[(&str, &[u8])], close: bool) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(b"preamble\r\n--b1\r\nContent-ID: <root@x>\r\nContent-Type: application/xop+xml; charset=utf-8; type=\"text/xml\"\r\n\r\n");
        b.extend_from_slice(root.as_bytes());
        for (id, data) in parts {
            b.extend_from_slice(format!("\r\n--b1\r\nContent-Id: <{id}>\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n").as_bytes());
            b.extend_from_slice(data);
        }
        if close {
            b.extend_from_slice(b"\r\n--b1--\r\nepilogue");
        }
        b
    }

    #[test]
    fn includes_become_the_base64_of_their_parts() {
        let root = r#"<e xmlns:xop="http://www.w3.org/2004/08/xop/include"><a><xop:Include href="cid:p%401"/></a><b><xop:Include href="cid:two@x"></xop:Include></b></e>"#;
        // Binary parts may hold the boundary's characters and CRLFs without a line break
        // before them.
        let one: &[u8] = &[0, 1, 2, 0xff, b'-', b'-', b'b', b'1', b'\r'];
        let b = body(root, &[("p@1", one), ("two@x", b"\r\n\r\nxyz")], true);
        let text = inline(CT, &b).expect("reads");
        let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
        assert_eq!(
            text,
            format!(
                r#"<e xmlns:xop="http://www.w3.org/2004/08/xop/include"><a>{}</a><b>{}</b></e>"#,
                b64(one),
                b64(b"\r\n\r\nxyz")
            )
        );
    }

    #[test]
    fn a_broken_answer_says_what_is_wrong() {
        let root = r#"<e xmlns:xop="http://www.w3.org/2004/08/xop/include"><xop:Include href="cid:nope"/></e>"#;
        let twice = r#"<e xmlns:xop="http://www.w3.org/2004/08/xop/include"><xop:Include href="cid:p"/><xop:Include href="cid:p"/></e>"#;
        let cases: [(&str, Vec<u8>, &str); 5] = [
            (
                CT,
                body(twice, &[("p", b"1")], true),
                "two xop:Include elements for the part cid:p",
            ),
            (
                CT,
                body(root, &[("p", b"1")], true),
                "a part it does not carry",
            ),
            (CT, body("<e/>", &[("p", b"1")], false), "closing boundary"),
            (
                "multipart/related; type=\"application/xop+xml\"",
                body("<e/>", &[], true),
                "no multipart boundary",
            ),
            (
                "multipart/related; boundary=b1; start=\"<other>\"",
                body("<e/>", &[], true),
                "root part <other>",
            ),
        ];
        for (ct, b, want) in cases {
            let e = inline(ct, &b).expect_err("refused");
            assert!(e.to_string().contains(want), "{want}: {e}");
        }
    }

    #[test]
    fn multipart_types_are_recognised_whatever_their_case() {
        assert!(is_multipart("Multipart/Related; boundary=x"));
        assert!(is_multipart("multipart/related"));
        assert!(!is_multipart("text/xml; charset=utf-8"));
        assert!(!is_multipart("multi"));
        // The cid: decoding `inline` relies on: a stray `%` stays as it is.
        assert_eq!(
            percent_encoding::percent_decode_str("a%40b%2").decode_utf8_lossy(),
            "a@b%2"
        );
    }
}
