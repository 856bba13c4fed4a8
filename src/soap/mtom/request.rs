//! MTOM/XOP requests: the envelope as the `application/xop+xml` root part, each large
//! `xsd:base64Binary` text replaced by an `xop:Include` that points at a binary part.
//!
//! ```text
//! envelope text + ranges of its base64 texts (noted by the encoder)
//!   ──package──> Content-Type: multipart/related; type="application/xop+xml"; boundary=…;
//!                              start="<root…>"; start-info="text/xml" (1.2: application/soap+xml, action=…)
//!                --boundary  application/xop+xml root part: <data><xop:Include href="cid:…"/></data>
//!                --boundary  application/octet-stream part: the decoded bytes
//!                --boundary--
//! ```
//!
//! A signed request is signed over the inline base64 (the XOP infoset the receiver rebuilds),
//! then packaged: [`relocate`] finds the same texts again in the signed envelope.
//!
//! May import `xmlutil`.

use std::ops::Range;

use base64::Engine as _;
use bytes::Bytes;

use super::XOP_NS;

/// An MTOM request body and the Content-Type it goes with.
#[derive(Debug)]
pub struct MtomRequest {
    pub content_type: String,
    pub body: Bytes,
}

const ROOT_ID: &str = "root.message@soapbridge";

/// Finds `texts` again in `envelope`, in order, each as the whole content of an element
/// (`>text<`); a text not found is left inline.
pub fn relocate<'t>(envelope: &str, texts: impl IntoIterator<Item = &'t str>) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut from = 0;
    for text in texts {
        let mut at = from;
        while let Some(i) = envelope[at..].find(text) {
            let start = at + i;
            let end = start + text.len();
            let whole = envelope[..start].ends_with('>') && envelope[end..].starts_with('<');
            if whole {
                found.push(start..end);
                from = end;
                break;
            }
            at = start + 1;
        }
    }
    found
}

/// Packages `envelope` as an MTOM request, each range of `binaries` (base64 texts, in
/// document order, not overlapping) sent as a binary part. `action`: the SOAP 1.2 action
/// (empty: none); SOAP 1.1 carries it in `SOAPAction` as usual.
pub fn package(
    envelope: &str,
    binaries: &[Range<usize>],
    soap12: bool,
    action: &str,
) -> MtomRequest {
    let boundary = format!("uuid:{}", uuid::Uuid::new_v4());
    let soap_type = if soap12 {
        "application/soap+xml"
    } else {
        "text/xml"
    };
    let mut root = String::with_capacity(envelope.len());
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    let mut last = 0;
    for r in binaries {
        let Some(text) = envelope.get(r.clone()).filter(|_| r.start >= last) else {
            continue;
        };
        // Only canonical base64 goes apart: the receiver puts back the base64 of the part's
        // bytes, so a text with line breaks (valid base64Binary) would come back changed
        // (and a signature over it broken). It stays inline, as does anything that does not
        // decode.
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(text) else {
            continue;
        };
        let cid = format!(
            "{}.{}@soapbridge",
            parts.len(),
            uuid::Uuid::new_v4().simple()
        );
        root.push_str(&envelope[last..r.start]);
        root.push_str("<xop:Include xmlns:xop=\"");
        root.push_str(XOP_NS);
        root.push_str("\" href=\"cid:");
        root.push_str(&cid);
        root.push_str("\"/>");
        last = r.end;
        parts.push((cid, bytes));
    }
    root.push_str(&envelope[last..]);

    let binary_len: usize = parts.iter().map(|(_, b)| b.len() + 200).sum();
    let mut body = Vec::with_capacity(root.len() + binary_len + 400);
    let line = |body: &mut Vec<u8>, text: &str| {
        body.extend_from_slice(text.as_bytes());
        body.extend_from_slice(b"\r\n");
    };
    let action_param = if soap12 && !action.is_empty() {
        format!("; action=\"{action}\"")
    } else {
        String::new()
    };
    line(&mut body, &format!("--{boundary}"));
    line(
        &mut body,
        &format!(
            "Content-Type: application/xop+xml; charset=UTF-8; type=\"{soap_type}\"{action_param}"
        ),
    );
    line(&mut body, "Content-Transfer-Encoding: 8bit");
    line(&mut body, &format!("Content-ID: <{ROOT_ID}>"));
    line(&mut body, "");
    line(&mut body, &root);
    for (cid, bytes) in &parts {
        line(&mut body, &format!("--{boundary}"));
        line(&mut body, "Content-Type: application/octet-stream");
        line(&mut body, "Content-Transfer-Encoding: binary");
        line(&mut body, &format!("Content-ID: <{cid}>"));
        line(&mut body, "");
        body.extend_from_slice(bytes);
        line(&mut body, "");
    }
    line(&mut body, &format!("--{boundary}--"));
    let content_type = format!(
        "multipart/related; type=\"application/xop+xml\"; boundary=\"{boundary}\"; start=\"<{ROOT_ID}>\"; start-info=\"{soap_type}\"{action_param}"
    );
    MtomRequest {
        content_type,
        body: Bytes::from(body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENV: &str = "<e><a>AAEC</a><b>x</b><a>/w==</a></e>";

    #[test]
    fn a_packaged_request_reads_back_as_the_inline_envelope() {
        let ranges = relocate(ENV, ["AAEC", "/w=="]);
        assert_eq!(ranges, vec![6..10, 25..29]);
        let req = package(ENV, &ranges, false, "");
        assert!(
            req.content_type
                .starts_with("multipart/related; type=\"application/xop+xml\"")
        );
        assert!(req.content_type.contains("start-info=\"text/xml\""));
        let body = String::from_utf8_lossy(&req.body);
        assert_eq!(body.matches("<xop:Include").count(), 2, "{body}");
        assert!(!body.contains("AAEC"), "{body}");
        // The answer reader's inliner is the independent half: it must rebuild the envelope.
        let back = super::super::inline(&req.content_type, &req.body).expect("reads back");
        assert_eq!(back, ENV);
    }

    #[test]
    fn base64_with_line_breaks_stays_inline() {
        let env = "<e><a>AAEC\nAAEC</a></e>";
        let ranges = relocate(env, ["AAEC\nAAEC"]);
        assert_eq!(ranges.len(), 1);
        let req = package(env, &ranges, false, "");
        let back = super::super::inline(&req.content_type, &req.body).expect("reads back");
        assert_eq!(back, env, "nothing sent apart");
        assert!(!String::from_utf8_lossy(&req.body).contains("xop:Include"));
    }

    #[test]
    fn soap12_names_its_action_and_texts_not_whole_content_stay_inline() {
        let env = "<e><a>xAAECx</a><a>AAEC</a></e>";
        let ranges = relocate(env, ["AAEC"]);
        assert_eq!(ranges, vec![19..23]);
        let req = package(env, &ranges, true, "urn:x:y");
        assert!(
            req.content_type
                .contains("start-info=\"application/soap+xml\"; action=\"urn:x:y\"")
        );
        let back = super::super::inline(&req.content_type, &req.body).expect("reads back");
        assert_eq!(back, env);
    }
}
