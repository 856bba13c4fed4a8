//! Compiled mappings: what a route does, checked against the contract, ready for requests.
//!
//! May import `wsdl`, `soap` (the client's and WS-Security's settings types).

use std::sync::Arc;

use serde_json::Value;

use super::template::Source;
use crate::soap::client::ClientSettings;
pub use crate::soap::security::WsSecurity;
use crate::soap::signature::{SignatureSettings, VerifySettings};
use crate::wsdl::{Binding, Operation, SoapVersion, TypeId, WsaVersion, Wsdl};

/// A SOAP backend: its contract, the binding soapbridge calls, and how to reach it.
#[derive(Debug)]
pub struct Backend {
    /// The mapping file's name without extension, for logs and metrics.
    pub name: String,
    pub wsdl: Arc<Wsdl>,
    /// Index into `wsdl.bindings`.
    pub binding: usize,
    pub endpoint: url::Url,
    pub soap_version: SoapVersion,
    /// How the backend client reaches it (endpoint and version repeated there).
    pub client: ClientSettings,
    /// The UsernameToken every request carries.
    pub ws_security: Option<WsSecurity>,
    /// The X.509 signature every request carries.
    pub signature: Option<Arc<SignatureSettings>>,
    /// The check of the backend's signed answers (faults excepted).
    pub verify_answers: Option<Arc<VerifySettings>>,
    /// MTOM requests: `xsd:base64Binary` texts of this many bytes or more go as binary
    /// parts (`None`: requests are plain SOAP).
    pub mtom_threshold: Option<usize>,
    /// The WS-Addressing headers every request carries (`None`: none).
    pub addressing: Option<WsaVersion>,
    /// The policy the backend's routes get unless they name their own.
    pub auth: Option<String>,
    /// The CORS policy the backend's routes get unless they name their own.
    pub cors: Option<String>,
    /// Answers that break the contract (a required element missing, the wrong wrapper,
    /// elements in another namespace) are accepted with a warning instead of a 502.
    pub lenient: bool,
    /// The mapping file's `graphql:` switch (`None`: the gateway configuration decides).
    pub graphql: Option<bool>,
}

impl Backend {
    pub fn binding(&self) -> &Binding {
        &self.wsdl.bindings[self.binding]
    }
}

/// A compiled request template node.
#[derive(Debug, Clone)]
pub enum Node {
    Object(Vec<(Arc<str>, Node)>),
    Array(Vec<Node>),
    /// A constant, already converted to the target's JSON type.
    Const(Value),
    Source(SourceNode),
    /// Text with placeholders, for string targets.
    Interpolate(Vec<InterpPiece>),
}

#[derive(Debug, Clone)]
pub enum InterpPiece {
    Literal(String),
    Source(Source),
}

#[derive(Debug, Clone)]
pub struct SourceNode {
    pub source: Source,
    /// For text sources: the simple type the text converts to.
    pub scalar: Option<TypeId>,
    /// The target repeats: every value of a repeated query parameter is kept.
    pub repeated: bool,
    /// Used when the source is absent (already converted).
    pub default: Option<Value>,
    /// The target field is required: an absent source is a 400.
    pub required: bool,
}

/// A path, query or header parameter a route reads, for OpenAPI and request checks.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    /// The simple type the text converts to (`None`: any text).
    pub ty: Option<TypeId>,
    pub required: bool,
    pub repeated: bool,
    pub default: Option<String>,
}

/// How a route builds the operation's input JSON.
#[derive(Debug, Clone)]
pub enum Input {
    /// No `request:` template: the JSON body, plus path and query parameters named like
    /// top-level input fields.
    Auto {
        /// Path and query parameters mapped to top-level fields.
        fields: Vec<(Source, Param)>,
    },
    Template(Node),
}

/// Where the body goes, for OpenAPI: the JSON body holds the value of `ty` (the input
/// content type, or the type at the placeholder).
#[derive(Debug, Clone)]
pub struct BodySpec {
    pub ty: TypeId,
    /// `{body}` fills a repeated field: the body is an array of `ty`.
    pub repeated: bool,
    /// `{body.x}` placeholders: the fields of the body the route reads.
    pub fields: Vec<BodyField>,
    pub required: bool,
}

