//! The backend's answer, read: HTML? empty? not XML? a fault? not the contract? Else the
//! operation's output JSON, as text, with the route's selection (`response.body`) applied.
//!
//! ```text
//! RawResponse ──empty / HTML / charset / not XML──> soap::parse_response_json ──> Ok(JSON text)
//!   (multipart/related: MTOM, its binary parts inlined as base64 first)     │ RelatesTo, and
//!                                                                        │ the signature when
//!                                                                        │ the backend signs
//!                                                                        └─> Fault → Problem
//! ```
//!
//! A route with `response.soap_headers` gets the answer's declared SOAP header blocks as
//! the first member of its JSON object, written in front of the body's text (the body is
//! never read back into a tree for it).
//!
//! Every refusal is a precise [`Problem`] and a warning that carries a short snippet of what
//! the backend sent (logged, never sent to the caller). May import `soap`, `translate`, `wsdl`,
//! `mapping` (the route's fault rules), `net`, `xmlutil`.

use serde_json::{Map, Value, json};

use super::problem::Problem;
use crate::mapping::Route;
use crate::mapping::bind;
use crate::net::charset_of;
use crate::soap::client::RawResponse;
use crate::soap::signature::VerifySettings;
use crate::soap::{self, Fault, JsonResponse, mtom};
use crate::translate::{DecodeError, Limits, Select};
use crate::wsdl::{Operation, Schema};
use crate::xmlutil;

fn snippet(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]);
    text.replace(['\n', '\r'], " ")
}

/// Turns the backend's answer into the route's JSON text (empty for a one-way operation),
/// or the precise problem. `sent`: the request's WS-Addressing `MessageID`, which the
/// answer's `RelatesTo` must name when it has one.
pub fn read_answer(
    route: &Route,
    raw: &RawResponse,
    limits: Limits,
    sent: Option<&str>,
) -> Result<Vec<u8>, Problem> {
    let sel = Select {
        path: &route.response.path,
        repeated: route.response.repeated,
    };
    match read_parts(
        &route.backend.wsdl.schema,
        route.operation(),
        raw,
        limits,
        sel,
        Checks {
            sent,
            signature: route.backend.verify_answers.as_deref(),
        },
    )? {
        (Answer::Body(body), headers) => Ok(match &route.response.soap_headers {
            Some(key) if !body.is_empty() => with_soap_headers(body, key, &headers),
            _ => body,
        }),
        (Answer::Fault(f), _) => Err(fault_problem(route, &f, raw.status)),
    }
}

/// `body`, a JSON object's text (or `null`), with `"key": {headers}` as its first member.
fn with_soap_headers(body: Vec<u8>, key: &str, headers: &Map<String, Value>) -> Vec<u8> {
    let rest = trim_start(&body);
    let members = if rest.starts_with(b"{") {
        &rest[1..]
    } else if rest.starts_with(b"null") {
        &b"}"[..]
    } else {
        // The compiler lets only objects through; anything else is returned as it came.
        return body;
    };
    let mut out = Vec::with_capacity(body.len() + 64);
    out.push(b'{');
    let _ = serde_json::to_writer(&mut out, key);
    out.push(b':');
    let _ = serde_json::to_writer(&mut out, headers);
    if !trim_start(members).starts_with(b"}") {
        out.push(b',');
    }
    out.extend_from_slice(members);
    out
}

/// What an answer that could be read holds.
#[derive(Debug)]
pub enum Answer {
    /// The selected part of the operation's output, as JSON text (empty for a one-way
    /// operation's empty answer).
    Body(Vec<u8>),
    Fault(Fault),
}

/// Reads the backend's answer against `op` of `schema`, keeping what `sel` selects: every
/// check of [`read_answer`] except the route's fault rules (which only turn a fault into a
/// problem).
pub fn read_message(
    schema: &Schema,
    op: &Operation,
    raw: &RawResponse,
    limits: Limits,
    sel: Select<'_>,
) -> Result<Answer, Problem> {
    read_parts(schema, op, raw, limits, sel, Checks::default()).map(|(a, _)| a)
}

/// What an answer is checked against besides its contract.
#[derive(Default, Clone, Copy)]
struct Checks<'a> {
    /// The request's WS-Addressing `MessageID`, which the answer's `RelatesTo` must name
    /// when it has one.
    sent: Option<&'a str>,
    /// Who may sign the answer (faults are not required to be signed).
    signature: Option<&'a VerifySettings>,
}

