//! What a contract says about WS-Addressing: whether a binding uses it (and which version),
//! and the `Action` of each message; and, from the same policies, whether it asks for MTOM
//! and which WS-SecurityPolicy assertions it carries (reported by `check` and `inspect`).
//!
//! ```text
//! binding ─ wsaw:UsingAddressing (2006/05 WSDL binding) ───────────────┐
//!         ─ wsp:PolicyReference URI="#id" / inline wsp:Policy          ├─> Addressing { version, required }
//!             └─ wsam:Addressing, wsaw:UsingAddressing (2005/08)       │
//!                wsap:UsingAddressing (2004/08 submission) ────────────┘
//! portType operation input/output ─ wsam:Action | wsaw:Action | wsa(2004):Action
//!                                 ─ else the binding's soapAction, when not empty
//!                                 ─ else the default pattern: tns/portType/(name | opRequest)
//! ```
//!
//! The rules are WS-Addressing 1.0 Metadata (W3C REC 2007-09-04) §3.1 and §4.4; taking the
//! non-empty `soapAction` before the default pattern is what JAX-WS, CXF and WCF do, and
//! keeps the `SOAPAction` header and `wsa:Action` equal, as the SOAP binding requires.
//!
//! May import `xmlutil` and the loader's own modules.

use super::dom::Element;
use super::loader::WsdlDoc;
use super::model::{Addressing, WsaVersion};
use crate::xmlutil::{WSDL_NS, WSU_NS};

/// WS-Addressing 1.0 Metadata (policy assertions and `wsam:Action`).
pub const WSAM_NS: &str = "http://www.w3.org/2007/05/addressing/metadata";
/// WS-Addressing 1.0 WSDL Binding (`wsaw:UsingAddressing`, `wsaw:Action`).
pub const WSAW_NS: &str = "http://www.w3.org/2006/05/addressing/wsdl";
/// The 2004/08 member submission's policy assertion namespace.
pub const WSAP_2004_NS: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing/policy";
/// WS-Policy 1.5 and the 2004/09 submission.
const WSP_NS: [&str; 2] = [
    "http://www.w3.org/ns/ws-policy",
    "http://schemas.xmlsoap.org/ws/2004/09/policy",
];

/// What a binding's policies (and the ports naming it) ask for.
#[derive(Debug, Default)]
pub struct Asked {
    pub addressing: Option<Addressing>,
    /// MTOM (`wsoma:OptimizedMimeSerialization`): `Some(required)`.
    pub mtom: Option<bool>,
    /// The WS-SecurityPolicy assertions worth naming (bindings, tokens, signed and
    /// encrypted parts, timestamps), in the order met, each once.
    pub security: Vec<String>,
}

/// MTOM's policy assertion namespace.
const WSOMA_NS: &str = "http://schemas.xmlsoap.org/ws/2004/09/policy/optimizedmimeserialization";
/// WS-SecurityPolicy 1.1 and 1.2.
const SP_NS: [&str; 2] = [
    "http://schemas.xmlsoap.org/ws/2005/07/securitypolicy",
    "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702",
];

/// What `binding` (and the ports naming it) ask for, policy references looked up in every
/// document of the contract.
pub fn of_binding(binding: &Element, ports: &[&Element], docs: &[WsdlDoc]) -> Asked {
    let mut asked = Asked::default();
    for el in std::iter::once(binding).chain(ports.iter().copied()) {
        for child in &el.children {
            visit(child, false, docs, 0, &mut |a, optional, depth| {
                merge(&mut asked.addressing, addressing(a, optional, depth));
                if a.ns == WSOMA_NS && a.local == "OptimizedMimeSerialization" {
                    asked.mtom = Some(asked.mtom.unwrap_or(false) || !optional);
                }
                if SP_NS.contains(&a.ns.as_str())
                    && (a.local.ends_with("Binding")
                        || a.local.ends_with("Token")
                        || a.local.ends_with("Parts")
                        || a.local.ends_with("Elements")
                        || a.local == "IncludeTimestamp")
                    && !asked.security.contains(&a.local)
                {
                    asked.security.push(a.local.clone());
                }
            });
        }
    }
    asked
}

/// Keeps the stronger of two findings: required over optional, 1.0 over the submission.
fn merge(found: &mut Option<Addressing>, new: Option<Addressing>) {
    let Some(n) = new else { return };
    *found = Some(match found.take() {
        None => n,
        Some(f) => Addressing {
            version: if f.version == WsaVersion::V2005 || n.version == WsaVersion::V2005 {
                WsaVersion::V2005
            } else {
                WsaVersion::V2004
            },
            required: f.required || n.required,
            // The construct that made it required is the one worth naming.
            source: if n.required && !f.required {
                n.source
            } else {
                f.source
            },
        },
    });
}

/// The addressing an assertion states (`depth` 0: an extension element of the binding or
/// port itself, not inside a policy).
fn addressing(el: &Element, optional: bool, depth: u32) -> Option<Addressing> {
    match (el.ns.as_str(), el.local.as_str()) {
        (WSAW_NS, "UsingAddressing") => Some(Addressing {
            version: WsaVersion::V2005,
            // In a binding it is optional unless wsdl:required says so; as a policy
            // assertion it is required unless wsp:Optional says not.
            required: match el.attr_ns(WSDL_NS, "required") {
                Some(r) => r == "true",
                None => !optional && depth > 0,
            },
            source: "wsaw:UsingAddressing",
        }),
        (WSAM_NS, "Addressing") => Some(Addressing {
            version: WsaVersion::V2005,
            required: !optional,
            source: "wsam:Addressing policy",
        }),
        (WSAP_2004_NS, "UsingAddressing") => Some(Addressing {
            version: WsaVersion::V2004,
            required: !optional,
            source: "wsap:UsingAddressing policy (2004/08)",
        }),
        _ => None,
    }
}

