//! Per request: the HTTP request → the operation's input JSON (bind), and the output JSON
//! → the HTTP answer (shape, fault status).
//!
//! ```text
//! path params, query, headers, JSON body ──bind(route)──> input JSON ──> translate::encode
//! output JSON ──shape(route.response)──> response body;   Fault ──fault_status──> HTTP status
//! ```
//!
//! May import `wsdl`, `translate`, `soap` (the fault model) and the mapping's own modules.

use serde_json::{Map, Value};

use super::model::*;
use super::template::Source;
use crate::soap::{Fault, FaultClass};
use crate::translate::{ScalarError, scalar};
use crate::wsdl::Schema;

/// What the request offers.
pub struct RequestParts<'a> {
    pub path: &'a [(String, String)],
    pub query: &'a [(String, String)],
    /// Lower-cased header names.
    pub headers: &'a [(String, String)],
    /// The authenticated caller's values by `Source::Auth` name (`consumer`, `sub`,
    /// `provider`, `claims.<name>`); empty for an anonymous caller.
    pub auth: &'a [(String, String)],
    pub body: Option<Value>,
}

impl RequestParts<'_> {
    fn texts(&self, source: &Source) -> Vec<&str> {
        let (list, name) = match source {
            Source::Path(n) => (self.path, n),
            Source::Query(n) => (self.query, n),
            Source::Header(n) => (self.headers, n),
            Source::Auth(n) => (self.auth, n),
            Source::Body(_) => return Vec::new(),
        };
        list.iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn body_at(&self, path: &[String]) -> Option<&Value> {
        let mut cur = self.body.as_ref()?;
        for seg in path {
            cur = match cur {
                Value::Object(m) => m.get(seg)?,
                Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(cur)
    }
}

/// Why a request cannot become the operation's input (the caller's mistake: 400).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BindError {
    #[error("{} is required", .0.describe())]
    Missing(Source),
    #[error("{}: {error}", from.describe())]
    Invalid { from: Source, error: ScalarError },
    #[error("unknown query parameter `{name}`{}", if known.is_empty() { " (this route takes none)".to_owned() } else { format!(" (known: {})", known.join(", ")) })]
    UnknownQuery { name: String, known: Vec<String> },
    #[error("the request body must be a JSON object, not {0}")]
    BodyNotObject(&'static str),
    #[error("{} is {found}, but `{field}` takes text", from.describe())]
    NotText {
        from: Source,
        field: String,
        found: &'static str,
    },
}

impl BindError {
    /// An exact JSON Pointer to the body's value at fault (`None` when the problem is in a
    /// path or query parameter or a header).
    pub fn pointer(&self) -> Option<String> {
        match self {
            BindError::Missing(Source::Body(p))
            | BindError::Invalid {
                from: Source::Body(p),
                ..
            }
            | BindError::NotText {
                from: Source::Body(p),
                ..
            } => Some(
                p.iter()
                    .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
                    .collect(),
            ),
            BindError::BodyNotObject(_) => Some(String::new()),
            _ => None,
        }
    }

    /// The XSD type the value should have, when the problem is about one.
    pub fn expected(&self) -> Option<&str> {
        match self {
            BindError::Invalid { error, .. } => Some(&error.expected),
            _ => None,
        }
    }

    /// What is wrong, in a few words.
    pub fn reason(&self) -> String {
        match self {
            BindError::Missing(_) => "required, and not given".to_owned(),
            BindError::Invalid { error, .. } => error.reason.clone(),
            BindError::UnknownQuery { .. } => "unknown query parameter".to_owned(),
            BindError::BodyNotObject(found) => format!("expected an object, got {found}"),
            BindError::NotText { found, .. } => format!("expected text, got {found}"),
        }
    }
}

/// Builds the operation's input JSON for `route` from the request (which it consumes: a
/// body taken whole is moved, not copied). Every problem is reported, not just the first.
pub fn bind_input(
    schema: &Schema,
    route: &Route,
    mut parts: RequestParts<'_>,
) -> Result<Value, Vec<BindError>> {
    let mut errs = Vec::new();
    check_query(route, &parts, &mut errs);
    let value = match &route.input {
        Input::Template(node) => {
            eval(schema, node, &parts, "request", &mut errs).unwrap_or(Value::Object(Map::new()))
        }
        Input::Auto { fields } => {
            let mut obj = match parts.body.take() {
                None | Some(Value::Null) => Map::new(),
                Some(Value::Object(m)) => m,
                Some(other) => {
                    errs.push(BindError::BodyNotObject(scalar::json_type_name(&other)));
                    Map::new()
                }
            };
            for (source, param) in fields {
                let texts = parts.texts(source);
                if texts.is_empty() {
                    continue;
                }
                match convert(schema, source, param.ty, param.repeated, &texts) {
                    Ok(value) => {
                        obj.insert(param.name.clone(), value);
                    }
                    Err(e) => errs.push(e),
                }
            }
            Value::Object(obj)
        }
    };
    if errs.is_empty() {
        Ok(value)
    } else {
        Err(errs)
    }
}

/// Builds the SOAP header values for `route`.
pub fn bind_headers(
    schema: &Schema,
    route: &Route,
    parts: &RequestParts<'_>,
) -> Result<Option<Map<String, Value>>, Vec<BindError>> {
    let Some(node) = &route.soap_headers else {
        return Ok(None);
    };
    let mut errs = Vec::new();
    let value = eval(schema, node, parts, "soap_headers", &mut errs);
    if !errs.is_empty() {
        return Err(errs);
    }
    match value {
        Some(Value::Object(m)) => Ok(Some(m)),
        _ => Ok(None),
    }
}

fn check_query(route: &Route, parts: &RequestParts<'_>, errs: &mut Vec<BindError>) {
    for (k, _) in parts.query {
        if !route.query_params.iter().any(|p| &p.name == k) {
            errs.push(BindError::UnknownQuery {
                name: k.clone(),
                known: route.query_params.iter().map(|p| p.name.clone()).collect(),
            });
        }
    }
}

fn convert(
    schema: &Schema,
    source: &Source,
    ty: Option<crate::wsdl::TypeId>,
    repeated: bool,
    texts: &[&str],
) -> Result<Value, BindError> {
    let one = |t: &str| -> Result<Value, BindError> {
        match ty {
            Some(ty) => scalar::coerce(schema, ty, t).map_err(|error| BindError::Invalid {
                from: source.clone(),
                error,
            }),
            None => Ok(Value::String(t.to_owned())),
        }
    };
    if repeated {
        let mut items = Vec::new();
        for t in texts {
            // `?status=A,B` and `?status=A&status=B` both give two items.
            for part in t.split(',').filter(|p| !p.is_empty()) {
                items.push(one(part)?);
            }
        }
        Ok(Value::Array(items))
    } else {
        // The last value wins, as in most web frameworks.
        one(texts.last().copied().unwrap_or_default())
    }
}

/// The value of a template node; a problem is recorded in `errs` and leaves the node out.
fn eval(
    schema: &Schema,
    node: &Node,
    parts: &RequestParts<'_>,
    field: &str,
    errs: &mut Vec<BindError>,
) -> Option<Value> {
    match eval_one(schema, node, parts, field, errs) {
        Ok(v) => v,
        Err(e) => {
            errs.push(e);
            None
        }
    }
}

fn eval_one(
    schema: &Schema,
    node: &Node,
    parts: &RequestParts<'_>,
    field: &str,
    errs: &mut Vec<BindError>,
) -> Result<Option<Value>, BindError> {
    Ok(match node {
        Node::Const(v) => Some(v.clone()),
        Node::Object(entries) => {
            let mut m = Map::with_capacity(entries.len());
            for (k, n) in entries {
                if let Some(v) = eval(schema, n, parts, k, errs) {
                    m.insert(k.to_string(), v);
                }
            }
            Some(Value::Object(m))
        }
        Node::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for n in items {
                if let Some(v) = eval(schema, n, parts, field, errs) {
                    out.push(v);
                }
            }
            Some(Value::Array(out))
        }
        Node::Source(s) => match &s.source {
            Source::Body(path) => match parts.body_at(path) {
                Some(v) => Some(v.clone()),
                None if s.required => return Err(BindError::Missing(s.source.clone())),
                None => None,
            },
            text_source => {
                let texts = parts.texts(text_source);
                if texts.is_empty() {
                    match &s.default {
                        Some(d) => Some(d.clone()),
                        None if s.required => return Err(BindError::Missing(s.source.clone())),
                        None => None,
                    }
                } else {
                    Some(convert(schema, text_source, s.scalar, s.repeated, &texts)?)
                }
            }
        },
        Node::Interpolate(pieces) => {
            let mut out = String::new();
            for p in pieces {
                match p {
                    InterpPiece::Literal(l) => out.push_str(l),
                    InterpPiece::Source(Source::Body(path)) => match parts.body_at(path) {
                        Some(Value::String(s)) => out.push_str(s),
                        Some(Value::Number(n)) => out.push_str(&n.to_string()),
                        Some(Value::Bool(b)) => out.push_str(&b.to_string()),
                        Some(other) => {
                            return Err(BindError::NotText {
                                from: Source::Body(path.clone()),
                                field: field.to_owned(),
                                found: scalar::json_type_name(other),
                            });
                        }
                        None => return Err(BindError::Missing(Source::Body(path.clone()))),
                    },
                    InterpPiece::Source(src) => match parts.texts(src).last() {
                        Some(t) => out.push_str(t),
                        None => return Err(BindError::Missing(src.clone())),
                    },
                }
            }
            Some(Value::String(out))
        }
    })
}

/// The part of the output JSON a route returns.
pub fn shape(route: &Route, output: Value) -> Value {
    let mut cur = output;
    for key in &route.response.path {
        cur = match cur {
            Value::Object(mut m) => m.remove(&**key).unwrap_or(if route.response.repeated {
                Value::Array(Vec::new())
            } else {
                Value::Null
            }),
            _ => Value::Null,
        };
    }
    cur
}

/// The HTTP status for a fault: the first matching rule of the route, else by class
/// (Client/Sender 400, anything else 502).
pub fn fault_status<'r>(route: &'r Route, fault: &Fault) -> (u16, Option<&'r FaultRule>) {
    for rule in &route.faults {
        if rule_matches(rule, fault) {
            return (rule.status, Some(rule));
        }
    }
    let status = match fault.class() {
        FaultClass::Client => 400,
        FaultClass::Server | FaultClass::Protocol => 502,
    };
    (status, None)
}

