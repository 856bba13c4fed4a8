//! Request templates (`request:` and `soap_headers:`) checked against the operation's
//! input: mappings against complex types, lists against repeating fields, constants and
//! placeholders against simple types, text interpolation against text fields.
//!
//! May import: `mapping::{diag, model, raw, template}`, `translate`, `wsdl`; placeholder
//! sources are recorded by [`super::params`].

use std::sync::Arc;

use serde_json::Value;
use serde_saphyr::Spanned;

use super::route::RouteCtx;
use super::{loc, required_keys, scalar_target};
use crate::mapping::diag::hint_for;
use crate::mapping::model::*;
use crate::mapping::raw::Template;
use crate::mapping::template::{self, Piece};
use crate::translate::scalar;
use crate::wsdl::{self, Content, Operation, SlotKind, Type, TypeId, Variety, well_known};

/// What a template value fills.
#[derive(Clone, Copy)]
pub(super) struct Target {
    pub(super) ty: TypeId,
    pub(super) repeated: bool,
    pub(super) required: bool,
    pub(super) nillable: bool,
}

impl RouteCtx<'_> {
    pub(super) fn request_template(
        &mut self,
        t: &Spanned<Template>,
        op: &Operation,
    ) -> Option<Node> {
        let content = op.input.body.content;
        self.value(
            t,
            Target {
                ty: content,
                repeated: false,
                required: true,
                nillable: false,
            },
            &format!("the input of `{}`", op.name),
        )
    }

    pub(super) fn soap_headers(&mut self, t: &Spanned<Template>, op: &Operation) -> Option<Node> {
        let Template::Map(entries) = &t.value else {
            self.diag(
                loc(t),
                "`soap_headers` must be a mapping of header element names",
            )
            .hint =
                Some("e.g. `soap_headers: { AuthHeader: { token: \"{header.x-token}\" } }`".into());
            return None;
        };
        let mut out = Vec::new();
        for (k, v) in entries {
            match op.input.headers.iter().find(|h| *h.key == k.value) {
                Some(h) => {
                    let d = self.schema.element(h.element);
                    let target = Target {
                        ty: d.ty,
                        repeated: false,
                        required: true,
                        nillable: d.nillable,
                    };
                    if let Some(n) = self.value(v, target, &k.value) {
                        out.push((h.key.clone(), n));
                    }
                }
                None => {
                    let names: Vec<&str> = op.input.headers.iter().map(|h| &*h.key).collect();
                    let hint = hint_for(&k.value, &names, "SOAP headers of this operation");
                    self.diag(
                        loc(k),
                        format!("`{}` is not a SOAP header of {}", k.value, op.name),
                    )
                    .hint = Some(hint);
                }
            }
        }
        Some(Node::Object(out))
    }

    /// A template value for `target`; `name` is the field it fills, for messages.
    fn value(&mut self, t: &Spanned<Template>, target: Target, name: &str) -> Option<Node> {
        let schema = self.schema;
        match &t.value {
            Template::Map(entries) => {
                if target.repeated {
                    // One item given as a mapping: fine, it is a single element.
                }
                match schema.ty(target.ty) {
                    Type::Simple(_) => {
                        let label = schema.type_label(target.ty);
                        self.diag(
                            loc(t),
                            format!(
                                "`{name}` is a simple value ({label}); a mapping cannot fill it"
                            ),
                        )
                        .hint = Some(format!(
                            "give a constant or a placeholder, e.g. `{name}: \"{{query.{name}}}\"`"
                        ));
                        None
                    }
                    Type::Complex(_) => self.object(t, entries, target.ty, name),
                }
            }
            Template::List(items) => {
                let array_valued = match schema.ty(target.ty) {
                    Type::Simple(s) => matches!(s.variety, Variety::List(_)),
                    Type::Complex(c) => c.array.is_some(),
                };
                if !target.repeated && !array_valued && target.ty != well_known::ANY_TYPE {
                    self.diag(
                        loc(t),
                        format!("`{name}` does not repeat; a list cannot fill it"),
                    )
                    .hint = Some("give a single value".into());
                    return None;
                }
                let item_target = if target.repeated {
                    Target {
                        repeated: false,
                        required: true,
                        ..target
                    }
                } else {
                    let item = match schema.ty(target.ty) {
                        Type::Simple(s) => match s.variety {
                            Variety::List(i) => i,
                            _ => target.ty,
                        },
                        Type::Complex(c) => c.array.as_ref().map_or(target.ty, |a| a.item),
                    };
                    Target {
                        ty: item,
                        repeated: false,
                        required: true,
                        nillable: true,
                    }
                };
                let mut out = Vec::new();
                for it in items {
                    if let Some(n) = self.value(it, item_target, name) {
                        out.push(n);
                    }
                }
                Some(Node::Array(out))
            }
            Template::String(s) => self.string(t, s, target, name),
            Template::Number(n) => self.constant(t, n, target, name),
            Template::Bool(b) => self.constant(t, if *b { "true" } else { "false" }, target, name),
            Template::Null => {
                if target.nillable || !target.required {
                    Some(Node::Const(Value::Null))
                } else {
                    self.diag(
                        loc(t),
                        format!("`{name}` is not nillable; null cannot fill it"),
                    )
                    .hint = Some("give a value, or leave the field out if it is optional".into());
                    None
                }
            }
        }
    }

    fn object(
        &mut self,
        t: &Spanned<Template>,
        entries: &[(Spanned<String>, Spanned<Template>)],
        ty: TypeId,
        name: &str,
    ) -> Option<Node> {
        let schema = self.schema;
        let c = schema.complex(ty)?;
        // What the user calls this object: its type's name, else where it sits.
        let label = match &c.name {
            Some(_) => schema.type_label(ty),
            None if name.starts_with("the ") => name.to_owned(),
            None => format!("`{name}`"),
        };
        if ty == well_known::ANY_TYPE {
            let mut out = Vec::new();
            for (k, v) in entries {
                let target = Target {
                    ty: well_known::ANY_TYPE,
                    repeated: true,
                    required: false,
                    nillable: true,
                };
                if let Some(n) = self.value(v, target, &k.value) {
                    out.push((Arc::from(k.value.as_str()), n));
                }
            }
            return Some(Node::Object(out));
        }
        let mut out = Vec::new();
        let required = required_keys(schema, ty);
        for (k, v) in entries {
            let key = k.value.as_str();
            let target = match key {
                crate::translate::TYPE_KEY => Target {
                    ty: well_known::STRING,
                    repeated: false,
                    required: true,
                    nillable: false,
                },
                crate::translate::ANY_KEY => Target {
                    ty: well_known::ANY_TYPE,
                    repeated: true,
                    required: false,
                    nillable: false,
                },
                crate::translate::VALUE_KEY if matches!(c.content, Content::Simple(_)) => {
                    let Content::Simple(st) = c.content else {
                        unreachable!()
                    };
                    Target {
                        ty: st,
                        repeated: false,
                        required: true,
                        nillable: false,
                    }
                }
                _ => match c.slot(key) {
                    Some(slot) => match slot.kind {
                        SlotKind::Element(e) => {
                            let d = schema.element(e);
                            Target {
                                ty: d.ty,
                                repeated: slot.repeated,
                                required: required.iter().any(|r| **r == *key),
                                nillable: d.nillable,
                            }
                        }
                        SlotKind::Attribute(i) => Target {
                            ty: c.attributes[i].ty,
                            repeated: false,
                            required: c.attributes[i].required,
                            nillable: false,
                        },
                    },
                    None => {
                        let names: Vec<&str> = c.slots.iter().map(|s| &*s.key).collect();
                        let hint = hint_for(key, &names, &format!("fields of {label}"));
                        self.diag(loc(k), format!("`{key}` is not a field of {label}"))
                            .hint = Some(hint);
                        continue;
                    }
                },
            };
            if let Some(n) = self.value(v, target, key) {
                out.push((Arc::from(key), n));
            }
        }
        for r in &required {
            if !entries.iter().any(|(k, _)| k.value == **r) {
                let r = r.to_string();
                self.diag(loc(t), format!("required input `{r}` has no source"))
                    .hint = Some(format!(
                    "map it from the request, e.g. `{r}: \"{{body.{r}}}\"` or `{r}: \"{{query.{r}}}\"`, or give a constant"
                ));
            }
        }
        Some(Node::Object(out))
    }

    fn constant(
        &mut self,
        t: &Spanned<Template>,
        text: &str,
        target: Target,
        name: &str,
    ) -> Option<Node> {
        let schema = self.schema;
        let scalar_ty = scalar_target(schema, target.ty);
        match scalar_ty {
            Some(st) => match scalar::coerce(schema, st, text) {
                Ok(v) => Some(Node::Const(v)),
                Err(e) => {
                    self.diag(loc(t), format!("`{text}` cannot fill `{name}`: {e}"));
                    None
                }
            },
            None if target.ty == well_known::ANY_TYPE => {
                Some(Node::Const(Value::String(text.to_owned())))
            }
            None => {
                let label = schema.type_label(target.ty);
                self.diag(
                    loc(t),
                    format!("`{name}` is {label}, a complex type; a constant cannot fill it"),
                )
                .hint = Some(
                    "map its fields one by one, or take it from the body: `\"{body.…}\"`".into(),
                );
                None
            }
        }
    }

    fn string(
        &mut self,
        t: &Spanned<Template>,
        s: &str,
        target: Target,
        name: &str,
    ) -> Option<Node> {
        let pieces = match template::parse(s) {
            Ok(p) => p,
            Err(e) => {
                self.diag(loc(t), format!("placeholder in `{s}`: {e}"));
                return None;
            }
        };
        let refs = pieces.iter().filter(|p| matches!(p, Piece::Ref(_))).count();
        if refs == 0 {
            return self.constant(t, s, target, name);
        }
        let schema = self.schema;
        if let [Piece::Ref(r)] = pieces.as_slice() {
            let scalar_ty = scalar_target(schema, target.ty);
            if r.source.is_text() && scalar_ty.is_none() && target.ty != well_known::ANY_TYPE {
                let label = schema.type_label(target.ty);
                self.diag(
                    loc(t),
                    format!(
                        "{} is text, but `{name}` is {label}, a complex type",
                        r.source.describe()
                    ),
                )
                .hint = Some(
                    "map its fields one by one, or take it from the body: `\"{body.…}\"`".into(),
                );
                return None;
            }
            let default = match (&r.default, scalar_ty) {
                (Some(d), Some(st)) => match scalar::coerce(schema, st, d) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        self.diag(
                            loc(t),
                            format!(
                                "default `{d}` of {} cannot fill `{name}`: {e}",
                                r.source.describe()
                            ),
                        );
                        return None;
                    }
                },
                (Some(d), None) => Some(Value::String(d.clone())),
                (None, _) => None,
            };
            self.note_source(t, &r.source, scalar_ty, target, r.default.clone())?;
            return Some(Node::Source(SourceNode {
                source: r.source.clone(),
                scalar: scalar_ty,
                repeated: target.repeated,
                default,
                required: target.required && !target.nillable,
            }));
        }
        // Interpolation makes text.
        let is_text = scalar_target(schema, target.ty)
            .and_then(|st| schema.simple(st))
            .is_some_and(|s| s.builtin.json_kind() == wsdl::JsonKind::String);
        if !is_text && target.ty != well_known::ANY_TYPE {
            let label = schema.type_label(target.ty);
            self.diag(
                loc(t),
                format!("`{s}` builds text, but `{name}` is {label}"),
            )
            .hint = Some("use a single placeholder for a non-text field".into());
            return None;
        }
        let mut out = Vec::new();
        for p in pieces {
            match p {
                Piece::Literal(l) => out.push(InterpPiece::Literal(l)),
                Piece::Ref(r) => {
                    self.note_source(
                        t,
                        &r.source,
                        None,
                        Target {
                            repeated: false,
                            required: true,
                            ..target
                        },
                        r.default.clone(),
                    )?;
                    out.push(InterpPiece::Source(r.source));
                }
            }
        }
        Some(Node::Interpolate(out))
    }
}
