//! Element content from particles: sequences and `all` in schema order, `xsd:choice` with
//! exactly one branch given, repeated elements from JSON arrays, substitution groups, and
//! what a missing element becomes (nil, its fixed or default value, or an error).
//!
//! May import: `wsdl`, `translate::writer` and the error types of `translate`; nothing above.

use serde_json::{Map, Value};

use super::{Encoder, Fields, Result};
use crate::translate::writer::XmlWriter;
use crate::translate::{EncodeErrorKind, Seg};
use crate::wsdl::{ComplexType, ElemId, Particle, Schema, Term, Type, TypeId, UNBOUNDED};
use crate::xmlutil::XSI_NS;

impl Encoder<'_> {
    pub(super) fn particle(
        &mut self,
        w: &mut XmlWriter,
        p: &Particle,
        obj: &Map<String, Value>,
        c: &ComplexType,
    ) -> Result<()> {
        match &p.term {
            Term::Element(e) => self.element_particle(w, p, *e, obj, c),
            Term::Sequence(items) | Term::All(items) => {
                if p.min == 0 && !self.present(p, obj) {
                    return Ok(());
                }
                for item in items {
                    self.particle(w, item, obj, c)?;
                }
                Ok(())
            }
            Term::Choice(items) => {
                let present: Vec<&Particle> =
                    items.iter().filter(|i| self.present(i, obj)).collect();
                match present.as_slice() {
                    [] => {
                        if !(p.min == 0 || items.iter().any(Particle::may_be_empty)) {
                            let options = items
                                .iter()
                                .flat_map(|i| self.schema.particle_keys(i))
                                .map(|k| k.to_string())
                                .collect();
                            self.note(EncodeErrorKind::ChoiceMissing { options });
                        }
                        Ok(())
                    }
                    [one] => self.particle(w, one, obj, c),
                    many if p.max > 1 => {
                        for item in many {
                            self.particle(w, item, obj, c)?;
                        }
                        Ok(())
                    }
                    many => {
                        let keys = many
                            .iter()
                            .flat_map(|i| self.schema.particle_keys(i))
                            .filter(|k| obj.has(k))
                            .map(|k| k.to_string())
                            .collect();
                        self.note(EncodeErrorKind::ChoiceConflict { keys });
                        Ok(())
                    }
                }
            }
            // Wildcard content comes from `$any`, written after the declared elements.
            Term::Any(_) => Ok(()),
        }
    }

    /// Whether the JSON fills a particle. An empty array does not: the decoder writes `[]`
    /// for every repeated element, the unchosen branches of a choice included.
    fn present(&self, p: &Particle, obj: &Map<String, Value>) -> bool {
        let given = |e: ElemId| match obj.field(&self.schema.element(e).name.local) {
            None => false,
            Some(Value::Array(a)) => !a.is_empty(),
            Some(_) => true,
        };
        match &p.term {
            Term::Element(e) => {
                let d = self.schema.element(*e);
                (!d.is_abstract && given(*e)) || d.substitutes.iter().any(|s| given(*s))
            }
            Term::Sequence(items) | Term::Choice(items) | Term::All(items) => {
                items.iter().any(|i| self.present(i, obj))
            }
            Term::Any(_) => false,
        }
    }

    fn element_particle(
        &mut self,
        w: &mut XmlWriter,
        p: &Particle,
        e: ElemId,
        obj: &Map<String, Value>,
        owner: &ComplexType,
    ) -> Result<()> {
        let schema = self.schema;
        let decl = schema.element(e);
        // The element itself unless abstract, then the members of its substitution group.
        let candidates = (!decl.is_abstract)
            .then_some(e)
            .into_iter()
            .chain(decl.substitutes.iter().copied());
        let mut written = 0usize;
        for c in candidates {
            let cd = schema.element(c);
            let key = &cd.name.local;
            let Some(val) = obj.field(key) else {
                continue;
            };
            let repeated = p.max > 1 || owner.slot(key).is_some_and(|s| s.repeated);
            self.path.push(Seg::Key(key.clone()));
            // Each value is its own field: a problem in one leaves the others to be read.
            match val {
                // A list type or SOAP array is one element holding a JSON array.
                Value::Array(_) if !repeated && self.array_valued(cd.ty) => {
                    self.field(w, |s, w| s.element_as(w, &cd.name, cd.ty, cd.nillable, val));
                    written += 1;
                }
                Value::Array(_) if !repeated => {
                    // Counted as given: the problem is its shape, not its absence.
                    self.note(EncodeErrorKind::NotRepeatable);
                    written += 1;
                }
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.path.push(Seg::Index(i));
                        self.field(w, |s, w| {
                            s.element_as(w, &cd.name, cd.ty, cd.nillable, item)
                        });
                        self.path.pop();
                    }
                    written += items.len();
                }
                Value::Null if !cd.nillable && p.min == 0 => {
                    // `null` for an optional, non-nillable element: leave it out.
                }
                single => {
                    self.field(w, |s, w| {
                        s.element_as(w, &cd.name, cd.ty, cd.nillable, single)
                    });
                    written += 1;
                }
            }
            self.path.pop();
        }
        if written >= p.min as usize && (p.max == UNBOUNDED || written <= p.max as usize) {
            // Enough of it, and not too many: the usual case, with nothing more to look up.
            return Ok(());
        }
        let key = &decl.name.local;
        let given_somehow = candidates_given(schema, decl, obj);
        if written == 0 && p.min > 0 && !given_somehow {
            if decl.nillable {
                // A required but nillable element the caller left out is sent as nil.
                w.start(&decl.name.ns, &decl.name.local);
                w.attr(XSI_NS, "nil", "true");
                w.end();
                return Ok(());
            }
            if let Some(fixed) = decl.fixed.as_ref().or(decl.default.as_ref()) {
                w.start(&decl.name.ns, &decl.name.local);
                w.text(fixed);
                w.end();
                return Ok(());
            }
            // The pointer names the missing field itself: where the caller must add it.
            self.path.push(Seg::Key(key.clone()));
            self.note(EncodeErrorKind::MissingField {
                field: key.to_string(),
                expected: schema.type_label(decl.ty),
            });
            self.path.pop();
            return Ok(());
        }
        if given_somehow && written < p.min as usize {
            self.path.push(Seg::Key(key.clone()));
            self.note(EncodeErrorKind::TooFew {
                min: p.min,
                got: written,
            });
            self.path.pop();
        }
        if p.max != UNBOUNDED && written > p.max as usize && p.max > 1 {
            self.path.push(Seg::Key(key.clone()));
            self.note(EncodeErrorKind::TooMany {
                max: p.max,
                got: written,
            });
            self.path.pop();
        }
        Ok(())
    }

    /// Whether the JSON form of `ty` is itself an array (list types, SOAP-encoded arrays).
    fn array_valued(&self, ty: TypeId) -> bool {
        match self.schema.ty(ty) {
            Type::Simple(s) => matches!(s.variety, crate::wsdl::Variety::List(_)),
            Type::Complex(c) => c.array.is_some(),
        }
    }
}

/// Whether the caller gave any key for this element or its substitutes (null included).
fn candidates_given(
    schema: &Schema,
    decl: &crate::wsdl::ElementDecl,
    obj: &Map<String, Value>,
) -> bool {
    obj.has(&decl.name.local)
        || decl
            .substitutes
            .iter()
            .any(|s| obj.has(&schema.element(*s).name.local))
}
