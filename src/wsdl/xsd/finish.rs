//! The last pass over the arena, once every type is read (binding's synthetic types
//! included): derived types for `xsi:type`, substitution groups, and each complex type's
//! JSON slots.
//!
//! May import: `wsdl::model`, the resolver core (`super`); nothing above.

use std::collections::HashMap;
use std::sync::Arc;

use super::Resolver;
use crate::wsdl::model::*;

impl Resolver<'_> {
    /// Fills in derived types, substitution groups and JSON slots. Call once, after the
    /// binding pass has added its synthetic types.
    pub fn finish(&mut self) {
        // Derived types, transitively, for xsi:type.
        let n = self.schema.types.len();
        for i in 0..n {
            let id = TypeId(i as u32);
            let named = self.schema.ty(id).name().is_some();
            if !named {
                continue;
            }
            let mut cur = self.schema.complex(id).and_then(|c| c.base);
            let mut guard = 0;
            while let Some(b) = cur {
                if b == id || guard > 64 {
                    break;
                }
                guard += 1;
                if let Type::Complex(c) = &mut self.schema.types[b.0 as usize] {
                    if !c.derived.contains(&id) {
                        c.derived.push(id);
                    }
                    cur = c.base;
                } else {
                    break;
                }
            }
        }
        // Substitution groups, transitively.
        let heads = std::mem::take(&mut self.substitution_heads);
        let mut direct: HashMap<ElemId, Vec<ElemId>> = HashMap::new();
        for (member, head) in &heads {
            if let Some(h) = self.elem_memo.get(head).copied() {
                direct.entry(h).or_default().push(*member);
            }
        }
        for head in direct.keys().copied().collect::<Vec<_>>() {
            let mut all = Vec::new();
            let mut stack = direct.get(&head).cloned().unwrap_or_default();
            while let Some(m) = stack.pop() {
                if all.contains(&m) || m == head || all.len() > 1000 {
                    continue;
                }
                all.push(m);
                if let Some(more) = direct.get(&m) {
                    stack.extend(more.iter().copied());
                }
            }
            all.sort();
            self.schema.elements[head.0 as usize].substitutes = all;
        }
        // JSON slots.
        for i in 0..self.schema.types.len() {
            if let Type::Complex(c) = &self.schema.types[i] {
                let (mut slots, open) = compute_slots(&self.schema, c);
                if let Content::Elements(p) = &c.content {
                    let required = self.schema.required_keys(p);
                    for s in &mut slots {
                        s.required =
                            matches!(s.kind, SlotKind::Element(_)) && required.contains(&s.key);
                    }
                }
                if let Type::Complex(c) = &mut self.schema.types[i] {
                    c.slot_index = SlotIndex::of(&slots);
                    c.slots = slots;
                    c.open = open;
                }
            }
        }
    }
}

/// The JSON keys of a complex type: one per distinct element name (array when it may
/// repeat), substitution group members under their own names, then attributes (prefixed
/// with `@` only when an element has the same name).
fn compute_slots(schema: &Schema, ct: &ComplexType) -> (Vec<Slot>, bool) {
    let mut slots: Vec<Slot> = Vec::new();
    let mut open = false;
    if let Content::Elements(p) = &ct.content {
        walk_slots(schema, p, false, &mut slots, &mut open);
    }
    if ct.array.is_some() {
        open = false;
    }
    for (i, a) in ct.attributes.iter().enumerate() {
        let key: Arc<str> = if slots.iter().any(|s| *s.key == *a.name.local) {
            Arc::from(format!("@{}", a.name.local))
        } else {
            a.name.local.clone()
        };
        slots.push(Slot::new(key, SlotKind::Attribute(i), false));
    }
    (slots, open)
}

fn walk_slots(
    schema: &Schema,
    p: &Particle,
    repeated: bool,
    slots: &mut Vec<Slot>,
    open: &mut bool,
) {
    let rep = repeated || p.max > 1;
    match &p.term {
        Term::Element(e) => {
            let decl = schema.element(*e);
            let mut candidates = Vec::with_capacity(1 + decl.substitutes.len());
            if !decl.is_abstract {
                candidates.push(*e);
            }
            candidates.extend(decl.substitutes.iter().copied());
            for c in candidates {
                let cd = schema.element(c);
                if cd.is_abstract {
                    continue;
                }
                let key = cd.name.local.clone();
                match slots.iter_mut().find(|s| s.key == key) {
                    // The same name twice in the content model: one JSON array.
                    Some(existing) => existing.repeated = true,
                    None => slots.push(Slot::new(key, SlotKind::Element(c), rep)),
                }
            }
        }
        Term::Sequence(items) | Term::Choice(items) | Term::All(items) => {
            for item in items {
                walk_slots(schema, item, rep, slots, open);
            }
        }
        Term::Any(_) => *open = true,
    }
}
