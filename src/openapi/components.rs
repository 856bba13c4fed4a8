//! The generator's state and its one rule for types: named types, and anonymous ones that
//! recur or recurse, become components (`$ref`, written once from a queue); other anonymous
//! types and built-ins are written inline. Types are addressed by (contract, `TypeId`).
//!
//! May import: `wsdl`, `xmlutil`, and the sibling files of `openapi`; nothing above.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use serde_json::{Value, json};

use crate::wsdl::{Content, ElemId, Schema, Term, Type, TypeId, Wsdl, well_known};
use crate::xmlutil::XSD_NS;

use super::json_schema::schema_ref;
use super::names::{Form, claim_component_name};

pub(super) type Key = (usize, TypeId, Form);

#[derive(Default)]
pub(super) struct Gen<'a> {
    /// Contracts met so far; index = the first member of a [`Key`].
    pub(super) schemas: Vec<&'a Schema>,
    pub(super) wsdl_index: HashMap<*const Wsdl, usize>,
    /// Anonymous complex types used in more than one place, per contract.
    pub(super) shared_anon: Vec<HashSet<TypeId>>,
    pub(super) names: HashMap<Key, String>,
    pub(super) taken: HashSet<String>,
    pub(super) queue: VecDeque<Key>,
    pub(super) components: BTreeMap<String, Value>,
    /// Anonymous types being written inline (a repeat means recursion).
    pub(super) inline_stack: Vec<(usize, TypeId)>,
    pub(super) operation_ids: HashSet<String>,
    /// Who may call what, when the routes name policies.
    pub(super) security: Option<&'a super::Security>,
}

impl<'a> Gen<'a> {
    /// The index of `w`'s contract, met now or before.
    pub(super) fn contract(&mut self, w: &'a Arc<Wsdl>) -> usize {
        let ptr = Arc::as_ptr(w);
        if let Some(i) = self.wsdl_index.get(&ptr) {
            return *i;
        }
        let i = self.schemas.len();
        self.schemas.push(&w.schema);
        self.shared_anon.push(shared_anonymous_types(&w.schema));
        self.wsdl_index.insert(ptr, i);
        i
    }

    /// The schema of a value whose declared type is `ty`: a `$ref` for named types, inline
    /// for built-ins and anonymous types. `hint` names an anonymous type that must become a
    /// component (the element's name).
    pub(super) fn type_schema(&mut self, s: usize, ty: TypeId, hint: &str) -> Value {
        let schema = self.schemas[s];
        if ty == well_known::ANY_TYPE {
            return json!({});
        }
        match schema.ty(ty) {
            Type::Simple(st) => match &st.name {
                Some(n) if &*n.ns != XSD_NS => self.component(s, ty, Form::Use, &n.local, &n.ns),
                _ => self.simple_schema(s, ty),
            },
            Type::Complex(c) => {
                if let Some(n) = &c.name {
                    return self.component(s, ty, Form::Use, &n.local, &n.ns);
                }
                if self.names.contains_key(&(s, ty, Form::Use))
                    || self.inline_stack.contains(&(s, ty))
                    || self.shared_anon[s].contains(&ty)
                {
                    return self.component(s, ty, Form::Use, hint, "");
                }
                self.inline_type(s, ty, hint)
            }
        }
    }

    /// The schema of a global element's content; an anonymous complex type becomes a
    /// component named after the element (fault details recur across routes).
    pub(super) fn global_element_schema(&mut self, s: usize, e: ElemId) -> Value {
        let schema = self.schemas[s];
        let el = schema.element(e);
        if el.ty != well_known::ANY_TYPE && schema.complex(el.ty).is_some_and(|c| c.name.is_none())
        {
            return self.component(s, el.ty, Form::Use, &el.name.local, &el.name.ns);
        }
        self.type_schema(s, el.ty, &el.name.local)
    }

    /// The schema of `ty` written out (never a `$ref` to `ty` itself).
    pub(super) fn inline_type(&mut self, s: usize, ty: TypeId, hint: &str) -> Value {
        if ty == well_known::ANY_TYPE {
            return json!({});
        }
        match self.schemas[s].ty(ty) {
            Type::Simple(_) => self.simple_schema(s, ty),
            Type::Complex(_) => {
                self.inline_stack.push((s, ty));
                let v = if self.is_polymorphic(s, ty) {
                    self.polymorphic(s, ty)
                } else {
                    self.complex_exact(s, ty, hint)
                };
                self.inline_stack.pop();
                v
            }
        }
    }

    /// A `$ref` to the component of (`ty`, `form`), named and queued on first use.
    pub(super) fn component(
        &mut self,
        s: usize,
        ty: TypeId,
        form: Form,
        local: &str,
        ns: &str,
    ) -> Value {
        let key = (s, ty, form);
        if let Some(n) = self.names.get(&key) {
            return schema_ref(n);
        }
        let name = claim_component_name(&mut self.taken, form, local, ns);
        self.names.insert(key, name.clone());
        self.queue.push_back(key);
        schema_ref(&name)
    }

    /// Writes the queued components (which may queue more).
    pub(super) fn drain(&mut self) {
        while let Some(key) = self.queue.pop_front() {
            let (s, ty, form) = key;
            let hint = self.names.get(&key).cloned().unwrap_or_default();
            let body = match form {
                Form::Use => self.inline_type(s, ty, &hint),
                Form::Exact => {
                    self.inline_stack.push((s, ty));
                    let v = self.complex_exact(s, ty, &hint);
                    self.inline_stack.pop();
                    v
                }
            };
            self.components.insert(hint, body);
        }
    }
}

/// Anonymous complex types that more than one element or attribute declaration uses.
fn shared_anonymous_types(schema: &Schema) -> HashSet<TypeId> {
    let mut uses: HashMap<TypeId, u32> = HashMap::new();
    let mut count = |ty: TypeId| {
        if schema.complex(ty).is_some_and(|c| c.name.is_none()) {
            *uses.entry(ty).or_default() += 1;
        }
    };
    for t in &schema.types {
        if let Type::Complex(c) = t {
            if let Content::Elements(p) = &c.content {
                let mut stack = vec![p];
                while let Some(p) = stack.pop() {
                    match &p.term {
                        Term::Element(e) => count(schema.element(*e).ty),
                        Term::Sequence(v) | Term::Choice(v) | Term::All(v) => stack.extend(v),
                        Term::Any(_) => {}
                    }
                }
            }
            if let Some(a) = &c.array {
                count(a.item);
            }
        }
    }
    uses.into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(t, _)| t)
        .collect()
}
