//! The `faults:` rules: which declared fault, fault code or `*` each matches, the `when`
//! conditions checked against the fault detail, and the HTTP status.
//!
//! May import: `mapping::{diag, model, raw}`, `wsdl`; nothing above.

use super::loc;
use super::route::RouteCtx;
use crate::mapping::diag::hint_for;
use crate::mapping::model::*;
use crate::mapping::raw::{RawFaultRule, RawRoute, Template};
use crate::wsdl::{Operation, SlotKind, well_known};

impl RouteCtx<'_> {
    pub(super) fn fault_rules(&mut self, r: &RawRoute, op: &Operation) -> Vec<FaultRule> {
        let mut out = Vec::new();
        for f in r.faults.iter().flatten() {
            if let Some(rule) = self.fault_rule(f, op) {
                out.push(rule);
            }
        }
        out
    }

    fn fault_rule(&mut self, f: &RawFaultRule, op: &Operation) -> Option<FaultRule> {
        let schema = self.schema;
        if !(100..=599).contains(&f.status.value) {
            self.diag(
                loc(&f.status),
                format!("status {} is not an HTTP status", f.status.value),
            );
            return None;
        }
        let m = f.match_.value.as_str();
        let declared = op.faults.iter().find(|d| {
            d.name == m
                || d.element
                    .is_some_and(|e| *schema.element(e).name.local == *m)
        });
        const CODES: &[&str] = &[
            "Client",
            "Server",
            "Sender",
            "Receiver",
            "VersionMismatch",
            "MustUnderstand",
            "DataEncodingUnknown",
        ];
        let head = m.split('.').next().unwrap_or(m);
        let (matches, detail_ty) = match declared {
            Some(d) => (
                FaultMatch::Declared(d.name.clone()),
                Some(d.detail_type(schema)),
            ),
            None if m == "*" => (FaultMatch::Any, None),
            None if CODES.contains(&head) => (FaultMatch::Code(m.to_owned()), None),
            None => {
                let mut names: Vec<&str> = op.faults.iter().map(|d| d.name.as_str()).collect();
                names.extend(CODES);
                names.push("*");
                let hint = hint_for(m, &names, "faults and fault codes");
                self.diag(
                    loc(&f.match_),
                    format!("`{m}` is neither a fault of {} nor a fault code", op.name),
                )
                .hint = Some(hint);
                return None;
            }
        };
        let mut when = Vec::new();
        if let Some(w) = &f.when {
            let Template::Map(entries) = &w.value else {
                self.diag(
                    loc(w),
                    "`when` must be a mapping of detail fields to values",
                )
                .hint = Some("e.g. `when: { code: UNKNOWN_CUSTOMER }`".into());
                return None;
            };
            for (k, v) in entries {
                let path: Vec<String> = k.value.split('.').map(str::to_owned).collect();
                if let Some(mut ty) = detail_ty {
                    for seg in &path {
                        let Some(c) = schema.complex(ty) else { break };
                        if ty == well_known::ANY_TYPE {
                            break;
                        }
                        match c.slot(seg) {
                            Some(s) => {
                                ty = match s.kind {
                                    SlotKind::Element(e) => schema.element(e).ty,
                                    SlotKind::Attribute(i) => c.attributes[i].ty,
                                };
                            }
                            None => {
                                let names: Vec<&str> = c.slots.iter().map(|s| &*s.key).collect();
                                let hint = hint_for(seg, &names, "fields of the fault detail");
                                self.diag(
                                    loc(k),
                                    format!("`{}` is not in the detail of fault {m}", k.value),
                                )
                                .hint = Some(hint);
                                return None;
                            }
                        }
                    }
                }
                let value = match &v.value {
                    Template::String(s) | Template::Number(s) => s.clone(),
                    Template::Bool(b) => b.to_string(),
                    other => {
                        self.diag(
                            loc(v),
                            format!("`when` values are scalars, not {}", other.kind()),
                        );
                        return None;
                    }
                };
                when.push((path, value));
            }
        }
        Some(FaultRule {
            matches,
            when,
            status: f.status.value,
            title: f.title.clone(),
        })
    }
}
