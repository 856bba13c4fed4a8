//! SOAP 1.1 and 1.2 envelopes: writing requests, reading responses and faults.
//!
//! ```text
//! request:  <Envelope><Header>declared headers, WS-Security</Header><Body>encode(body)</Body>
//! response: <Envelope> ─ Header (declared output headers) ─ Body ┬─ Fault ──> Fault
//!                                                                 └─ decode(body) ──> JSON
//! ```
//!
//! The body is read either as a `serde_json::Value` ([`parse_response`]) or straight into
//! JSON text with the route's selection applied ([`parse_response_json`], the answer path).
//!
//! Reading is lenient where stacks differ and the meaning is plain: either envelope version
//! is accepted, SOAP 1.1 fault children are read inside a SOAP 1.2 envelope (SOAP::Lite),
//! fault detail entries written straight into `<Fault>` are read as detail (Spyne), and a
//! detail whose declared type is an empty `complexType` is read as `xsd:anyType` (Spyne's
//! generated WSDL), so its fields are JSON.
//!
//! May import `wsdl`, `translate`, `xmlutil`.

use serde_json::{Map, Value};

use super::fault::Fault;
use crate::translate::decode::{Flush, select_value, write_value};
use crate::translate::events::{Ev, Limits, LiveSource, Recorded, Source, Start};
use crate::translate::stream::StreamSource;
use crate::translate::{DecodeError, Decoder, EncodeError, Encoder, Select, XmlWriter};
use crate::wsdl::{MessageBinding, Operation, Schema, SoapVersion, Use, WsaVersion};
use crate::xmlutil::{SOAP11_ENC_NS, SOAP11_ENV_NS, SOAP12_ENV_NS, XSD_NS, XSI_NS};

/// A header block written as given (WS-Security, WS-Addressing...).
pub trait HeaderWriter {
    fn write(&self, w: &mut XmlWriter);
}

/// A request envelope and, when asked for MTOM, where its large `xsd:base64Binary` texts
/// are (byte ranges of `envelope`, each the whole content of its element).
#[derive(Debug)]
pub struct BuiltRequest {
    pub envelope: String,
    pub binaries: Vec<std::ops::Range<usize>>,
}

/// Builds a request envelope for `op`'s input.
pub fn build_request(
    schema: &Schema,
    op: &Operation,
    version: SoapVersion,
    body: &Value,
    headers: Option<&Map<String, Value>>,
    extra_headers: &[&dyn HeaderWriter],
) -> Result<String, EncodeError> {
    build_message(schema, &op.input, version, body, headers, extra_headers)
}

/// Builds an envelope carrying `msg` (either direction).
pub fn build_message(
    schema: &Schema,
    msg: &MessageBinding,
    version: SoapVersion,
    body: &Value,
    headers: Option<&Map<String, Value>>,
    extra_headers: &[&dyn HeaderWriter],
) -> Result<String, EncodeError> {
    build_message_noting_binaries(schema, msg, version, body, headers, extra_headers, None)
        .map(|b| b.envelope)
}