/// Calls `f` on each assertion at or under `el`: policy operators (`Policy`, `ExactlyOne`,
/// `All`) and references (`PolicyReference URI="#id"`) are followed, and so are the policies
/// nested in an assertion (WS-SecurityPolicy puts its details there). `optional`: an
/// enclosing element said `wsp:Optional="true"`.
fn visit(
    el: &Element,
    optional: bool,
    docs: &[WsdlDoc],
    depth: u32,
    f: &mut dyn FnMut(&Element, bool, u32),
) {
    if depth > 16 {
        return;
    }
    let optional = optional || is_optional(el);
    if WSP_NS.contains(&el.ns.as_str()) {
        match el.local.as_str() {
            "Policy" | "ExactlyOne" | "All" => {
                for c in &el.children {
                    visit(c, optional, docs, depth + 1, f);
                }
            }
            "PolicyReference" => {
                if let Some(p) = el
                    .attr("URI")
                    .and_then(|u| u.strip_prefix('#'))
                    .and_then(|id| policy_by_id(docs, id))
                {
                    visit(p, optional, docs, depth + 1, f);
                }
            }
            _ => {}
        }
        return;
    }
    f(el, optional, depth);
    for c in el
        .children
        .iter()
        .filter(|c| WSP_NS.contains(&c.ns.as_str()))
    {
        visit(c, optional, docs, depth + 1, f);
    }
}

fn is_optional(el: &Element) -> bool {
    WSP_NS
        .iter()
        .any(|ns| matches!(el.attr_ns(ns, "Optional"), Some("true" | "1")))
}

/// The `wsp:Policy` whose `wsu:Id` (or plain `Id`) is `id`, anywhere at the top of a document.
fn policy_by_id<'d>(docs: &'d [WsdlDoc], id: &str) -> Option<&'d Element> {
    docs.iter().find_map(|d| {
        d.root.children.iter().find(|c| {
            WSP_NS.contains(&c.ns.as_str())
                && c.local == "Policy"
                && (c.attr_ns(WSU_NS, "Id") == Some(id) || c.attr("Id") == Some(id))
        })
    })
}

/// The action of an operation's `io` message (`portType/operation/input|output`, `None`
/// when the operation has no such message): explicit (`wsam:Action`, `wsaw:Action`, the
/// 2004/08 `wsa:Action`), else for the input the non-empty `soap_action`, else the default.
pub fn action(io: Option<&Element>, dir: Direction, soap_action: &str, at: ActionAt<'_>) -> String {
    let explicit = io.and_then(|io| {
        [WSAM_NS, WSAW_NS, WsaVersion::V2004.ns()]
            .iter()
            .find_map(|ns| io.attr_ns(ns, "Action"))
            .map(str::trim)
            .filter(|a| !a.is_empty())
    });
    let soap_action = soap_action.trim();
    match explicit {
        Some(a) => a.to_owned(),
        None if dir == Direction::Input && !soap_action.is_empty() => soap_action.to_owned(),
        None => default_action(
            at.tns,
            at.port_type,
            at.operation,
            io.and_then(|i| i.attr("name")),
            dir,
            at.one_way,
        ),
    }
}

/// Where an operation sits, for its default actions.
#[derive(Clone, Copy, Debug)]
pub struct ActionAt<'a> {
    pub tns: &'a str,
    pub port_type: &'a str,
    pub operation: &'a str,
    pub one_way: bool,
}

/// Which message of an operation an action is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Input,
    Output,
}

/// The default action (Metadata §4.4.4): `[tns][d][port type][d][message name]`, the
/// delimiter `:` for a URN target namespace and `/` otherwise (not doubled after a `/`),
/// the message name defaulting to `[operation]Request` / `[operation]Response`, or to the
/// operation's name for a one-way input.
pub fn default_action(
    tns: &str,
    port_type: &str,
    operation: &str,
    message_name: Option<&str>,
    dir: Direction,
    one_way: bool,
) -> String {
    // By bytes: a namespace may start with any character (slicing text could split one).
    let urn = tns
        .as_bytes()
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"urn:"));
    let d = if urn { ':' } else { '/' };
    let name = match (message_name, dir) {
        (Some(n), _) => n.to_owned(),
        (None, Direction::Input) if one_way => operation.to_owned(),
        (None, Direction::Input) => format!("{operation}Request"),
        (None, Direction::Output) => format!("{operation}Response"),
    };
    let mut out = String::with_capacity(tns.len() + port_type.len() + name.len() + 2);
    out.push_str(tns);
    if !tns.ends_with(d) {
        out.push(d);
    }
    out.push_str(port_type);
    out.push(d);
    out.push_str(&name);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_actions_follow_the_metadata_pattern() {
        assert_eq!(
            default_action(
                "urn:soapbridge:interop:files",
                "FilePortType",
                "whoAmI",
                None,
                Direction::Input,
                false
            ),
            "urn:soapbridge:interop:files:FilePortType:whoAmIRequest"
        );
        assert_eq!(
            default_action(
                "http://example.com/stock/",
                "Quote",
                "Get",
                None,
                Direction::Output,
                false
            ),
            "http://example.com/stock/Quote/GetResponse"
        );
        assert_eq!(
            default_action(
                "http://example.com/stock",
                "Quote",
                "Get",
                Some("GetIn"),
                Direction::Input,
                false
            ),
            "http://example.com/stock/Quote/GetIn"
        );
        assert_eq!(
            default_action(
                "http://example.com/stock",
                "Quote",
                "Notify",
                None,
                Direction::Input,
                true
            ),
            "http://example.com/stock/Quote/Notify"
        );
    }
}
