//! SOAP faults as soapbridge reports them.
//!
//! May import `wsdl`.

use serde_json::Value;

use crate::wsdl::SoapVersion;

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
    /// SOAP 1.2 subcode values, outermost first.
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
}