/// [`build_message`], noting the Body's `xsd:base64Binary` texts of `mtom_threshold` bytes
/// or more (none when `None`), for sending them as MTOM parts.
pub fn build_message_noting_binaries(
    schema: &Schema,
    msg: &MessageBinding,
    version: SoapVersion,
    body: &Value,
    headers: Option<&Map<String, Value>>,
    extra_headers: &[&dyn HeaderWriter],
    mtom_threshold: Option<usize>,
) -> Result<BuiltRequest, EncodeError> {
    let env_ns = version.envelope_ns();
    let encoded = msg.use_ == Use::Encoded;
    let mut w = XmlWriter::new();
    w.declaration();
    w.start_prefixed(env_ns, "Envelope", "soapenv");
    // The writer would declare these where first used; on the Envelope they read better.
    if encoded {
        w.declare(XSI_NS, "xsi");
        w.declare(XSD_NS, "xsd");
        if version == SoapVersion::V11 {
            w.declare(SOAP11_ENC_NS, "soapenc");
        }
    }
    let header_values: Vec<(&crate::wsdl::HeaderDecl, &Value)> = msg
        .headers
        .iter()
        .filter_map(|h| headers.and_then(|m| m.get(&*h.key)).map(|v| (h, v)))
        .collect();
    // Every problem of the message is reported, the headers' and the body's.
    let mut problems: Vec<EncodeError> = Vec::new();
    if !header_values.is_empty() || !extra_headers.is_empty() {
        w.start(env_ns, "Header");
        for (h, v) in header_values {
            let mut enc = Encoder::new(schema, h.use_ == Use::Encoded);
            if let Err(e) = enc.element(&mut w, h.element, v) {
                problems.push(e.under(&format!("/headers/{}", h.key)));
            }
        }
        for x in extra_headers {
            x.write(&mut w);
        }
        w.end();
    }
    w.start(env_ns, "Body");
    let style = encoded.then(|| {
        (
            env_ns,
            msg.encoding_style.as_deref().unwrap_or(match version {
                SoapVersion::V11 => SOAP11_ENC_NS,
                SoapVersion::V12 => crate::xmlutil::SOAP12_ENC_NS,
            }),
        )
    });
    let mut enc = Encoder::new(schema, encoded);
    if let Some(t) = mtom_threshold {
        enc = enc.recording_binaries(t.max(1));
    }
    if let Err(e) = enc.body(&mut w, &msg.body, body, style) {
        problems.push(e);
    }
    if let Some(e) = EncodeError::from_all(problems) {
        return Err(e);
    }
    w.end();
    w.end();
    Ok(BuiltRequest {
        binaries: enc.take_binaries(),
        envelope: w.finish(),
    })
}

/// Builds a fault envelope: `client` picks Client/Sender over Server/Receiver, `detail` is
/// a detail entry (a declared fault element and its JSON).
pub fn build_fault(
    schema: &Schema,
    version: SoapVersion,
    client: bool,
    reason: &str,
    detail: Option<(crate::wsdl::ElemId, &Value)>,
) -> Result<String, EncodeError> {
    let env_ns = version.envelope_ns();
    let mut w = XmlWriter::new();
    w.declaration();
    w.start_prefixed(env_ns, "Envelope", "soapenv");
    w.start(env_ns, "Body");
    w.start(env_ns, "Fault");
    let write_detail = |w: &mut XmlWriter| -> Result<(), EncodeError> {
        if let Some((e, v)) = detail {
            Encoder::new(schema, false).element(w, e, v)?;
        }
        Ok(())
    };
    match version {
        SoapVersion::V11 => {
            w.start("", "faultcode");
            w.text(if client {
                "soapenv:Client"
            } else {
                "soapenv:Server"
            });
            w.end();
            w.start("", "faultstring");
            w.text(reason);
            w.end();
            if detail.is_some() {
                w.start("", "detail");
                write_detail(&mut w)?;
                w.end();
            }
        }
        SoapVersion::V12 => {
            w.start(env_ns, "Code");
            w.start(env_ns, "Value");
            w.text(if client {
                "soapenv:Sender"
            } else {
                "soapenv:Receiver"
            });
            w.end();
            w.end();
            w.start(env_ns, "Reason");
            w.start(env_ns, "Text");
            w.attr(crate::xmlutil::XML_NS, "lang", "en");
            w.text(reason);
            w.end();
            w.end();
            if detail.is_some() {
                w.start(env_ns, "Detail");
                write_detail(&mut w)?;
                w.end();
            }
        }
    }
    Ok(w.finish())
}

/// A decoded response.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// The output message as JSON, with its declared headers (if any were present).
    Ok {
        body: Value,
        headers: Map<String, Value>,
        version: SoapVersion,
        /// The WS-Addressing `RelatesTo` the answer carried.
        relates_to: Option<String>,
    },
    Fault(Fault),
}

/// Whether the text uses SOAP-encoding references, which need the whole message at hand:
/// `href="#…"`/`href='#…'` (SOAP 1.1) or a prefixed `ref=` (SOAP 1.2's `enc:ref`). One scan
/// for `ref=` with a searcher built once, then a look at each hit's neighbours.
fn uses_references(xml: &str) -> bool {
    static REF: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"ref="));
    let b = xml.as_bytes();
    REF.find_iter(b)
        .any(|at| match at.checked_sub(1).map(|i| b[i]) {
            Some(b':') => true,
            Some(b'h') => matches!(b.get(at + 4..at + 6), Some(b"\"#" | b"'#")),
            _ => false,
        })
}

