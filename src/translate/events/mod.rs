//! Namespace-resolved XML events for the decoders, straight from quick-xml.
//!
//! ```text
//! &str ──quick_xml::Reader + namespace scope──> Ev::Start / Ev::Text / Ev::End   (live, streaming)
//!      └─ or recorded once into a Vec<Ev> when the message uses multiRef/href
//! ```
//!
//! Both sources yield the same events, so one decoder serves both. Limits are enforced here:
//! a DOCTYPE is refused (no entity can ever be expanded), and depth and element count are
//! capped, so hostile XML costs a bounded amount of work.
//!
//! ```text
//! mod.rs     the events (`Start`, `Ev`, `Ns`...), the `Source` trait, the limits
//! live.rs    `LiveSource`: quick-xml's `Reader` over a document held whole
//! scope.rs   the namespace declarations in scope
//! replay.rs  events recorded once, for multiRef/href
//! ```
//!
//! May import `wsdl`, `xmlutil`.

mod live;
mod replay;
mod scope;

pub use live::LiveSource;
pub use replay::{MAX_REPLAY_FACTOR, Recorded, Replay};

use std::borrow::Cow;
use std::sync::Arc;

use super::DecodeError;
use crate::wsdl::QName;

/// Bounds on what a backend's XML may cost.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_depth: usize,
    pub max_elements: usize,
    /// Accept answers that break the contract (a required element missing, elements in
    /// another namespace than the schema's): a backend's `lenient` switch.
    pub lenient: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 128,
            max_elements: 2_000_000,
            lenient: false,
        }
    }
}

/// An attribute that is not a namespace declaration or an `xsi:`/SOAP-encoding control
/// attribute.
#[derive(Clone, Debug)]
pub struct AttrVal<'i> {
    pub ns: Ns<'i>,
    pub local: Cow<'i, str>,
    pub value: Cow<'i, str>,
}

/// A namespace URI as the events carry it: borrowed from the document being read (or a
/// constant) where it can be, shared where it cannot (a streamed answer, whose bytes do not
/// stay). Borrowing spares every element of a document held whole a reference count.
#[derive(Clone, Debug)]
pub enum Ns<'i> {
    Borrowed(&'i str),
    Shared(Arc<str>),
}

impl std::ops::Deref for Ns<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Ns::Borrowed(s) => s,
            Ns::Shared(a) => a,
        }
    }
}

impl PartialEq for Ns<'_> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl std::fmt::Display for Ns<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

impl Ns<'_> {
    pub fn into_owned(self) -> Ns<'static> {
        match self {
            Ns::Borrowed(s) => Ns::Shared(Arc::from(s)),
            Ns::Shared(a) => Ns::Shared(a),
        }
    }
}

/// A start tag with what the decoders need already resolved.
#[derive(Clone, Debug)]
pub struct Start<'i> {
    pub ns: Ns<'i>,
    pub local: Cow<'i, str>,
    pub attrs: Vec<AttrVal<'i>>,
    pub nil: bool,
    /// `xsi:type` and the SOAP-encoding attributes, boxed: most elements of a literal
    /// message have none, and a `Start` is moved once or twice per element (a smaller one
    /// is cheaper to move).
    pub control: Option<Box<Control>>,
}

/// The attributes of a start tag that steer decoding, rare outside SOAP encoding.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Control {
    /// `xsi:type`, resolved against the namespaces in scope.
    pub xsi_type: Option<QName>,
    /// `href="#id"` (SOAP 1.1) or `enc:ref="id"` (SOAP 1.2), without the `#`.
    pub href: Option<String>,
    pub id: Option<String>,
    /// `soapenc:arrayType="ns:Item[n]"`: the item type.
    pub array_type: Option<QName>,
}

impl<'i> Start<'i> {
    /// A start tag without attributes.
    pub fn new(ns: Ns<'i>, local: Cow<'i, str>) -> Self {
        Start {
            ns,
            local,
            attrs: Vec::new(),
            nil: false,
            control: None,
        }
    }

    pub fn is(&self, ns: &str, local: &str) -> bool {
        &*self.ns == ns && self.local == local
    }

    pub fn xsi_type(&self) -> Option<&QName> {
        self.control.as_ref()?.xsi_type.as_ref()
    }

    pub fn href(&self) -> Option<&str> {
        self.control.as_ref()?.href.as_deref()
    }

    pub fn id(&self) -> Option<&str> {
        self.control.as_ref()?.id.as_deref()
    }

    pub fn array_type(&self) -> Option<&QName> {
        self.control.as_ref()?.array_type.as_ref()
    }

    /// The control attributes, made on first use.
    pub fn control_mut(&mut self) -> &mut Control {
        self.control.get_or_insert_with(Box::default)
    }

