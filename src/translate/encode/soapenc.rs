//! SOAP encoding (`use="encoded"`, rpc/encoded): the `xsi:type` written on every element,
//! and `soapenc:Array`s with their `soapenc:arrayType` and `<item>` children.
//!
//! May import: `wsdl`, `xmlutil`, `translate::scalar`, `translate::writer` and the error
//! types of `translate`; nothing above.

use serde_json::Value;

use super::{Encoder, Result};
use crate::translate::scalar::{self, json_type_name};
use crate::translate::writer::XmlWriter;
use crate::translate::{EncodeErrorKind, Seg};
use crate::wsdl::{QName, Type, TypeId, well_known};
use crate::xmlutil::{SOAP11_ENC_NS, XSD_NS, XSI_NS};

impl Encoder<'_> {
    /// `xsi:type` for SOAP encoding: the type's name, the built-in of an anonymous simple
    /// type, `soapenc:Array` for arrays, the JSON kind for `xsd:anyType`.
    pub(super) fn xsi_type(&self, w: &mut XmlWriter, ty: TypeId, v: &Value) {
        match self.schema.ty(ty) {
            Type::Complex(c) if c.array.is_some() => {
                w.attr_qname(XSI_NS, "type", SOAP11_ENC_NS, "Array", "");
            }
            _ if ty == well_known::ANY_TYPE => {
                let local = match v {
                    Value::Bool(_) => "boolean",
                    Value::Number(n) if n.to_string().contains(['.', 'e', 'E']) => "decimal",
                    Value::Number(_) => "long",
                    Value::String(_) => "string",
                    _ => return,
                };
                w.attr_qname(XSI_NS, "type", XSD_NS, local, "");
            }
            Type::Simple(s) => match &s.name {
                Some(n) => w.attr_qname(XSI_NS, "type", &n.ns, &n.local, ""),
                None => w.attr_qname(XSI_NS, "type", XSD_NS, s.builtin.xsd_name(), ""),
            },
            Type::Complex(c) => {
                if let Some(n) = &c.name {
                    w.attr_qname(XSI_NS, "type", &n.ns, &n.local, "");
                }
            }
        }
    }

    pub(super) fn array(
        &mut self,
        w: &mut XmlWriter,
        item: TypeId,
        item_name: Option<&QName>,
        v: &Value,
    ) -> Result<()> {
        let items: Vec<&Value> = match v {
            Value::Array(a) => a.iter().collect(),
            other => {
                return Err(self.fail(EncodeErrorKind::Value(scalar::ScalarError {
                    expected: "an array".into(),
                    reason: format!("got {}", json_type_name(other)),
                })));
            }
        };
        if self.encoded {
            let suffix = format!("[{}]", items.len());
            match item_name {
                Some(n) => w.attr_qname(SOAP11_ENC_NS, "arrayType", &n.ns, &n.local, &suffix),
                None => match self.schema.ty(item) {
                    Type::Simple(s) => w.attr_qname(
                        SOAP11_ENC_NS,
                        "arrayType",
                        XSD_NS,
                        s.builtin.xsd_name(),
                        &suffix,
                    ),
                    Type::Complex(_) => {
                        w.attr_qname(SOAP11_ENC_NS, "arrayType", XSD_NS, "anyType", &suffix)
                    }
                },
            }
        }
        let item_el = QName::new("", "item");
        for (i, it) in items.into_iter().enumerate() {
            self.path.push(Seg::Index(i));
            self.field(w, |s, w| s.element_as(w, &item_el, item, true, it));
            self.path.pop();
        }
        Ok(())
    }
}