/// Reads a response envelope for `op` (one-way operations read as an empty body).
pub fn parse_response(
    schema: &Schema,
    op: &Operation,
    xml: &str,
    limits: Limits,
) -> Result<Response, DecodeError> {
    parse_message(schema, op, op.output.as_ref(), xml, limits)
}

/// Reads a request envelope for `op` (what a SOAP server receives).
pub fn parse_request(
    schema: &Schema,
    op: &Operation,
    xml: &str,
    limits: Limits,
) -> Result<Response, DecodeError> {
    parse_message(schema, op, Some(&op.input), xml, limits)
}

/// A response read as JSON text by [`parse_response_json`].
#[derive(Debug, Clone, PartialEq)]
pub enum JsonResponse {
    /// The selected part of the output message was written; `headers` holds the header
    /// blocks the binding declares for the output that the answer carried, by key (small,
    /// so read as values).
    Ok {
        version: SoapVersion,
        headers: Map<String, Value>,
        /// The WS-Addressing `RelatesTo` the answer carried.
        relates_to: Option<String>,
    },
    Fault(Box<Fault>),
}

/// Reads a response envelope for `op` and writes the output message's JSON, as much of it
/// as `sel` selects, into `out`: the text `serde_json` writes for [`parse_response`]'s body
/// with the selection applied, without building the tree (except for the rare documents the
/// streaming decoder leaves to it; see `translate::decode`). One-way operations write `null`.
pub fn parse_response_json(
    schema: &Schema,
    op: &Operation,
    xml: &str,
    limits: Limits,
    sel: Select<'_>,
    out: &mut Vec<u8>,
) -> Result<JsonResponse, DecodeError> {
    let mut sink = BodyOut::Json {
        sel,
        out: &mut *out,
        written: false,
    };
    let first = read_message(schema, op, op.output.as_ref(), xml, limits, &mut sink)?;
    let written = matches!(sink, BodyOut::Json { written: true, .. });
    match first {
        Response::Fault(f) => Ok(JsonResponse::Fault(Box::new(f))),
        Response::Ok {
            version,
            headers,
            relates_to,
            ..
        } if written => Ok(JsonResponse::Ok {
            version,
            headers,
            relates_to,
        }),
        Response::Ok { .. } => match parse_response(schema, op, xml, limits)? {
            Response::Ok {
                body,
                version,
                headers,
                relates_to,
            } => {
                write_value(&select_value(body, sel), out);
                Ok(JsonResponse::Ok {
                    version,
                    headers,
                    relates_to,
                })
            }
            Response::Fault(f) => Ok(JsonResponse::Fault(Box::new(f))),
        },
    }
}

/// [`parse_response_json`] for an answer read from a stream while it arrives: the JSON text
/// goes into `out`, and finished parts of it are handed to `flush` (which empties `out`) as
/// soon as they can no longer change. What is left in `out` at the end is the last part.
///
/// The whole envelope is read, up to its end, so an answer cut short is an error even after
/// the selected part was written. An answer the tree decoder would have to read (elements out
/// of schema order) is refused: there is no text to read again. rpc/encoded answers, whose
/// references need the whole message, are read whole by the caller and never come here.
#[allow(clippy::too_many_arguments)]
pub fn stream_response_json<R: std::io::BufRead>(
    schema: &Schema,
    op: &Operation,
    input: R,
    limits: Limits,
    sel: Select<'_>,
    out: &mut Vec<u8>,
    flush: Flush<'_>,
    flush_at: usize,
) -> Result<JsonResponse, DecodeError> {
    let mut src = StreamSource::new(input, limits);
    let mut dec = Decoder::streaming(schema, flush, flush_at);
    let mut sink = BodyOut::Json {
        sel,
        out: &mut *out,
        written: false,
    };
    let first = read_envelope(
        &mut src,
        &mut dec,
        schema,
        op,
        op.output.as_ref(),
        &mut sink,
        limits.lenient,
    )?;
    let written = matches!(sink, BodyOut::Json { written: true, .. });
    match first {
        Response::Fault(f) => Ok(JsonResponse::Fault(Box::new(f))),
        Response::Ok {
            version,
            headers,
            relates_to,
            ..
        } if written => {
            while !matches!(src.next()?, Ev::Eof) {}
            Ok(JsonResponse::Ok {
                version,
                headers,
                relates_to,
            })
        }
        Response::Ok { .. } => Err(DecodeError::Structure(
            "the answer's elements are out of schema order, which only an answer held whole \
             can be read with (raise the backend's stream_threshold)"
                .into(),
        )),
    }
}