/// [`read_message`], with the declared SOAP header blocks the answer carried, and the
/// [`Checks`] made.
fn read_parts(
    schema: &Schema,
    op: &Operation,
    raw: &RawResponse,
    limits: Limits,
    sel: Select<'_>,
    checks: Checks<'_>,
) -> Result<(Answer, Map<String, Value>), Problem> {
    let status = raw.status;
    let bytes = &raw.body[..];
    let trimmed = trim_start(bytes);
    if trimmed.is_empty() {
        if op.output.is_none() && (200..300).contains(&status) {
            return Ok((Answer::Body(Vec::new()), Map::new()));
        }
        if !(200..300).contains(&status) {
            return Err(Problem::backend_http_error(status));
        }
        tracing::warn!(status, "The backend answered with an empty body.");
        return Err(Problem::backend_empty(status));
    }
    let content_type = raw.content_type.as_deref().unwrap_or("");
    let text = if mtom::is_multipart(content_type) {
        // MTOM/XOP: the envelope with each binary part inlined as base64.
        match mtom::inline(content_type, bytes) {
            Ok(t) => std::borrow::Cow::Owned(t),
            Err(e) => {
                tracing::warn!(status, error = %e, body = %snippet(bytes), "The backend's MTOM answer cannot be read.");
                return Err(Problem::backend_invalid_value(status, e.to_string()));
            }
        }
    } else {
        refuse_html(status, raw.content_type.as_deref(), bytes)?;
        match xmlutil::decode_xml_bytes(bytes, charset_of(content_type)) {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(status, error = %e, "The backend's answer cannot be decoded.");
                return Err(Problem::backend_not_xml(
                    status,
                    format!("the answer cannot be read as text: {e}"),
                ));
            }
        }
    };
    if !text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
    {
        return Err(not_xml(status, content_type, bytes));
    }
    // The JSON is usually about half the XML.
    let mut out = Vec::with_capacity(text.len() / 2 + 64);
    match soap::parse_response_json(schema, op, &text, limits, sel, &mut out) {
        Ok(JsonResponse::Ok {
            headers,
            relates_to,
            ..
        }) => {
            if let Some(why) = checks
                .sent
                .and_then(|id| soap::addressing::check_relates_to(id, relates_to.as_deref()))
            {
                tracing::warn!(status, detail = %why, "The backend's answer relates to another message.");
                return Err(Problem::backend_invalid_value(status, why));
            }
            // Checked on the envelope as read (MTOM parts inlined: the XOP infoset).
            if let Some(settings) = checks.signature
                && let Err(e) = settings.check(&text)
            {
                tracing::warn!(status, error = %e, "The backend's answer is not signed as required.");
                return Err(Problem::backend_signature_invalid(status, e.to_string()));
            }
            if (200..300).contains(&status) {
                Ok((Answer::Body(out), headers))
            } else {
                tracing::warn!(
                    status,
                    "The backend answered a non-2xx status with a normal message."
                );
                Err(Problem::backend_http_error(status))
            }
        }
        Ok(JsonResponse::Fault(f)) => Ok((Answer::Fault(*f), Map::new())),
        Err(e) => {
            tracing::warn!(status, error = %e, body = %snippet(bytes), "The backend's answer cannot be read.");
            Err(decode_problem(status, e))
        }
    }
}

/// An answer refused from its first bytes: an HTML page, or (for the UTF-8 answers that
/// stream) text that is not XML.
pub fn refuse_early(status: u16, content_type: Option<&str>, bytes: &[u8]) -> Result<(), Problem> {
    refuse_html(status, content_type, bytes)?;
    if !trim_start(bytes).starts_with(b"<") {
        return Err(not_xml(status, content_type.unwrap_or(""), bytes));
    }
    Ok(())
}

fn refuse_html(status: u16, content_type: Option<&str>, bytes: &[u8]) -> Result<(), Problem> {
    let content_type = content_type.unwrap_or("");
    let trimmed = trim_start(bytes);
    // Compared without a lower-cased copy: this runs for every answer.
    let looks_html = starts_with_ci(content_type.as_bytes(), b"text/html")
        || starts_with_ci(trimmed, b"<!doctype html")
        || starts_with_ci(trimmed, b"<html");
    if looks_html {
        tracing::warn!(status, content_type, body = %snippet(bytes), "The backend answered with HTML.");
        return Err(Problem::backend_not_soap(status, "an HTML page"));
    }
    Ok(())
}

