//! SOAP faults as soapbridge reports them.
//!
//! May import `wsdl`, `xmlutil`.

use quick_xml::events::Event;
use quick_xml::name::{QName, ResolveResult};
use quick_xml::reader::NsReader;
use serde_json::Value;

use crate::wsdl::SoapVersion;
use crate::xmlutil::SOAP12_ENV_NS;

/// Who a fault blames, from its code (`Client`/`Sender` or `Server`/`Receiver`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultClass {
    /// The request was wrong (SOAP 1.1 `Client`, SOAP 1.2 `Sender`).
    Client,
    /// The backend failed (SOAP 1.1 `Server`, SOAP 1.2 `Receiver`).
    Server,
    /// Version mismatch, mustUnderstand, data encoding: a protocol problem between
    /// soapbridge and the backend.
    Protocol,
}

impl FaultClass {
    /// The class of a fault code's local part (`Client`, `Sender.Auth`, `Receiver`...).
    pub fn of_code(local: &str) -> FaultClass {
        match local.split('.').next().unwrap_or(local) {
            "Client" | "Sender" => FaultClass::Client,
            "Server" | "Receiver" => FaultClass::Server,
            _ => FaultClass::Protocol,
        }
    }
}

/// A SOAP fault, either version.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fault {
    pub version: SoapVersion,
    /// The fault code as written (`soap:Client`, `env:Sender`, `Client.Auth`).
    pub code: String,
    /// SOAP 1.2 subcode values, outermost first: `{namespace}local` once resolved (see
    /// [`resolve_subcodes`]), the local name alone when no namespace applies.
    pub subcodes: Vec<String>,
    /// faultstring / Reason text.
    pub reason: String,
    /// faultactor, Role or Node.
    pub actor: Option<String>,
    /// The declared fault the detail matched (the WSDL's `wsdl:fault` name).
    pub name: Option<String>,
    /// Local name of the detail entry element.
    pub detail_element: Option<String>,
    /// The detail as JSON: the declared fault's content when it matched, else the entries.
    pub detail: Option<Value>,
}

impl Fault {
    /// The code's local part without prefix (`Client`, `Sender.Auth` → `Sender.Auth`).
    pub fn code_local(&self) -> &str {
        self.code.rsplit(':').next().unwrap_or(&self.code)
    }

    pub fn class(&self) -> FaultClass {
        FaultClass::of_code(self.code_local())
    }
}

/// Rewrites `fault.subcodes` as written (`a:BadId`) into `{urn:x}BadId`: a subcode value is
/// a QName, and its prefix means the namespace in scope at its `<Value>` element, declared
/// there or on any ancestor. The prefix itself is the backend's choice and means nothing
/// to a caller. `xml` is the envelope the fault was read from; a value whose prefix is not
/// declared is left as written.
pub fn resolve_subcodes(xml: &str, fault: &mut Fault) {
    if fault.subcodes.is_empty() {
        return;
    }
    if let Some(resolved) = subcode_names(xml)
        && resolved.len() == fault.subcodes.len()
    {
        fault.subcodes = resolved;
    }
}

/// The subcode values of the first SOAP 1.2 fault in `xml`, resolved; `None` when the text
/// cannot be read again.
fn subcode_names(xml: &str) -> Option<Vec<String>> {
    let mut r = NsReader::from_str(xml);
    // Local names of the open SOAP 1.2 elements (`""` for any other), innermost last.
    let mut open: Vec<&'static str> = Vec::new();
    let mut out = Vec::new();
    let mut text: Option<String> = None;
    let env =
        |res: &ResolveResult<'_>| matches!(res, ResolveResult::Bound(n) if n.0 == SOAP12_ENV_NS);
    loop {
        let (res, ev) = r.read_resolved_event().ok()?;
        let is_env = env(&res);
        match ev {
            Event::Start(e) => {
                let name = match e.local_name().as_ref() {
                    "Code" if is_env => "Code",
                    "Subcode" if is_env => "Subcode",
                    "Value" if is_env => "Value",
                    _ => "",
                };
                if name == "Value" && open.last() == Some(&"Subcode") {
                    text = Some(String::new());
                }
                open.push(name);
            }
            Event::Empty(e)
                if is_env
                    && e.local_name().as_ref() == "Value"
                    && open.last() == Some(&"Subcode") =>
            {
                out.push(String::new());
            }
            Event::Text(t) => {
                if let Some(buf) = text.as_mut() {
                    buf.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(buf) = text.as_mut() {
                    buf.push_str(&t.xml10_content());
                }
            }
            Event::End(_) => {
                // The element's namespaces are still in scope at its end tag.
                if let Some(t) = text.take() {
                    out.push(resolve_qname(&r, t.trim()));
                }
                if open.pop() == Some("Code") && !open.contains(&"Code") {
                    return Some(out);
                }
            }
            Event::Eof => return Some(out),
            _ => {}
        }
    }
}

/// `prefix:local` or `local` as `{namespace}local`, or `local` when no namespace applies;
/// as written when the prefix is not declared.
fn resolve_qname<R>(r: &NsReader<R>, value: &str) -> String {
    let q = QName(value);
    let local = q.local_name().into_inner();
    match r.resolver().resolve_prefix(q.prefix(), true) {
        ResolveResult::Bound(ns) if !ns.0.is_empty() => {
            format!("{{{}}}{local}", ns.0)
        }
        ResolveResult::Bound(_) | ResolveResult::Unbound => local.to_owned(),
        ResolveResult::Unknown(_) => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_from_codes() {
        let f = |code: &str| Fault {
            code: code.into(),
            ..Fault::default()
        };
        assert_eq!(f("soap:Client").class(), FaultClass::Client);
        assert_eq!(f("env:Sender").class(), FaultClass::Client);
        assert_eq!(f("Client.Authentication").class(), FaultClass::Client);
        assert_eq!(f("SOAP-ENV:Server").class(), FaultClass::Server);
        assert_eq!(f("env:Receiver").class(), FaultClass::Server);
        assert_eq!(f("env:VersionMismatch").class(), FaultClass::Protocol);
        assert_eq!(f("Sender.Auth").code_local(), "Sender.Auth");
    }

    #[test]
    fn subcodes_are_resolved_where_their_value_is() {
        // `a` is declared on the Envelope, `b` on the inner Subcode, the default namespace
        // on the innermost Value; `zz` is not declared at all.
        let xml = r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:a="urn:app">
          <e:Body><e:Fault><e:Code><e:Value>e:Sender</e:Value>
            <e:Subcode><e:Value>a:BadId</e:Value>
              <e:Subcode xmlns:b="urn:b"><e:Value>b:Deeper</e:Value>
                <e:Subcode><e:Value xmlns="urn:d">Plain</e:Value>
                  <e:Subcode><e:Value>zz:Odd</e:Value></e:Subcode>
                </e:Subcode></e:Subcode></e:Subcode></e:Code>
            <e:Reason><e:Text xml:lang="en">bad</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>"#;
        let mut f = Fault {
            subcodes: vec![
                "a:BadId".into(),
                "b:Deeper".into(),
                "Plain".into(),
                "zz:Odd".into(),
            ],
            ..Fault::default()
        };
        resolve_subcodes(xml, &mut f);
        assert_eq!(
            f.subcodes,
            ["{urn:app}BadId", "{urn:b}Deeper", "{urn:d}Plain", "zz:Odd"]
        );
    }
}
