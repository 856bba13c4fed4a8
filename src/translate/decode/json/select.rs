//! The route's selection (`response.body` and friends), applied while decoding: only the
//! selected slot of each object on the path is written; its siblings are still decoded, for
//! their errors, then dropped.

use std::sync::Arc;

use serde_json::Value;

use super::super::super::events::{AttrVal, Ev, Source, Start};
use super::super::{Decoder, find_element_slot, next_or_pending};
use super::{R, Stop};
use crate::translate::Seg;
use crate::wsdl::{ComplexType, SlotKind};

/// The part of the output a route returns: keys from the output object down to the value
/// (`response.body`); `repeated` when the value is a list, so a missing one is `[]`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Select<'p> {
    pub path: &'p [Arc<str>],
    pub repeated: bool,
}

impl<'p> Select<'p> {
    pub(super) const ALL: Select<'static> = Select {
        path: &[],
        repeated: false,
    };

    pub(super) fn rest(self) -> Select<'p> {
        Select {
            path: self.path.get(1..).unwrap_or(&[]),
            repeated: self.repeated,
        }
    }

    /// What the selection gives when its next key is absent.
    pub(super) fn missing(self) -> &'static [u8] {
        if self.path.len() <= 1 && self.repeated {
            b"[]"
        } else {
            b"null"
        }
    }
}

/// Applies a selection to a value, as the route does to the tree decoder's output.
pub fn select_value(mut cur: Value, sel: Select<'_>) -> Value {
    for key in sel.path {
        cur = match cur {
            Value::Object(mut m) => m.remove(&**key).unwrap_or(if sel.repeated {
                Value::Array(Vec::new())
            } else {
                Value::Null
            }),
            _ => Value::Null,
        };
    }
    cur
}

impl<'s, 'r, 'i> Decoder<'s, 'r, 'i> {
    /// An object of which only the slot `key` is kept (selection applied below it).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn object_selected<S: Source<'i>>(
        &mut self,
        src: &mut S,
        attrs: &[AttrVal<'i>],
        c: &'s ComplexType,
        mut pending: Option<Start<'i>>,
        key: &Arc<str>,
        sel: Select<'_>,
        out: &mut Vec<u8>,
    ) -> R<()> {
        let target = c.slot_position(key);
        let target_slot = target.map(|i| &c.slots[i]);
        if matches!(target_slot, Some(s) if matches!(s.kind, SlotKind::Attribute(_))) {
            return Err(Stop::Tree);
        }
        let mark = out.len();
        // Attributes are still read for their errors, then dropped.
        let mut first = true;
        self.attributes_json(attrs, c, &mut first, out)?;
        out.truncate(mark);
        let rest = sel.rest();
        let mut seen = false;
        // Which slots were sent, for the contract check (only then).
        let mut sent = if self.checks {
            vec![false; c.slots.len()]
        } else {
            Vec::new()
        };
        loop {
            match next_or_pending(&mut pending, src)? {
                Ev::Start(child) => {
                    let Some((i, e)) = find_element_slot(c, &child.local)
                        .filter(|&(_, e)| self.is_declared(e, &child.ns))
                    else {
                        self.capture(src, &child)?;
                        continue;
                    };
                    if let Some(s) = sent.get_mut(i) {
                        *s = true;
                    }
                    let slot = &c.slots[i];
                    let decl = self.schema.element(e);
                    let kept = Some(i) == target;
                    let at = out.len();
                    if kept {
                        if seen {
                            if !slot.repeated {
                                return Err(Stop::Tree);
                            }
                            out.push(b',');
                        } else if slot.repeated {
                            if !rest.path.is_empty() {
                                return Err(Stop::Tree);
                            }
                            out.push(b'[');
                        }
                        seen = true;
                    }
                    self.path.push(Seg::Name(&slot.key));
                    let child_sel = if kept && !slot.repeated {
                        rest
                    } else {
                        Select::ALL
                    };
                    // A child that is not kept is written, then dropped: never flushed.
                    self.pins += u32::from(!kept);
                    self.element_json(src, &child, decl.ty, child_sel, out)?;
                    self.pins -= u32::from(!kept);
                    self.path.pop();
                    if kept {
                        self.maybe_flush(out)?;
                    } else {
                        out.truncate(at);
                    }
                }
                Ev::Text(_) => {}
                Ev::End | Ev::Eof => break,
            }
        }
        if let Some(s) = c
            .slots
            .iter()
            .zip(&sent)
            .find_map(|(s, sent)| (s.required && !sent).then_some(s))
        {
            return Err(Stop::Decode(self.missing(s)));
        }
        match target_slot {
            Some(s) if seen => {
                if s.repeated {
                    out.push(b']');
                }
            }
            Some(s) if s.repeated => {
                out.extend_from_slice(if rest.path.is_empty() { b"[]" } else { b"null" })
            }
            _ => out.extend_from_slice(sel.missing()),
        }
        Ok(())
    }
}