/// Where the Body's content goes.
enum BodyOut<'o, 'p> {
    /// Into `Response::Ok::body`.
    Tree,
    /// Into `out` as JSON text; `written` is false when the tree decoder must read it.
    Json {
        sel: Select<'p>,
        out: &'o mut Vec<u8>,
        written: bool,
    },
}

fn parse_message(
    schema: &Schema,
    op: &Operation,
    msg: Option<&MessageBinding>,
    xml: &str,
    limits: Limits,
) -> Result<Response, DecodeError> {
    read_message(schema, op, msg, xml, limits, &mut BodyOut::Tree)
}

fn read_message(
    schema: &Schema,
    op: &Operation,
    msg: Option<&MessageBinding>,
    xml: &str,
    limits: Limits,
    sink: &mut BodyOut<'_, '_>,
) -> Result<Response, DecodeError> {
    let mut live = LiveSource::new(xml, limits);
    let read = if uses_references(xml) {
        let recorded = Recorded::record(&mut live)?;
        let mut cur = recorded.cursor(0);
        let mut dec = Decoder::with_refs(schema, &recorded);
        read_envelope(&mut cur, &mut dec, schema, op, msg, sink, limits.lenient)
    } else {
        let mut dec = Decoder::new(schema);
        read_envelope(&mut live, &mut dec, schema, op, msg, sink, limits.lenient)
    };
    match read {
        // The events carry no namespace declarations; the text does.
        Ok(Response::Fault(mut f)) => {
            super::fault::resolve_subcodes(xml, &mut f);
            Ok(Response::Fault(f))
        }
        other => other,
    }
}

/// The version and the qualified name of the Body's first child, read without decoding:
/// how a SOAP server finds the operation it is asked for.
pub fn peek_body(
    xml: &str,
    limits: Limits,
) -> Result<(SoapVersion, Option<crate::wsdl::QName>), DecodeError> {
    let mut src = LiveSource::new(xml, limits);
    let Some(root) = next_start(&mut src)? else {
        return Err(DecodeError::Structure(
            "the document has no root element".into(),
        ));
    };
    if root.local != "Envelope" || !is_env(&root.ns) {
        return Err(DecodeError::Structure(format!(
            "not a SOAP envelope: the root element is `{}`",
            root.local
        )));
    }
    let version = if &*root.ns == SOAP12_ENV_NS {
        SoapVersion::V12
    } else {
        SoapVersion::V11
    };
    while let Some(child) = next_start(&mut src)? {
        if is_env(&child.ns) && child.local == "Body" {
            let first = next_start(&mut src)?;
            return Ok((
                version,
                first.map(|s| crate::wsdl::QName::new(&s.ns, &s.local)),
            ));
        }
        src.skip()?;
    }
    Err(DecodeError::Structure("the envelope has no Body".into()))
}

/// The next child element, text passed over (the indentation without being made an event).
fn next_start<'i, S: Source<'i>>(src: &mut S) -> Result<Option<Start<'i>>, DecodeError> {
    loop {
        match src.next_child()?.into_ev() {
            Ev::Start(s) => return Ok(Some(s)),
            Ev::Text(_) => {}
            Ev::End | Ev::Eof => return Ok(None),
        }
    }
}

fn is_env(ns: &str) -> bool {
    ns == SOAP11_ENV_NS || ns == SOAP12_ENV_NS
}

