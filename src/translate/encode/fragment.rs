//! Content the schema does not describe: `xsd:anyType` values written from any JSON, and
//! `$any` XML fragments, parsed and re-written so they cannot break out of their place.
//! Also the XML name check these (and `$attributes`) rely on.
//!
//! May import: `wsdl`, `translate::events`, `translate::scalar`, `translate::writer` and the
//! error types of `translate`; nothing above.

use std::sync::Arc;

use serde_json::Value;

use super::{Encoder, Result};
use crate::translate::events::{Ev, Limits, LiveSource, Source};
use crate::translate::scalar::json_type_name;
use crate::translate::writer::XmlWriter;
use crate::translate::{ANY_KEY, EncodeErrorKind, Seg, TEXT_KEY, TYPE_KEY, VALUE_KEY};
use crate::wsdl::{QName, well_known};

impl Encoder<'_> {
    /// Content of an `xsd:anyType` element, from any JSON.
    pub(super) fn any_value(&mut self, w: &mut XmlWriter, v: &Value) -> Result<()> {
        match v {
            Value::Null => Ok(()),
            Value::String(s) => {
                w.text(s);
                Ok(())
            }
            Value::Number(n) => {
                w.text(&n.to_string());
                Ok(())
            }
            Value::Bool(b) => {
                w.text(&b.to_string());
                Ok(())
            }
            Value::Array(_) => Err(self.fail(EncodeErrorKind::NotRepeatable)),
            Value::Object(obj) => {
                // Attributes first: they belong to the open tag.
                for (k, val) in obj {
                    if let Some(name) = k.strip_prefix('@') {
                        if !is_xml_name(name) {
                            return Err(self.fail(EncodeErrorKind::BadFragment(format!(
                                "`{name}` is not a valid attribute name"
                            ))));
                        }
                        w.attr("", name, &plain(val));
                    }
                }
                for (k, val) in obj {
                    if k.starts_with('@') {
                        continue;
                    }
                    self.path.push(Seg::Key(Arc::from(k.as_str())));
                    match k.as_str() {
                        VALUE_KEY | TEXT_KEY => w.text(&plain(val)),
                        ANY_KEY => self.fragments(w, val)?,
                        TYPE_KEY => {}
                        name => {
                            if !is_xml_name(name) {
                                return Err(self.fail(EncodeErrorKind::BadFragment(format!(
                                    "`{name}` is not a valid XML element name"
                                ))));
                            }
                            let el = QName::new("", name);
                            let items: Vec<&Value> = match val {
                                Value::Array(a) => a.iter().collect(),
                                other => vec![other],
                            };
                            for it in items {
                                self.element_as(w, &el, well_known::ANY_TYPE, true, it)?;
                            }
                        }
                    }
                    self.path.pop();
                }
                Ok(())
            }
        }
    }

    /// Writes `$any` content: one XML fragment or an array of them. Each is parsed and
    /// re-written, so it cannot break out of its place or borrow the envelope's prefixes.
    pub(super) fn fragments(&mut self, w: &mut XmlWriter, v: &Value) -> Result<()> {
        let list: Vec<&Value> = match v {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        for (i, f) in list.into_iter().enumerate() {
            let Value::String(xml) = f else {
                self.path.push(Seg::Index(i));
                let err = self.fail(EncodeErrorKind::BadFragment(format!(
                    "expected an XML string, got {}",
                    json_type_name(f)
                )));
                self.path.pop();
                return Err(err);
            };
            copy_fragment(xml, w).map_err(|e| self.fail(EncodeErrorKind::BadFragment(e)))?;
        }
        Ok(())
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Whether `name` can be an XML element or attribute name (no prefix).
pub fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !name.to_ascii_lowercase().starts_with("xml")
}

/// Parses an XML fragment and writes it through `w` (with the writer's own prefixes).
pub fn copy_fragment(xml: &str, w: &mut XmlWriter) -> std::result::Result<(), String> {
    let mut src = LiveSource::new(
        xml,
        Limits {
            max_depth: 64,
            max_elements: 100_000,
            lenient: false,
        },
    );
    let base = w.depth();
    loop {
        match src.next().map_err(|e| e.to_string())? {
            Ev::Start(s) => w.start_copy(&s),
            Ev::Text(t) => {
                if w.depth() == base && !t.trim().is_empty() {
                    return Err("text outside of an element".into());
                }
                w.text(&t);
            }
            Ev::End => w.end(),
            Ev::Eof => {
                if w.depth() != base {
                    return Err("unbalanced elements".into());
                }
                return Ok(());
            }
        }
    }
}
