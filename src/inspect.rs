//! `soapbridge inspect`: what a contract offers, for people (text) and tools (JSON).
//!
//! May import `wsdl`, `translate`, `net`.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::wsdl::{
    Content, MessageBinding, Operation, Schema, SlotKind, Type, TypeId, Wsdl, well_known,
};

/// How deep `inspect --json` describes nested types.
const SHAPE_DEPTH: usize = 3;

/// The JSON shape of a type: field → type label, nested objects, `[label]` for arrays.
pub fn shape(schema: &Schema, ty: TypeId, depth: usize) -> Value {
    match schema.ty(ty) {
        Type::Simple(_) => json!(schema.type_label(ty)),
        Type::Complex(_) if ty == well_known::ANY_TYPE => json!("any"),
        Type::Complex(c) => {
            if let Some(a) = &c.array {
                return json!([shape(schema, a.item, depth)]);
            }
            if let Content::Simple(st) = c.content
                && c.attributes.is_empty()
            {
                return json!(schema.type_label(st));
            }
            if depth == 0 {
                return json!(schema.type_label(ty));
            }
            let mut m = Map::new();
            for s in &c.slots {
                let t = match s.kind {
                    SlotKind::Element(e) => schema.element(e).ty,
                    SlotKind::Attribute(i) => c.attributes[i].ty,
                };
                let v = shape(schema, t, depth - 1);
                m.insert(s.key.to_string(), if s.repeated { json!([v]) } else { v });
            }
            if let Content::Simple(st) = c.content {
                m.insert(
                    crate::translate::VALUE_KEY.into(),
                    json!(schema.type_label(st)),
                );
            }
            if c.open {
                m.insert(crate::translate::ANY_KEY.into(), json!(["xml"]));
            }
            Value::Object(m)
        }
    }
}

fn message_json(schema: &Schema, m: &MessageBinding) -> Value {
    json!({
        "use": m.use_.label(),
        "shape": m.body.shape.label(),
        "wrapper": m.body.wrapper.as_ref().map(ToString::to_string),
        "parts": m.body.parts.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
        "headers": m.headers.iter().map(|h| h.key.to_string()).collect::<Vec<_>>(),
        "fields": shape(schema, m.body.content, SHAPE_DEPTH),
    })
}

fn operation_json(schema: &Schema, op: &Operation) -> Value {
    json!({
        "name": op.name,
        "soap_action": op.soap_action,
        "style": op.style.label(),
        "input": message_json(schema, &op.input),
        "output": op.output.as_ref().map(|o| message_json(schema, o)),
        "faults": op.faults.iter().map(|f| json!({
            "name": f.name,
            "element": f.element.map(|e| schema.element(e).name.to_string()),
        })).collect::<Vec<_>>(),
        "documentation": op.documentation,
    })
}

/// The machine-readable description.
pub fn to_json(w: &Wsdl) -> Value {
    let schema = &w.schema;
    json!({
        "location": w.location,
        "target_namespace": w.target_namespace,
        "documents": w.documents,
        "services": w.services.iter().map(|s| json!({
            "name": s.name.local.to_string(),
            "ports": s.ports.iter().map(|p| json!({
                "name": p.name,
                "binding": w.bindings[p.binding].name.local.to_string(),
                "soap_version": w.bindings[p.binding].soap_version.label(),
                "address": p.address.as_deref().map(shown_address),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "bindings": w.bindings.iter().map(|b| json!({
            "name": b.name.local.to_string(),
            "namespace": b.name.ns.to_string(),
            "port_type": b.port_type.local.to_string(),
            "soap_version": b.soap_version.label(),
            "style": b.style.label(),
            "addressing": b.addressing.as_ref().map(|a| json!({
                "version": a.version.name(),
                "required": a.required,
                "source": a.source,
            })),
            "mtom": b.mtom.map(|required| json!({ "required": required })),
            "security_policy": b.security_policy,
            "operations": b.operations.iter().map(|o| operation_json(schema, o)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "notes": w.notes,
        "warnings": w.warnings,
    })
}

fn fields_text(schema: &Schema, m: &MessageBinding) -> String {
    let Some(c) = schema.complex(m.body.content) else {
        return schema.type_label(m.body.content);
    };
    c.slots
        .iter()
        .map(|s| {
            let t = match s.kind {
                SlotKind::Element(e) => schema.element(e).ty,
                SlotKind::Attribute(i) => c.attributes[i].ty,
            };
            let label = schema.type_label(t);
            if s.repeated {
                format!("{}: [{label}]", s.key)
            } else {
                format!("{}: {label}", s.key)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The human-readable description.
pub fn to_text(w: &Wsdl) -> String {
    let schema = &w.schema;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} (namespace {}, {} document{})",
        w.location,
        w.target_namespace,
        w.documents,
        if w.documents == 1 { "" } else { "s" }
    );
    for s in &w.services {
        let _ = writeln!(out, "service {}", s.name.local);
        for p in &s.ports {
            let _ = writeln!(
                out,
                "  port {} -> binding {} at {}",
                p.name,
                w.bindings[p.binding].name.local,
                p.address
                    .as_deref()
                    .map_or_else(|| "(no address)".to_owned(), shown_address)
            );
        }
    }
    for b in &w.bindings {
        let _ = writeln!(
            out,
            "binding {} (SOAP {}, {}, port type {}, {} operation{})",
            b.name.local,
            b.soap_version.label(),
            b.style.label(),
            b.port_type.local,
            b.operations.len(),
            if b.operations.len() == 1 { "" } else { "s" }
        );
        if let Some(a) = &b.addressing {
            let _ = writeln!(
                out,
                "  WS-Addressing {}, {} ({})",
                a.version.name(),
                if a.required { "required" } else { "optional" },
                a.source
            );
        }
        if let Some(required) = b.mtom {
            let _ = writeln!(
                out,
                "  MTOM, {} (policy)",
                if required { "required" } else { "optional" }
            );
        }
        if !b.security_policy.is_empty() {
            let _ = writeln!(out, "  WS-SecurityPolicy: {}", b.security_policy.join(", "));
        }
        for op in &b.operations {
            let output = op.output.as_ref().map_or_else(
                || "(one-way)".to_owned(),
                |o| format!("({})", fields_text(schema, o)),
            );
            let _ = writeln!(
                out,
                "  {}({}) -> {}  [{} {}]",
                op.name,
                fields_text(schema, &op.input),
                output,
                op.style.label(),
                op.input.use_.label()
            );
            if !op.faults.is_empty() {
                let names: Vec<&str> = op.faults.iter().map(|f| f.name.as_str()).collect();
                let _ = writeln!(out, "      faults: {}", names.join(", "));
            }
        }
    }
    for n in &w.notes {
        let _ = writeln!(out, "note: {n}");
    }
    for n in &w.warnings {
        let _ = writeln!(out, "warning: {n}");
    }
    out
}

/// A port's address as shown: without the userinfo a WSDL may carry.
fn shown_address(a: &str) -> String {
    url::Url::parse(a).map_or_else(|_| a.to_owned(), |u| crate::net::redact_url(&u))
}
