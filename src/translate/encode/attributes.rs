//! Attributes of a complex type: the declared ones from their JSON keys, checked as simple
//! values, required ones insisted on, and `$attributes` (`anyAttribute`) written as given.
//!
//! May import: `wsdl`, `translate::scalar`, `translate::writer`, the sibling `fragment`
//! module (for name checks) and the error types of `translate`; nothing above.

use serde_json::{Map, Value};

use super::fragment::is_xml_name;
use super::{Encoder, Fields, Result};
use crate::translate::scalar::{self, json_type_name};
use crate::translate::writer::XmlWriter;
use crate::translate::{ATTRS_KEY, EncodeErrorKind, Seg};
use crate::wsdl::{Slot, SlotKind};

impl Encoder<'_> {
    pub(super) fn attributes(
        &mut self,
        w: &mut XmlWriter,
        slots: &[Slot],
        decls: &[crate::wsdl::AttributeDecl],
        obj: &Map<String, Value>,
    ) -> Result<()> {
        self.required_attributes_present(slots, decls, Some(obj));
        for s in slots {
            let SlotKind::Attribute(i) = s.kind else {
                continue;
            };
            let Some(val) = obj.field(&s.key) else {
                continue;
            };
            if val.is_null() {
                continue;
            }
            let a = &decls[i];
            self.path.push(Seg::Key(s.key.clone()));
            match scalar::to_lexical(self.schema, a.ty, val) {
                Ok(text) => w.attr(&a.name.ns, &a.name.local, &text),
                Err(e) => self.note(EncodeErrorKind::Value(e)),
            }
            self.path.pop();
        }
        if let Some(extra) = obj.field(ATTRS_KEY) {
            self.path.push(Seg::Name(ATTRS_KEY));
            let Value::Object(extra) = extra else {
                return Err(self.fail(EncodeErrorKind::ExpectedObject {
                    expected: "attribute names and values".into(),
                    found: json_type_name(extra),
                }));
            };
            for (k, val) in extra {
                let text = match val {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    other => {
                        return Err(self.fail(EncodeErrorKind::Value(scalar::ScalarError {
                            expected: "an attribute value".into(),
                            reason: format!("got {}", json_type_name(other)),
                        })));
                    }
                };
                let (ns, local) = split_clark(k);
                if !is_xml_name(local) {
                    return Err(self.fail(EncodeErrorKind::BadFragment(format!(
                        "`{k}` is not a valid attribute name"
                    ))));
                }
                w.attr(ns, local, &text);
            }
            self.path.pop();
        }
        Ok(())
    }

    /// Records each required attribute the JSON leaves out, at its key.
    pub(super) fn required_attributes_present(
        &mut self,
        slots: &[Slot],
        decls: &[crate::wsdl::AttributeDecl],
        obj: Option<&Map<String, Value>>,
    ) {
        for s in slots {
            if let SlotKind::Attribute(i) = s.kind
                && decls[i].required
                && decls[i].fixed.is_none()
                && obj.and_then(|o| o.field(&s.key)).is_none_or(Value::is_null)
            {
                self.path.push(Seg::Key(s.key.clone()));
                self.note(EncodeErrorKind::MissingField {
                    field: s.key.to_string(),
                    expected: format!("attribute, {}", self.schema.type_label(decls[i].ty)),
                });
                self.path.pop();
            }
        }
    }
}

/// `{ns}local` → (ns, local); anything else is unqualified.
fn split_clark(k: &str) -> (&str, &str) {
    if let Some(rest) = k.strip_prefix('{')
        && let Some((ns, local)) = rest.split_once('}')
    {
        return (ns, local);
    }
    ("", k)
}
