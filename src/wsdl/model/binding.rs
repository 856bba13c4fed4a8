//! The WSDL side of the model: SOAP versions, styles and uses, message bodies and headers,
//! faults, operations, bindings, services and ports, and the loaded [`Wsdl`] itself.
//!
//! May import: `wsdl::model` (names, the schema arena), `xmlutil`; nothing above.

use std::sync::Arc;

use super::{Content, ElemId, QName, Schema, TypeId, well_known};

/// SOAP protocol version of a binding.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, Default)]
pub enum SoapVersion {
    #[default]
    V11,
    V12,
}

impl SoapVersion {
    pub fn label(self) -> &'static str {
        match self {
            SoapVersion::V11 => "1.1",
            SoapVersion::V12 => "1.2",
        }
    }

    pub fn envelope_ns(self) -> &'static str {
        match self {
            SoapVersion::V11 => crate::xmlutil::SOAP11_ENV_NS,
            SoapVersion::V12 => crate::xmlutil::SOAP12_ENV_NS,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Style {
    Document,
    Rpc,
}

impl Style {
    pub fn label(self) -> &'static str {
        match self {
            Style::Document => "document",
            Style::Rpc => "rpc",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Use {
    Literal,
    Encoded,
}

impl Use {
    pub fn label(self) -> &'static str {
        match self {
            Use::Literal => "literal",
            Use::Encoded => "encoded",
        }
    }
}

/// A WSDL message part as bound in a body.
#[derive(Clone, Debug)]
pub struct Part {
    pub name: String,
    pub kind: PartKind,
}

#[derive(Clone, Debug)]
pub enum PartKind {
    Element(ElemId),
    Type(TypeId),
}

/// The SOAP Body of one direction of an operation, as soapbridge reads and writes it.
///
/// `content` is a complex type whose JSON form is the message's JSON form: the wrapper
/// element's type for document/literal wrapped, or a type made of one element per part
/// (bare document style, rpc style).
#[derive(Clone, Debug)]
pub struct Body {
    /// The single Body child that wraps the content (document wrapped: the part's element;
    /// rpc: `{namespace}Operation[Response]`). `None`: the parts are direct Body children.
    pub wrapper: Option<QName>,
    pub content: TypeId,
    pub parts: Vec<Part>,
    /// How the JSON relates to the parts, for docs and `inspect`.
    pub shape: BodyShape,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BodyShape {
    /// document/literal wrapped: JSON = the wrapper element's children.
    Wrapped,
    /// document bare: JSON = one key per part element.
    Bare,
    /// rpc: JSON = one key per part.
    Rpc,
}

impl BodyShape {
    pub fn label(self) -> &'static str {
        match self {
            BodyShape::Wrapped => "wrapped",
            BodyShape::Bare => "bare",
            BodyShape::Rpc => "rpc",
        }
    }
}

/// A SOAP header block declared by the binding.
#[derive(Clone, Debug)]
pub struct HeaderDecl {
    /// The JSON key (the header element's local name).
    pub key: Arc<str>,
    pub element: ElemId,
    pub use_: Use,
}

#[derive(Clone, Debug)]
pub struct MessageBinding {
    pub use_: Use,
    pub body: Body,
    pub headers: Vec<HeaderDecl>,
    /// For `use="encoded"`: the `encodingStyle` to declare.
    pub encoding_style: Option<String>,
}

/// A fault an operation declares, with the element its `<detail>` carries.
#[derive(Clone, Debug)]
pub struct FaultDecl {
    pub name: String,
    pub element: Option<ElemId>,
    /// For type-based (encoded) fault parts: the part's type name, which some stacks use
    /// as the detail element's name or `xsi:type`.
    pub type_name: Option<QName>,
}

impl FaultDecl {
    /// The type the detail is read as: the element's declared type, or `xsd:anyType` when
    /// there is no element or its type says nothing of its content (an empty complexType,
    /// as Spyne generates), so the detail's fields still become JSON.
    pub fn detail_type(&self, schema: &Schema) -> TypeId {
        self.element
            .map(|e| schema.element(e).ty)
            .filter(|ty| {
                !schema.complex(*ty).is_some_and(|c| {
                    matches!(c.content, Content::Empty)
                        && c.slots.is_empty()
                        && c.array.is_none()
                        && !c.any_attribute
                })
            })
            .unwrap_or(well_known::ANY_TYPE)
    }
}

#[derive(Clone, Debug)]
pub struct Operation {
    pub name: String,
    pub soap_action: String,
    /// The WS-Addressing `Action` of the request: explicit in the contract, else the
    /// non-empty `soapAction`, else the default pattern (wsdl/addressing.rs).
    pub input_action: String,
    /// The same for the answer (`None` for one-way operations).
    pub output_action: Option<String>,
    pub style: Style,
    pub input: MessageBinding,
    /// `None` for one-way operations.
    pub output: Option<MessageBinding>,
    pub faults: Vec<FaultDecl>,
    pub documentation: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Binding {
    pub name: QName,
    pub port_type: QName,
    pub soap_version: SoapVersion,
    pub style: Style,
    pub operations: Vec<Operation>,
    /// What the binding (or its ports' policies) says about WS-Addressing.
    pub addressing: Option<Addressing>,
    /// A policy asks for MTOM: `Some(required)`.
    pub mtom: Option<bool>,
    /// The WS-SecurityPolicy assertions its policies carry (bindings, tokens, parts).
    pub security_policy: Vec<String>,
}

/// The WS-Addressing versions soapbridge speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WsaVersion {
    /// W3C WS-Addressing 1.0 (`http://www.w3.org/2005/08/addressing`).
    V2005,
    /// The 2004/08 member submission, still spoken by older WSE and Axis stacks.
    V2004,
}

impl WsaVersion {
    pub fn ns(self) -> &'static str {
        match self {
            Self::V2005 => "http://www.w3.org/2005/08/addressing",
            Self::V2004 => "http://schemas.xmlsoap.org/ws/2004/08/addressing",
        }
    }

    /// The version whose namespace is `ns`.
    pub fn of_ns(ns: &str) -> Option<Self> {
        [Self::V2005, Self::V2004]
            .into_iter()
            .find(|v| v.ns() == ns)
    }

    /// The address meaning "answer on this connection".
    pub fn anonymous(self) -> &'static str {
        match self {
            Self::V2005 => "http://www.w3.org/2005/08/addressing/anonymous",
            Self::V2004 => "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::V2005 => "2005/08",
            Self::V2004 => "2004/08",
        }
    }
}