fn not_xml(status: u16, content_type: &str, bytes: &[u8]) -> Problem {
    tracing::warn!(status, content_type, body = %snippet(bytes), "The backend's answer is not XML.");
    let what = if content_type.is_empty() {
        "text that is not XML".to_owned()
    } else {
        format!("`{content_type}` content that is not XML")
    };
    Problem::backend_not_xml(
        status,
        format!("the backend answered HTTP {status} with {what}"),
    )
}

/// The problem of an answer that could not be decoded.
pub fn decode_problem(status: u16, e: DecodeError) -> Problem {
    match e {
        DecodeError::Forbidden(d) => Problem::backend_forbidden_xml(status, d),
        DecodeError::TooLarge(d) => Problem::backend_response_too_large(d),
        DecodeError::Value { .. } => Problem::backend_invalid_value(status, e.to_string()),
        DecodeError::Contract { ref pointer, .. } => {
            let pointer = pointer.clone();
            let mut p = Problem::backend_invalid_value(status, e.to_string())
                .with("pointer", serde_json::Value::String(pointer));
            p.hints_mut().contract = true;
            p
        }
        DecodeError::Malformed(_) | DecodeError::Structure(_) => {
            if (200..300).contains(&status) || status == 500 {
                Problem::backend_invalid_xml(status, e.to_string())
            } else {
                Problem::backend_http_error(status)
            }
        }
    }
}

fn trim_start(b: &[u8]) -> &[u8] {
    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    &b[start..]
}

fn starts_with_ci(b: &[u8], prefix: &[u8]) -> bool {
    b.len() >= prefix.len() && b[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// A SOAP fault as a problem, with the status the route's rules give it.
pub fn fault_problem(route: &Route, f: &Fault, backend_status: u16) -> Problem {
    let (status, rule) = bind::fault_status(route, f);
    let title = rule
        .and_then(|r| r.title.clone())
        .unwrap_or_else(|| match f.reason.trim() {
            "" => "SOAP fault".to_owned(),
            reason => reason.to_owned(),
        });
    let mut fault = serde_json::Map::new();
    fault.insert("code".into(), json!(f.code_local()));
    fault.insert("string".into(), json!(f.reason));
    if !f.subcodes.is_empty() {
        fault.insert("subcodes".into(), json!(f.subcodes));
    }
    if let Some(a) = &f.actor {
        fault.insert("actor".into(), json!(a));
    }
    if let Some(n) = &f.name {
        fault.insert("name".into(), json!(n));
    }
    if let Some(d) = &f.detail {
        fault.insert("detail".into(), d.clone());
    }
    let p = Problem::new(status, "soap-fault", title)
        .detail(if backend_status == 200 {
            format!("{} (the backend sent this fault with HTTP 200)", f.reason)
        } else {
            f.reason.clone()
        })
        .with("fault", Value::Object(fault))
        .with("backend_status", json!(backend_status));
    if backend_status == 200 {
        tracing::warn!("The backend sent a SOAP fault with HTTP 200.");
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soap_headers_go_first_in_the_body_object() {
        let mut h = Map::new();
        h.insert("Trace".into(), json!({"id": "t1"}));
        let put = |body: &str| {
            String::from_utf8(with_soap_headers(body.as_bytes().to_vec(), "$headers", &h))
                .expect("utf-8")
        };
        assert_eq!(
            put(r#"{"a":1}"#),
            r#"{"$headers":{"Trace":{"id":"t1"}},"a":1}"#
        );
        assert_eq!(put("{}"), r#"{"$headers":{"Trace":{"id":"t1"}}}"#);
        assert_eq!(put("null"), r#"{"$headers":{"Trace":{"id":"t1"}}}"#);
    }

    #[test]
    fn html_is_known_by_its_content_type_in_any_case_or_by_its_first_tag() {
        let xml = b"<soap:Envelope/>";
        for ct in ["text/html", "Text/HTML; charset=utf-8", "TEXT/HTML"] {
            assert!(refuse_html(200, Some(ct), xml).is_err(), "{ct}");
        }
        for ct in [
            None,
            Some("text/xml"),
            Some("text/htm"),
            Some("application/soap+xml"),
        ] {
            assert!(refuse_html(200, ct, xml).is_ok(), "{ct:?}");
        }
        assert!(refuse_html(502, Some("text/plain"), b"  <!DOCTYPE html><p>").is_err());
        assert!(refuse_html(502, None, b"\n<HTML><body>").is_err());
    }
}
