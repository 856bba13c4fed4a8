//! WS-Addressing message headers on a request (W3C 1.0 or the 2004/08 submission).
//!
//! ```text
//! <wsa:Action soapenv:mustUnderstand="1">the operation's input action</wsa:Action>
//! <wsa:MessageID>urn:uuid:…</wsa:MessageID>        fresh for every call
//! <wsa:To soapenv:mustUnderstand="1">the backend's endpoint</wsa:To>
//! <wsa:ReplyTo><wsa:Address>…/anonymous</wsa:Address></wsa:ReplyTo>
//! ```
//!
//! The answer's `RelatesTo`, when it has one, must name the `MessageID`
//! ([`check_relates_to`]); the gateway checks it.
//!
//! May import `translate` (the writer), `wsdl` (the version).

use super::envelope::HeaderWriter;
use crate::translate::XmlWriter;
use crate::wsdl::WsaVersion;

/// The addressing headers of one call.
pub struct AddressingHeader<'a> {
    pub version: WsaVersion,
    pub env_ns: &'a str,
    pub action: &'a str,
    pub to: &'a str,
    pub message_id: String,
}

/// A fresh `urn:uuid:` message id.
pub fn new_message_id() -> String {
    format!("urn:uuid:{}", uuid::Uuid::new_v4())
}

impl HeaderWriter for AddressingHeader<'_> {
    fn write(&self, w: &mut XmlWriter) {
        let ns = self.version.ns();
        w.start(ns, "Action");
        w.attr(self.env_ns, "mustUnderstand", "1");
        w.text(self.action);
        w.end();
        w.start(ns, "MessageID");
        w.text(&self.message_id);
        w.end();
        w.start(ns, "To");
        w.attr(self.env_ns, "mustUnderstand", "1");
        w.text(self.to);
        w.end();
        w.start(ns, "ReplyTo");
        w.start(ns, "Address");
        w.text(self.version.anonymous());
        w.end();
        w.end();
    }
}

/// Why an answer's `RelatesTo` does not relate it to the request `sent`; `None` when it
/// does, or when the answer carries none (many stacks leave it out of one-way replies and
/// faults).
pub fn check_relates_to(sent: &str, got: Option<&str>) -> Option<String> {
    let got = got?;
    (got.trim() != sent).then(|| {
        format!("the answer relates to message {got}, not to the request's {sent} (WS-Addressing RelatesTo)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_each_header_in_the_version_namespace() {
        for v in [WsaVersion::V2005, WsaVersion::V2004] {
            let h = AddressingHeader {
                version: v,
                env_ns: crate::xmlutil::SOAP12_ENV_NS,
                action: "urn:x:Echo",
                to: "http://127.0.0.1:1/svc",
                message_id: new_message_id(),
            };
            let mut w = XmlWriter::new();
            w.start(crate::xmlutil::SOAP12_ENV_NS, "Header");
            h.write(&mut w);
            w.end();
            let xml = w.finish();
            assert!(xml.contains(v.ns()), "{xml}");
            assert!(xml.contains(">urn:x:Echo<"), "{xml}");
            assert!(xml.contains(&format!(">{}<", h.message_id)), "{xml}");
            assert!(h.message_id.starts_with("urn:uuid:"), "{}", h.message_id);
            assert!(xml.contains(">http://127.0.0.1:1/svc<"), "{xml}");
            assert!(xml.contains(&format!(">{}<", v.anonymous())), "{xml}");
            assert_eq!(xml.matches("mustUnderstand=\"1\"").count(), 2, "{xml}");
        }
        assert!(check_relates_to("urn:uuid:1", None).is_none());
        assert!(check_relates_to("urn:uuid:1", Some(" urn:uuid:1 ")).is_none());
        let e = check_relates_to("urn:uuid:1", Some("urn:uuid:2")).expect("refused");
        assert!(e.contains("urn:uuid:2") && e.contains("urn:uuid:1"), "{e}");
        assert_ne!(
            new_message_id(),
            new_message_id(),
            "a fresh id for every call"
        );
    }
}