fn read_envelope<'i, S: Source<'i>>(
    src: &mut S,
    dec: &mut Decoder<'_, '_, 'i>,
    schema: &Schema,
    op: &Operation,
    output: Option<&MessageBinding>,
    sink: &mut BodyOut<'_, '_>,
    lenient: bool,
) -> Result<Response, DecodeError> {
    let Some(root) = next_start(src)? else {
        return Err(DecodeError::Structure(
            "the document has no root element".into(),
        ));
    };
    if root.local != "Envelope" || !is_env(&root.ns) {
        return Err(DecodeError::Structure(format!(
            "not a SOAP envelope: the root element is `{}`{}",
            root.local,
            if root.ns.is_empty() {
                String::new()
            } else {
                format!(" in namespace {}", root.ns)
            }
        )));
    }
    let version = if &*root.ns == SOAP12_ENV_NS {
        SoapVersion::V12
    } else {
        SoapVersion::V11
    };
    // Only an encoded message has multiRef references; elsewhere `href` and `id` are data.
    dec.set_encoded(output.is_some_and(|m| m.use_ == Use::Encoded));
    let mut headers = Map::new();
    let mut relates_to = None;
    loop {
        let Some(child) = next_start(src)? else {
            return Err(DecodeError::Structure("the envelope has no Body".into()));
        };
        if !is_env(&child.ns) {
            src.skip()?;
            continue;
        }
        match &*child.local {
            "Header" => {
                while let Some(h) = next_start(src)? {
                    let decl = output.and_then(|m| {
                        m.headers
                            .iter()
                            .find(|d| *schema.element(d.element).name.local == *h.local)
                    });
                    match decl {
                        Some(d) => {
                            let v = dec.element(src, &h, schema.element(d.element).ty)?;
                            headers.insert(d.key.to_string(), v);
                        }
                        None if &*h.local == "RelatesTo" && WsaVersion::of_ns(&h.ns).is_some() => {
                            relates_to = Some(text_of(src)?);
                        }
                        None => src.skip()?,
                    }
                }
            }
            "Body" => {
                // The contract is checked for the message itself (not its faults): every
                // required element, and for document/literal, namespaces as the schema says.
                if let Some(m) = output {
                    dec.check_contract(
                        !lenient,
                        m.body.shape != crate::wsdl::BodyShape::Rpc && m.use_ == Use::Literal,
                    );
                }
                let first = next_start(src)?;
                if let Some(f) = &first
                    && f.local == "Fault"
                    && is_env(&f.ns)
                {
                    dec.check_contract(false, false);
                    let fault = read_fault(src, dec, schema, op, version)?;
                    return Ok(Response::Fault(fault));
                }
                let body = match (output, sink) {
                    (Some(m), BodyOut::Tree) => dec.body(src, &m.body, first)?,
                    (Some(m), BodyOut::Json { sel, out, written }) => {
                        *written = dec.body_json(src, &m.body, first, *sel, out)?;
                        Value::Null
                    }
                    (None, sink) => {
                        if first.is_some() {
                            src.skip()?;
                        }
                        if let BodyOut::Json { out, written, .. } = sink {
                            out.extend_from_slice(b"null");
                            *written = true;
                        }
                        Value::Null
                    }
                };
                return Ok(Response::Ok {
                    body,
                    headers,
                    version,
                    relates_to,
                });
            }
            _ => src.skip()?,
        }
    }
}

fn text_of<'i, S: Source<'i>>(src: &mut S) -> Result<String, DecodeError> {
    let mut out = String::new();
    loop {
        match src.next()? {
            Ev::Text(t) => out.push_str(&t),
            Ev::Start(_) => src.skip()?,
            Ev::End | Ev::Eof => return Ok(out.trim().to_owned()),
        }
    }
}

