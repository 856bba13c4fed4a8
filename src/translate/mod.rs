//! The schema-guided codecs: JSON ⇄ XML, no I/O, no clocks.
//!
//! ```text
//! JSON ──encode (schema order, namespaces, types checked)──> XML body
//! XML  ──events (quick-xml, limits)──> decode (arrays, numbers, nil, attributes)──> JSON
//! ```
//!
//! The conventions are written once, in `docs/json-xml.md`; each has a test here.
//!
//! May import `wsdl`, `xmlutil`, `suggest`; no I/O, no clocks, nothing above.

pub mod decode;
pub mod encode;
pub mod events;
mod json_text;
pub mod scalar;
pub mod stream;
pub mod writer;

pub use decode::{Decoder, Select};
pub use encode::Encoder;
pub use events::Limits;
pub use scalar::ScalarError;
pub use writer::XmlWriter;

/// JSON key of simple content when the element also has attributes.
pub const VALUE_KEY: &str = "$value";
/// JSON key naming the concrete type of a polymorphic (`xsi:type`) value.
pub const TYPE_KEY: &str = "$type";
/// JSON key holding content the schema does not describe, as XML fragments.
pub const ANY_KEY: &str = "$any";
/// JSON key holding the text of mixed content.
pub const TEXT_KEY: &str = "$text";
/// JSON key holding attributes the schema does not describe (`anyAttribute`).
pub const ATTRS_KEY: &str = "$attributes";

/// A step in a JSON path, for error messages.
#[derive(Clone, Debug)]
pub enum Seg<'a> {
    Key(std::sync::Arc<str>),
    /// A key borrowed (from the schema, or a constant such as `$value`): the decoder pushes
    /// one for every element it reads, and counting references to the schema's shared keys
    /// would make the server's workers contend for the same cache lines.
    Name(&'a str),
    Index(usize),
}