fn rule_matches(rule: &FaultRule, fault: &Fault) -> bool {
    let head = match &rule.matches {
        FaultMatch::Any => true,
        FaultMatch::Declared(name) => fault.name.as_deref() == Some(name.as_str()),
        FaultMatch::Code(code) => {
            let local = fault.code_local();
            if code.contains('.') {
                local == code
            } else {
                // `Client` matches `Client.Auth`, and `Sender` (its SOAP 1.2 name) too.
                let class = FaultClass::of_code(code);
                local.split('.').next() == Some(code.as_str())
                    || (class != FaultClass::Protocol && class == fault.class())
            }
        }
    };
    head && rule.when.iter().all(|(path, expected)| {
        let mut cur = fault.detail.as_ref();
        for seg in path {
            cur = cur.and_then(|v| v.get(seg));
        }
        match cur {
            Some(Value::String(s)) => s == expected,
            Some(Value::Number(n)) => n.to_string() == *expected,
            Some(Value::Bool(b)) => b.to_string() == *expected,
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn rule(m: FaultMatch, when: &[(&str, &str)]) -> FaultRule {
        FaultRule {
            matches: m,
            when: when
                .iter()
                .map(|(p, v)| (p.split('.').map(str::to_owned).collect(), (*v).to_owned()))
                .collect(),
            status: 418,
            title: None,
        }
    }

    fn fault(code: &str, name: Option<&str>, detail: Option<Value>) -> Fault {
        Fault {
            code: code.into(),
            name: name.map(str::to_owned),
            detail,
            ..Fault::default()
        }
    }

    #[test]
    fn code_rules_match_by_class_and_exactly_when_dotted() {
        let client = rule(FaultMatch::Code("Client".into()), &[]);
        assert!(rule_matches(&client, &fault("soap:Client", None, None)));
        assert!(rule_matches(&client, &fault("env:Sender", None, None)));
        assert!(rule_matches(&client, &fault("Client.Auth", None, None)));
        assert!(!rule_matches(&client, &fault("soap:Server", None, None)));
        let auth = rule(FaultMatch::Code("Client.Auth".into()), &[]);
        assert!(rule_matches(&auth, &fault("Client.Auth", None, None)));
        assert!(!rule_matches(&auth, &fault("Client", None, None)));
        // Protocol codes match only themselves, not each other.
        let vm = rule(FaultMatch::Code("VersionMismatch".into()), &[]);
        assert!(rule_matches(&vm, &fault("env:VersionMismatch", None, None)));
        assert!(!rule_matches(&vm, &fault("env:MustUnderstand", None, None)));
    }

    #[test]
    fn declared_rules_test_detail_values() {
        let r = rule(
            FaultMatch::Declared("OrderFault".into()),
            &[("code", "UNKNOWN"), ("n.x", "3")],
        );
        let detail = json!({"code": "UNKNOWN", "n": {"x": 3}});
        assert!(rule_matches(
            &r,
            &fault("Client", Some("OrderFault"), Some(detail.clone()))
        ));
        assert!(!rule_matches(
            &r,
            &fault("Client", Some("Other"), Some(detail))
        ));
        assert!(!rule_matches(
            &r,
            &fault("Client", Some("OrderFault"), Some(json!({"code": "X"})))
        ));
        assert!(rule_matches(
            &rule(FaultMatch::Any, &[]),
            &fault("Whatever", None, None)
        ));
    }
}
