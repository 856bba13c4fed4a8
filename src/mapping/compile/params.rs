//! Where a route's input comes from: placeholder sources recorded as path, query and
//! header parameters or body fields, the automatic input of a route without `request:`,
//! and the resulting body spec.
//!
//! May import: `mapping::{diag, model, template}`, `wsdl`; nothing above.

use serde_saphyr::Spanned;

use super::request::Target;
use super::route::RouteCtx;
use super::{loc, required_keys, scalar_target};
use crate::mapping::diag::hint_for;
use crate::mapping::model::*;
use crate::mapping::raw::Template;
use crate::mapping::template::Source;
use crate::wsdl::{Operation, SlotKind, TypeId, well_known};

impl RouteCtx<'_> {
    /// Checks a placeholder's source exists here and records it as a parameter.
    pub(super) fn note_source(
        &mut self,
        t: &Spanned<Template>,
        source: &Source,
        scalar_ty: Option<TypeId>,
        target: Target,
        default: Option<String>,
    ) -> Option<()> {
        let param = |name: &str| Param {
            name: name.to_owned(),
            ty: scalar_ty,
            required: target.required && default.is_none(),
            repeated: target.repeated,
            default: default.clone(),
        };
        match source {
            Source::Path(n) => {
                if !self.path_names.contains(n) {
                    let names: Vec<&str> = self.path_names.iter().map(String::as_str).collect();
                    let hint = hint_for(n, &names, "path parameters of this route");
                    self.diag(
                        loc(t),
                        format!("path parameter `{n}` is not in the route path"),
                    )
                    .hint = Some(hint);
                    return None;
                }
                if !self.path_params.iter().any(|p| &p.name == n) {
                    let mut p = param(n);
                    p.required = true;
                    self.path_params.push(p);
                }
            }
            Source::Query(n) => {
                if !self.query_params.iter().any(|p| &p.name == n) {
                    self.query_params.push(param(n));
                }
            }
            Source::Header(n) => {
                if !self.header_params.iter().any(|p| &p.name == n) {
                    self.header_params.push(param(n));
                }
            }
            // Checked against the route's policy once it is known.
            Source::Auth(_) => {
                self.reads_auth.get_or_insert(loc(t));
            }
            Source::Body(path) => {
                if !self.has_body() {
                    self.diag(
                        loc(t),
                        format!("{} routes have no request body", self.method),
                    )
                    .hint = Some("take the value from the path or the query instead".into());
                    return None;
                }
                if path.is_empty() {
                    self.body_whole = Some((target.ty, target.repeated));
                } else {
                    self.body_fields.push(BodyField {
                        path: path.join("."),
                        ty: target.ty,
                        required: target.required,
                        repeated: target.repeated,
                    });
                }
            }
        }
        Some(())
    }

    pub(super) fn auto_input(&mut self, route: &Spanned<String>, op: &Operation) -> Option<Input> {
        let schema = self.schema;
        let content = op.input.body.content;
        let Some(c) = schema.complex(content) else {
            self.diag(
                loc(route),
                format!(
                    "the input of {} is {}, not a set of fields",
                    op.name,
                    schema.type_label(content)
                ),
            )
            .hint = Some("write a `request:` template for this route".into());
            return None;
        };
        let mut fields = Vec::new();
        for name in self.path_names.clone() {
            let slot = c
                .slot(&name)
                .or_else(|| c.slots.iter().find(|s| s.key.eq_ignore_ascii_case(&name)));
            match slot.map(|s| (s, s.kind.clone())) {
                Some((s, SlotKind::Element(e))) => {
                    let ty = schema.element(e).ty;
                    match scalar_target(schema, ty) {
                        Some(st) => {
                            let p = Param {
                                name: name.clone(),
                                ty: Some(st),
                                required: true,
                                repeated: false,
                                default: None,
                            };
                            self.path_params.push(p.clone());
                            fields.push((
                                Source::Path(name.clone()),
                                Param {
                                    name: s.key.to_string(),
                                    ..p
                                },
                            ));
                        }
                        None => {
                            let label = schema.type_label(ty);
                            self.diag(loc(route), format!("path parameter `{{{name}}}` matches `{}`, which is {label}, not a simple value", s.key));
                        }
                    }
                }
                _ => {
                    let names: Vec<&str> = c.slots.iter().map(|s| &*s.key).collect();
                    let hint = format!(
                        "name the parameter after an input field, or write a `request:` template. {}",
                        hint_for(&name, &names, &format!("input fields of {}", op.name))
                    );
                    self.diag(
                        loc(route),
                        format!(
                            "path parameter `{{{name}}}` matches no input field of {}",
                            op.name
                        ),
                    )
                    .hint = Some(hint);
                }
            }
        }
        // Top-level simple fields may come from the query.
        let required = required_keys(schema, content);
        for s in &c.slots {
            let SlotKind::Element(e) = s.kind else {
                continue;
            };
            if fields.iter().any(|(_, p)| *p.name == *s.key) {
                continue;
            }
            let ty = schema.element(e).ty;
            if let Some(st) = scalar_target(schema, ty) {
                let p = Param {
                    name: s.key.to_string(),
                    ty: Some(st),
                    required: !self.has_body() && required.contains(&s.key),
                    repeated: s.repeated,
                    default: None,
                };
                self.query_params.push(p.clone());
                fields.push((Source::Query(s.key.to_string()), p));
            }
        }
        if self.has_body() {
            self.body_whole = Some((content, false));
        }
        Some(Input::Auto { fields })
    }

    pub(super) fn body_spec(&self, op: &Operation) -> Option<BodySpec> {
        if let Some((ty, repeated)) = self.body_whole {
            return Some(BodySpec {
                ty,
                repeated,
                fields: Vec::new(),
                required: ty != op.input.body.content || !self.body_fields.is_empty(),
            });
        }
        if self.body_fields.is_empty() {
            return None;
        }
        Some(BodySpec {
            ty: well_known::ANY_TYPE,
            repeated: false,
            fields: self.body_fields.clone(),
            required: self.body_fields.iter().any(|f| f.required),
        })
    }
}
