//! The `response:` block: the success status and the `body:` path that selects part of
//! the operation's output.
//!
//! May import: `mapping::{diag, model, raw}`, `wsdl`; nothing above.

use super::loc;
use super::route::RouteCtx;
use crate::mapping::diag::hint_for;
use crate::mapping::model::*;
use crate::mapping::raw::RawRoute;
use crate::wsdl::{Operation, SlotKind};

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
            if let Some(b) = raw.and_then(|x| x.body.as_ref()) {
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
        Some(ResponseShape {
            path,
            status,
            ty: Some(ty),
            repeated,
        })
    }
}