/// A binding's use of WS-Addressing, as its contract states it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Addressing {
    pub version: WsaVersion,
    /// The service refuses messages without the headers (optional: it understands them).
    pub required: bool,
    /// Which construct said so, for `check` and `inspect`.
    pub source: &'static str,
}

impl Binding {
    pub fn operation(&self, name: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.name == name)
    }
}

#[derive(Clone, Debug)]
pub struct Port {
    pub name: String,
    /// Index into [`Wsdl::bindings`].
    pub binding: usize,
    pub address: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Service {
    pub name: QName,
    pub ports: Vec<Port>,
}

/// A loaded and resolved WSDL.
#[derive(Debug)]
pub struct Wsdl {
    /// Where the entry document came from (path or URL), for messages.
    pub location: String,
    pub target_namespace: String,
    pub schema: Schema,
    pub bindings: Vec<Binding>,
    pub services: Vec<Service>,
    /// Things worth knowing that are not problems (skipped HTTP bindings, no services...).
    pub notes: Vec<String>,
    /// Things that may make some operations unusable (unresolved imports, unknown types).
    pub warnings: Vec<String>,
    /// Number of documents read (the entry and its imports).
    pub documents: usize,
}

impl Wsdl {
    pub fn binding_by_name(&self, local: &str) -> Option<(usize, &Binding)> {
        self.bindings
            .iter()
            .enumerate()
            .find(|(_, b)| &*b.name.local == local)
    }

    /// The services' ports that expose binding `binding` (an index into `bindings`).
    pub fn ports_of(&self, binding: usize) -> impl Iterator<Item = (&Service, &Port)> {
        self.services
            .iter()
            .flat_map(|s| s.ports.iter().map(move |p| (s, p)))
            .filter(move |(_, p)| p.binding == binding)
    }

    /// The address of the first port that exposes binding `binding`.
    pub fn address_of(&self, binding: usize) -> Option<String> {
        self.ports_of(binding).find_map(|(_, p)| p.address.clone())
    }

    pub fn service_by_name(&self, local: &str) -> Option<&Service> {
        self.services.iter().find(|s| &*s.name.local == local)
    }
}