    pub fn into_owned(self) -> Start<'static> {
        Start {
            ns: self.ns.into_owned(),
            local: Cow::Owned(self.local.into_owned()),
            attrs: self
                .attrs
                .into_iter()
                .map(|a| AttrVal {
                    ns: a.ns.into_owned(),
                    local: Cow::Owned(a.local.into_owned()),
                    value: Cow::Owned(a.value.into_owned()),
                })
                .collect(),
            nil: self.nil,
            control: self.control,
        }
    }
}

#[derive(Clone, Debug)]
pub enum Ev<'i> {
    Start(Start<'i>),
    Text(Cow<'i, str>),
    End,
    Eof,
}

/// An event from [`Source::next_named`]: a start tag with no attribute at all given by its
/// name alone, anything else as the [`Ev`] it is.
pub enum Named<'i> {
    /// `<name>` (or `<name/>`, whose `End` follows) with no attribute, not even a
    /// namespace declaration the source has taken in already.
    Plain(Ns<'i>, &'i str),
    Ev(Ev<'i>),
}

impl<'i> Named<'i> {
    /// The event as [`Source::next`] gives it: a plain start tag made a whole [`Start`].
    #[inline(always)]
    pub fn into_ev(self) -> Ev<'i> {
        match self {
            Named::Plain(ns, local) => Ev::Start(Start::new(ns, Cow::Borrowed(local))),
            Named::Ev(ev) => ev,
        }
    }
}

/// What [`Source::simple_content`] found in an element.
pub enum TextOrChild<'i> {
    Text(Cow<'i, str>),
    Child(Start<'i>),
}

fn inside_element() -> DecodeError {
    DecodeError::malformed("the document ends inside an element")
}

/// A pull source of events. Every `Start` is followed, eventually, by its `End` (empty
/// elements included); adjacent text pieces arrive as one `Text`.
pub trait Source<'i> {
    fn next(&mut self) -> Result<Ev<'i>, DecodeError>;

    /// [`Source::next`], a start tag without attributes given by its name alone: most
    /// elements of an answer have none, and the decoders look such an element up by its
    /// name without the cost of a whole [`Start`] (made, moved, dropped).
    fn next_named(&mut self) -> Result<Named<'i>, DecodeError> {
        self.next().map(Named::Ev)
    }

    /// [`Source::next_named`] in element-only content: a text of white space alone (the
    /// indentation between tags) is passed over, as the decoders would drop it.
    fn next_child(&mut self) -> Result<Named<'i>, DecodeError> {
        loop {
            match self.next_named()? {
                Named::Ev(Ev::Text(t)) if crate::translate::scalar::blank(&t) => {}
                other => return Ok(other),
            }
        }
    }

    /// After a `Start`: its content up to and including its `End` when that is text alone
    /// (adjacent pieces joined), else the first child's `Start`.
    fn simple_content(&mut self) -> Result<TextOrChild<'i>, DecodeError> {
        simple_content_from(self, None)
    }

    /// Takes the `End` that is known to come next, if the source knows it already (a text
    /// read up to its element's end), sparing [`Source::simple_content`] an event.
    fn take_end(&mut self) -> bool {
        false
    }

    /// Consumes events up to and including the `End` of the element whose `Start` was just
    /// read.
    fn skip(&mut self) -> Result<(), DecodeError> {
        let mut depth = 1usize;
        loop {
            match self.next()? {
                Ev::Start(_) => depth += 1,
                Ev::End => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Ev::Text(_) => {}
                Ev::Eof => {
                    return Err(DecodeError::malformed(
                        "the document ends inside an element",
                    ));
                }
            }
        }
    }
}

/// [`Source::simple_content`], `first` being the first event after the `Start` when it was
/// read already.
pub(super) fn simple_content_from<'i, S: Source<'i> + ?Sized>(
    src: &mut S,
    mut first: Option<Ev<'i>>,
) -> Result<TextOrChild<'i>, DecodeError> {
    let mut text: Cow<'i, str> = Cow::Borrowed("");
    loop {
        let ev = match first.take() {
            Some(ev) => ev,
            None => src.next()?,
        };
        match ev {
            Ev::Text(t) if text.is_empty() && src.take_end() => {
                return Ok(TextOrChild::Text(t));
            }
            Ev::Text(t) if text.is_empty() => text = t,
            Ev::Text(t) => text.to_mut().push_str(&t),
            Ev::End => return Ok(TextOrChild::Text(text)),
            Ev::Start(s) => return Ok(TextOrChild::Child(s)),
            Ev::Eof => return Err(inside_element()),
        }
    }
}

/// A DOCTYPE is refused outright: no entity can ever be declared, so none can be expanded.
pub(crate) fn doctype_refused() -> DecodeError {
    DecodeError::Forbidden("the document has a DOCTYPE declaration".into())
}

/// The end of the input, `depth` elements deep: an error unless every element was closed.
pub(crate) fn end_of_document(depth: usize) -> Result<Ev<'static>, DecodeError> {
    if depth > 0 {
        return Err(DecodeError::malformed(
            "the document ends inside an element",
        ));
    }
    Ok(Ev::Eof)
}