/// A field of the JSON body a `{body.a.b}` placeholder reads.
#[derive(Debug, Clone)]
pub struct BodyField {
    /// Dotted path into the body (`a.b`).
    pub path: String,
    pub ty: TypeId,
    pub required: bool,
    /// The field fills a repeated element: its value is an array.
    pub repeated: bool,
}

#[derive(Debug, Clone)]
pub struct ResponseShape {
    /// Keys from the output JSON to the value returned.
    pub path: Vec<Arc<str>>,
    pub status: u16,
    /// The type of the returned value (for OpenAPI); `None` with an empty path.
    pub ty: Option<TypeId>,
    /// The value at `path` is an array (the slot repeats).
    pub repeated: bool,
    /// The body key under which the answer's declared SOAP header blocks are returned
    /// (`response.soap_headers`); the body is then an object.
    pub soap_headers: Option<Arc<str>>,
}

#[derive(Debug, Clone)]
pub enum FaultMatch {
    /// A declared fault (by `wsdl:fault` name or detail element name).
    Declared(String),
    /// A fault code, by class (`Client`/`Sender`, `Server`/`Receiver`) or exactly.
    Code(String),
    Any,
}

#[derive(Debug, Clone)]
pub struct FaultRule {
    pub matches: FaultMatch,
    /// (dotted path into the detail JSON, expected value as text).
    pub when: Vec<(Vec<String>, String)>,
    pub status: u16,
    pub title: Option<String>,
}

/// One REST route.
#[derive(Debug)]
pub struct Route {
    pub method: actix_web::http::Method,
    /// As declared, with the base path (`/api/customers/{id}`).
    pub path: String,
    pub backend: Arc<Backend>,
    /// Index into the binding's operations.
    pub operation: usize,
    pub input: Input,
    pub soap_headers: Option<Node>,
    pub path_params: Vec<Param>,
    pub query_params: Vec<Param>,
    pub header_params: Vec<Param>,
    pub body: Option<BodySpec>,
    pub response: ResponseShape,
    pub faults: Vec<FaultRule>,
    pub summary: Option<String>,
    pub description: Option<String>,
    /// The gateway configuration's policy that admits callers (the route's, else the
    /// backend's, else the configuration's default); `None`: public.
    pub auth: Option<String>,
    /// The gateway configuration's CORS policy (the route's, else the backend's); `None`:
    /// no cross-origin headers, preflights refused.
    pub cors: Option<String>,
    /// A template reads `{auth.*}`: the call needs the caller's values.
    pub reads_auth: bool,
    /// A retry after the request reached the backend is safe (GET/HEAD routes, or
    /// `idempotent: true`).
    pub idempotent: bool,
    /// How the route appears on `/graphql`.
    pub graphql: GraphqlRoute,
    /// `mappings/x.yaml:12`, for logs.
    pub origin: String,
}

/// A route's `graphql:` settings, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GraphqlRoute {
    /// `false`: left out; `None`: in when its mapping file (or the configuration) says so.
    pub enabled: Option<bool>,
    /// `None`: a query for GET routes, else a mutation.
    pub kind: Option<GraphqlKind>,
    /// The root field's name, a valid GraphQL name.
    pub name: Option<String>,
}

/// The root type a route's field is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphqlKind {
    Query,
    Mutation,
}

impl Route {
    pub fn operation(&self) -> &Operation {
        &self.backend.binding().operations[self.operation]
    }

    /// The top-level input fields that path and query parameters fill (a route without a
    /// request template), so the body may leave them out.
    pub fn filled_by_parameters(&self) -> Vec<&str> {
        match &self.input {
            Input::Auto { fields } => fields.iter().map(|(_, p)| p.name.as_str()).collect(),
            Input::Template(_) => Vec::new(),
        }
    }
}

/// Every route of every mapping file, checked.
#[derive(Debug, Default)]
pub struct Mappings {
    pub routes: Vec<Arc<Route>>,
    pub backends: Vec<Arc<Backend>>,
    /// Notes and warnings from the contracts, for the start-up log.
    pub notes: Vec<String>,
}
