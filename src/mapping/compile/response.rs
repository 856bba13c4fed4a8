//! The `response:` block: the success status, the `body:` path that selects part of the
//! operation's output, and `soap_headers:`, the body key the answer's SOAP headers go under.
//!
//! May import: `mapping::{diag, model, raw}`, `wsdl`; nothing above.

use super::loc;
use super::route::RouteCtx;
use crate::mapping::diag::hint_for;
use crate::mapping::model::*;
use crate::mapping::raw::RawRoute;
use crate::wsdl::{Content, Operation, SlotKind, Type};

impl RouteCtx<'_> {
    pub(super) fn response(&mut self, r: &RawRoute, op: &Operation) -> Option<ResponseShape> {
        let schema = self.schema;
        let raw = r.response.as_ref();
        let status = match raw.and_then(|x| x.status.as_ref()) {
            Some(s) if (200..=299).contains(&s.value) => s.value,
            Some(s) => {
                self.diag(
                    loc(s),
                    format!("response status {} is not a success status", s.value),
                )
                .hint = Some("use 200..299; faults get their status under `faults:`".into());
                return None;
            }
            None => {
                if op.output.is_some() {
                    200
                } else {
                    202
                }
            }
        };
        let Some(out) = &op.output else {
            if let Some(b) = raw.and_then(|x| x.body.as_ref().or(x.soap_headers.as_ref())) {
                self.diag(
                    loc(b),
                    format!("{} is one-way: it has no output to select from", op.name),
                );
                return None;
            }
            return Some(ResponseShape {
                path: Vec::new(),
                status,
                ty: None,
                repeated: false,
                soap_headers: None,
            });
        };
        let mut ty = out.body.content;
        let mut path = Vec::new();
        let mut repeated = false;
        if let Some(b) = raw.and_then(|x| x.body.as_ref()) {
            for seg in b.value.split('.').filter(|s| !s.is_empty()) {
                if repeated {
                    self.diag(
                        loc(b),
                        format!(
                            "`{}` goes into a list; the path must end at the list",
                            b.value
                        ),
                    );
                    return None;
                }
                let Some(c) = schema.complex(ty) else {
                    self.diag(
                        loc(b),
                        format!(
                            "`{seg}` in `{}`: {} has no fields",
                            b.value,
                            schema.type_label(ty)
                        ),
                    );
                    return None;
                };
                match c.slot(seg) {
                    Some(slot) => {
                        ty = match slot.kind {
                            SlotKind::Element(e) => schema.element(e).ty,
                            SlotKind::Attribute(i) => c.attributes[i].ty,
                        };
                        repeated = slot.repeated;
                        path.push(slot.key.clone());
                    }
                    None => {
                        let names: Vec<&str> = c.slots.iter().map(|s| &*s.key).collect();
                        let hint =
                            hint_for(seg, &names, &format!("fields of the {} output", op.name));
                        self.diag(
                            loc(b),
                            format!(
                                "response body `{}`: `{seg}` is not in the output of {}",
                                b.value, op.name
                            ),
                        )
                        .hint = Some(hint);
                        return None;
                    }
                }
            }
        }
        let soap_headers = match raw.and_then(|x| x.soap_headers.as_ref()) {
            Some(key) => Some(self.soap_headers_key(key, op, ty, repeated)?),
            None => None,
        };
        Some(ResponseShape {
            path,
            status,
            ty: Some(ty),
            repeated,
            soap_headers,
        })
    }

    /// `response.soap_headers`: a key that fits beside the fields of the returned object,
    /// for an operation whose answer declares SOAP headers.
    fn soap_headers_key(
        &mut self,
        key: &serde_saphyr::Spanned<String>,
        op: &Operation,
        ty: crate::wsdl::TypeId,
        repeated: bool,
    ) -> Option<std::sync::Arc<str>> {
        let schema = self.schema;
        if op.output.as_ref().is_none_or(|m| m.headers.is_empty()) {
            self.diag(
                loc(key),
                format!(
                    "response soap_headers: the answer of {} declares no SOAP headers",
                    op.name
                ),
            )
            .hint = Some("only header blocks the binding declares (`soap:header` in the operation's output) are read".into());
            return None;
        }
        if key.value.is_empty() {
            self.diag(loc(key), "response soap_headers: the key is empty")
                .hint = Some("name the body key the headers go under, e.g. `$headers`".into());
            return None;
        }
        // The headers become a member of the returned object: it must be one.
        let object = !repeated
            && matches!(schema.ty(ty), Type::Complex(c)
                if c.array.is_none() && matches!(c.content, Content::Elements(_) | Content::Empty));
        if !object {
            self.diag(
                loc(key),
                format!(
                    "response soap_headers: the body is {}, not an object the headers could be added to",
                    if repeated { "a list".to_owned() } else { schema.type_label(ty) }
                ),
            )
            .hint = Some("return an object (shorten `response.body`) or leave `soap_headers` out".into());
            return None;
        }
        if schema
            .complex(ty)
            .is_some_and(|c| c.slot(&key.value).is_some())
        {
            self.diag(
                loc(key),
                format!(
                    "response soap_headers: `{}` is already a field of the body",
                    key.value
                ),
            )
            .hint = Some("pick a key the output does not use, e.g. `$headers`".into());
            return None;
        }
        Some(std::sync::Arc::from(key.value.as_str()))
    }
}
