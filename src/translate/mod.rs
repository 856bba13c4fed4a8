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
pub enum Seg {
    Key(std::sync::Arc<str>),
    Index(usize),
}

/// Renders a path as a JSON Pointer (RFC 6901).
pub fn pointer(path: &[Seg]) -> String {
    if path.is_empty() {
        return "/".into();
    }
    let mut out = String::new();
    for seg in path {
        out.push('/');
        match seg {
            Seg::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
            Seg::Index(i) => out.push_str(&i.to_string()),
        }
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
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{pointer}: {kind}")]
pub struct EncodeError {
    /// Where, as a JSON Pointer into the request's JSON.
    pub pointer: String,
    pub kind: EncodeErrorKind,
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