fn read_fault<'i, S: Source<'i>>(
    src: &mut S,
    dec: &mut Decoder<'_, '_, 'i>,
    schema: &Schema,
    op: &Operation,
    version: SoapVersion,
) -> Result<Fault, DecodeError> {
    let mut fault = Fault {
        version,
        ..Fault::default()
    };
    let mut details: Vec<(String, Option<String>, Value)> = Vec::new();
    while let Some(child) = next_start(src)? {
        match &*child.local {
            "faultcode" => fault.code = text_of(src)?,
            "faultstring" => fault.reason = text_of(src)?,
            "faultactor" | "Role" | "Node" => {
                let t = text_of(src)?;
                if !t.is_empty() {
                    fault.actor = Some(t);
                }
            }
            "Code" => {
                // <Code><Value>env:Sender</Value><Subcode><Value>..</Value>..</Subcode></Code>
                read_code(src, &mut fault, true)?;
            }
            "Reason" => {
                while next_start(src)?.is_some() {
                    let t = text_of(src)?;
                    if fault.reason.is_empty() {
                        fault.reason = t;
                    }
                }
            }
            "detail" | "Detail" => {
                while let Some(entry) = next_start(src)? {
                    let v = detail_entry(src, dec, schema, op, &entry)?;
                    details.push(v);
                }
            }
            // Spyne writes detail entries straight into <Fault>.
            _ => {
                let v = detail_entry(src, dec, schema, op, &child)?;
                details.push(v);
            }
        }
    }
    match details.len() {
        0 => {}
        1 => {
            let (element, name, value) = details.remove(0);
            fault.detail_element = Some(element);
            fault.name = name;
            fault.detail = Some(value);
        }
        _ => {
            let mut map = Map::new();
            for (element, name, value) in details {
                if fault.name.is_none() {
                    fault.name = name;
                    fault.detail_element = Some(element.clone());
                }
                map.insert(element, value);
            }
            fault.detail = Some(Value::Object(map));
        }
    }
    Ok(fault)
}

fn read_code<'i, S: Source<'i>>(
    src: &mut S,
    fault: &mut Fault,
    top: bool,
) -> Result<(), DecodeError> {
    while let Some(c) = next_start(src)? {
        match &*c.local {
            "Value" => {
                let v = text_of(src)?;
                if top {
                    fault.code = v;
                } else {
                    fault.subcodes.push(v);
                }
            }
            "Subcode" => read_code(src, fault, false)?,
            _ => src.skip()?,
        }
    }
    Ok(())
}

/// Decodes one detail entry with the declared fault it matches: by element name, by
/// `xsi:type` (rpc/encoded stacks name the element after the type), or by fault name.
fn detail_entry<'i, S: Source<'i>>(
    src: &mut S,
    dec: &mut Decoder<'_, '_, 'i>,
    schema: &Schema,
    op: &Operation,
    entry: &Start<'i>,
) -> Result<(String, Option<String>, Value), DecodeError> {
    let matched = op.faults.iter().find(|f| {
        let by_element = f.element.is_some_and(|e| {
            let n = &schema.element(e).name;
            *n.local == *entry.local
                && (*n.ns == *entry.ns || entry.ns.is_empty() || n.ns.is_empty())
        });
        let by_type = f.type_name.as_ref().is_some_and(|t| {
            entry.xsi_type().is_some_and(|x| x.local == t.local) || *t.local == *entry.local
        });
        by_element || by_type || f.name == *entry.local
    });
    let element = entry.local.to_string();
    match matched {
        Some(f) => {
            let v = dec.element(src, entry, f.detail_type(schema))?;
            Ok((element, Some(f.name.clone()), v))
        }
        None => {
            let v = dec.element(src, entry, crate::wsdl::well_known::ANY_TYPE)?;
            Ok((element, None, v))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::uses_references;

    #[test]
    fn references_are_found_by_their_attribute_and_nothing_else() {
        for yes in [
            r##"<a href="#id1"/>"##,
            r##"<a href='#id1'/>"##,
            r#"<a enc:ref="id1"/>"#,
            r##"<x>ref=</x><a href="#i"/>"##,
        ] {
            assert!(uses_references(yes), "{yes}");
        }
        for no in [
            r#"<a href="http://example.com/"/>"#,
            r##"<a xref="#id"/>"##,
            "ref=",
            "<a>ref= and href=</a>",
            "<a href=",
            r#"<a href=""#,
        ] {
            assert!(!uses_references(no), "{no}");
        }
    }
}