/// Renders a path as a JSON Pointer (RFC 6901) for messages, the root shown as `/`.
///
/// A pointer a program reads (a 400's `errors[].pointer`) comes from [`json_pointer`]:
/// there the root is the empty string and `/` would name the key `""`.
pub fn pointer(path: &[Seg<'_>]) -> String {
    if path.is_empty() {
        return "/".into();
    }
    json_pointer(path)
}

/// Renders a path as an exact JSON Pointer (RFC 6901): the root is `""`.
pub fn json_pointer(path: &[Seg<'_>]) -> String {
    let mut out = String::new();
    for seg in path {
        out.push('/');
        let key: &str = match seg {
            Seg::Key(k) => k,
            Seg::Name(k) => k,
            Seg::Index(i) => {
                out.push_str(&i.to_string());
                continue;
            }
        };
        out.push_str(&key.replace('~', "~0").replace('/', "~1"));
    }
    out
}

/// Why a response from a backend could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("not well-formed XML: {0}")]
    Malformed(String),
    #[error("refused: {0}")]
    Forbidden(String),
    #[error("too large: {0}")]
    TooLarge(String),
    #[error("{pointer}: {error}")]
    Value { pointer: String, error: ScalarError },
    /// Well-formed, but not what the contract says (a required element missing, a wrong
    /// wrapper); a lenient backend's answer is read anyway.
    #[error("{pointer}: {reason}")]
    Contract { pointer: String, reason: String },
    #[error("{0}")]
    Structure(String),
}

impl DecodeError {
    pub fn malformed(msg: impl Into<String>) -> Self {
        DecodeError::Malformed(msg.into())
    }
}

/// Why a JSON value cannot become the XML the schema asks for (a client error).
///
/// The encoder reads the whole value before it gives up, so one error carries every
/// problem it found: this one (the first, in document order) and the others in `more`.
/// The message is the first problem's alone.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}: {kind}", if pointer.is_empty() { "/" } else { pointer })]
pub struct EncodeError {
    /// Where, as an exact JSON Pointer into the request's JSON (`""` is the root).
    pub pointer: String,
    pub kind: EncodeErrorKind,
    /// The further problems of the same value, in document order (empty on those). A
    /// boxed slice: the error stays small on the path where there is none.
    pub more: Box<[EncodeError]>,
}

impl EncodeError {
    pub fn new(pointer: String, kind: EncodeErrorKind) -> Self {
        Self {
            pointer,
            kind,
            more: Box::default(),
        }
    }

    /// This problem and the further ones, in document order.
    pub fn all(&self) -> impl Iterator<Item = &EncodeError> {
        std::iter::once(self).chain(self.more.iter())
    }

    /// This problem and the further ones, apart, in document order.
    pub fn into_all(mut self) -> Vec<EncodeError> {
        let more = std::mem::take(&mut self.more).into_vec();
        std::iter::once(self).chain(more).collect()
    }

    /// Problems in document order as one error (the first leading); `None` for none.
    pub fn from_all(all: impl IntoIterator<Item = EncodeError>) -> Option<EncodeError> {
        let mut all = all.into_iter().flat_map(EncodeError::into_all);
        let first = all.next()?;
        Some(EncodeError {
            more: all.collect::<Vec<_>>().into_boxed_slice(),
            ..first
        })
    }

    /// The same problems with `prefix` (a pointer) before each pointer.
    pub fn under(self, prefix: &str) -> Self {
        Self {
            pointer: format!("{prefix}{}", self.pointer),
            kind: self.kind,
            more: self
                .more
                .into_vec()
                .into_iter()
                .map(|e| e.under(prefix))
                .collect(),
        }
    }
}

impl EncodeErrorKind {
    /// The XSD type the value should have had, when the problem is about one
    /// (`xsd:int`, `OrderLine`, `Sku (xsd:string)`).
    pub fn expected(&self) -> Option<&str> {
        let label = match self {
            EncodeErrorKind::Value(e) => e.expected.as_str(),
            EncodeErrorKind::MissingField { expected, .. } => {
                expected.strip_prefix("attribute, ").unwrap_or(expected)
            }
            EncodeErrorKind::ExpectedObject { expected, .. } => expected.as_str(),
            _ => return None,
        };
        // Descriptions (`an array`, `the message parts`) are not types.
        (!label.contains(' ') || label.ends_with(')')).then_some(label)
    }

    /// What is wrong, in a few words (the pointer and the expected type said apart).
    pub fn reason(&self) -> String {
        match self {
            EncodeErrorKind::Value(e) => e.reason.clone(),
            EncodeErrorKind::ExpectedObject { found, .. } => {
                format!("expected an object, got {found}")
            }
            EncodeErrorKind::UnknownField { suggestion, .. } => match suggestion {
                Some(s) => format!("unknown field; did you mean `{s}`?"),
                None => "unknown field".to_owned(),
            },
            EncodeErrorKind::MissingField { expected, .. }
                if expected.starts_with("attribute, ") =>
            {
                "missing required attribute".to_owned()
            }
            EncodeErrorKind::MissingField { .. } => "missing required field".to_owned(),
            other => other.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EncodeErrorKind {
    #[error("{0}")]
    Value(ScalarError),
    #[error("expected an object ({expected}), got {found}")]
    ExpectedObject {
        expected: String,
        found: &'static str,
    },
    #[error("unknown field `{field}`{}{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default(), if known.is_empty() { String::new() } else { format!(" (known fields: {})", known.join(", ")) })]
    UnknownField {
        field: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },
    #[error("missing required field `{field}` ({expected})")]
    MissingField { field: String, expected: String },
    #[error("null is not allowed here: the element is not nillable")]
    NotNillable,
    #[error("expected a single value, got an array (the element does not repeat)")]
    NotRepeatable,
    #[error("expected at least {min} items, got {got}")]
    TooFew { min: u32, got: usize },
    #[error("expected at most {max} items, got {got}")]
    TooMany { max: u32, got: usize },
    #[error("fields {} are alternatives (xsd:choice): give exactly one", keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "))]
    ChoiceConflict { keys: Vec<String> },
    #[error("one of {} is required (xsd:choice)", options.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "))]
    ChoiceMissing { options: Vec<String> },
    #[error("`$type` `{name}` is not a type derived from {base}{}", if allowed.is_empty() { String::new() } else { format!(" (allowed: {})", allowed.join(", ")) })]
    UnknownType {
        name: String,
        base: String,
        allowed: Vec<String>,
    },
    #[error("type {name} is abstract: give a concrete type in `$type`{}", if allowed.is_empty() { String::new() } else { format!(" (one of: {})", allowed.join(", ")) })]
    AbstractType { name: String, allowed: Vec<String> },
    #[error("not a well-formed XML fragment: {0}")]
    BadFragment(String),
    #[error("the value is nested too deeply")]
    TooDeep,
}

#[cfg(test)]
mod tests;
