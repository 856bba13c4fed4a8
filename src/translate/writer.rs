//! A small XML writer that owns namespace prefixes.
//!
//! Callers name elements and attributes by namespace URI; the writer picks prefixes
//! (`xsi`, `xsd`, `soapenc` for the well-known ones, `ns1`, `ns2`... for the rest), declares
//! each where it is first needed and reuses it below. Unqualified names get no prefix, and no
//! default namespace is ever declared, so they stay unqualified. Text and attribute values
//! are always escaped.
//!
//! May import `xmlutil` and the codecs' events.

use crate::xmlutil::{SOAP11_ENC_NS, XSD_NS, XSI_NS};

#[derive(Debug)]
pub struct XmlWriter {
    out: String,
    /// The namespaces and prefixes of the bindings in scope, end to end: one buffer for
    /// all of them instead of two strings allocated per declaration.
    names: String,
    /// The bindings in scope, innermost last.
    bindings: Vec<Binding>,
    /// For each open element: where its tag name is in `out` (its end tag copies it from
    /// there, so no name is allocated per element) and `bindings.len()` before it.
    open: Vec<(std::ops::Range<usize>, usize)>,
    /// A start tag is written up to its attributes and not yet closed with `>`.
    tag_open: bool,
    counter: u32,
}

/// A namespace binding, as places in [`XmlWriter::names`]: its namespace, then its prefix.
#[derive(Clone, Copy, Debug)]
struct Binding {
    ns_at: usize,
    prefix_at: usize,
    end: usize,
}

impl Binding {
    fn ns(self, names: &str) -> &str {
        &names[self.ns_at..self.prefix_at]
    }

    fn prefix(self, names: &str) -> &str {
        &names[self.prefix_at..self.end]
    }
}

/// The usual prefix of a well-known namespace.
fn well_known_prefix(ns: &str) -> Option<&'static str> {
    match ns {
        XSI_NS => Some("xsi"),
        XSD_NS => Some("xsd"),
        SOAP11_ENC_NS => Some("soapenc"),
        _ => None,
    }
}

impl Default for XmlWriter {
    /// Sized for a usual envelope, so writing one does not grow the buffers step by step.
    fn default() -> Self {
        Self {
            out: String::with_capacity(1024),
            names: String::with_capacity(128),
            bindings: Vec::with_capacity(8),
            open: Vec::with_capacity(8),
            tag_open: false,
            counter: 0,
        }
    }
}

/// Writes a tag's name, `prefix:local` or `local`, into `out`; returns where it lies there
/// (the end tag copies it from there, so no name is allocated per element).
fn write_name(out: &mut String, prefix: Option<&str>, local: &str) -> std::ops::Range<usize> {
    let from = out.len();
    if let Some(p) = prefix {
        out.push_str(p);
        out.push(':');
    }
    out.push_str(local);
    from..out.len()
}

impl XmlWriter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes the XML declaration.
    pub fn declaration(&mut self) {
        self.out
            .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    }

    fn close_tag(&mut self) {
        if self.tag_open {
            self.out.push('>');
            self.tag_open = false;
        }
    }

    /// The innermost binding of `ns` in scope, by its place.
    fn bound(&self, ns: &str) -> Option<usize> {
        self.bindings.iter().rposition(|b| b.ns(&self.names) == ns)
    }

    fn prefix_taken(&self, prefix: &str) -> bool {
        self.bindings
            .iter()
            .any(|b| b.prefix(&self.names) == prefix)
    }

    /// Binds `prefix`, or a prefix not in scope (the usual one of a well-known namespace,
    /// else `ns1`, `ns2`...), to `ns`; returns the binding's place. Nothing is written.
    fn bind(&mut self, ns: &str, prefix: Option<&str>) -> usize {
        use std::fmt::Write as _;
        let prefix = prefix.or_else(|| well_known_prefix(ns).filter(|p| !self.prefix_taken(p)));
        let ns_at = self.names.len();
        self.names.push_str(ns);
        let prefix_at = self.names.len();
        match prefix {
            Some(p) => self.names.push_str(p),
            None => loop {
                self.counter += 1;
                self.names.truncate(prefix_at);
                // Writing into a `String` cannot fail.
                let _ = write!(self.names, "ns{}", self.counter);
                if !self.prefix_taken(&self.names[prefix_at..]) {
                    break;
                }
            },
        }
        self.bindings.push(Binding {
            ns_at,
            prefix_at,
            end: self.names.len(),
        });
        self.bindings.len() - 1
    }

    /// Writes the declaration of binding `at` on the open start tag.
    fn write_declaration(&mut self, at: usize) {
        debug_assert!(self.tag_open, "declarations go on an open start tag");
        let b = self.bindings[at];
        self.out.push_str(" xmlns:");
        self.out.push_str(b.prefix(&self.names));
        self.out.push_str("=\"");
        escape_into(&mut self.out, b.ns(&self.names), true);
        self.out.push('"');
    }

    /// The prefix for `ns`, declared on the open start tag when not yet in scope.
    fn prefix(&mut self, ns: &str) -> String {
        // The `xml` prefix is bound by definition and must never be declared.
        if ns == crate::xmlutil::XML_NS {
            return "xml".to_owned();
        }
        let at = match self.bound(ns) {
            Some(at) => at,
            None => {
                let at = self.bind(ns, None);
                self.write_declaration(at);
                at
            }
        };
        self.bindings[at].prefix(&self.names).to_owned()
    }

    /// Declares `prefix` for `ns` on the open start tag.
    pub fn declare(&mut self, ns: &str, prefix: &str) {
        let at = self.bind(ns, Some(prefix));
        self.write_declaration(at);
    }

    /// Opens `<prefix:local` (attributes may follow).
    pub fn start(&mut self, ns: &str, local: &str) {
        self.close_tag();
        let mark = self.bindings.len();
        let (at, fresh) = match ns {
            "" => (None, false),
            _ => match self.bound(ns) {
                Some(at) => (Some(at), false),
                None => (Some(self.bind(ns, None)), true),
            },
        };
        self.out.push('<');
        let prefix = at.map(|at| self.bindings[at].prefix(&self.names));
        let name = write_name(&mut self.out, prefix, local);
        self.tag_open = true;
        if let (Some(at), true) = (at, fresh) {
            self.write_declaration(at);
        }
        self.open.push((name, mark));
    }

    /// Opens `<prefix:local` binding `prefix` to `ns` here (the envelope's `soapenv`).
    pub fn start_prefixed(&mut self, ns: &str, local: &str, prefix: &str) {
        self.close_tag();
        let mark = self.bindings.len();
        self.out.push('<');
        let name = write_name(&mut self.out, Some(prefix), local);
        self.tag_open = true;
        self.declare(ns, prefix);
        self.open.push((name, mark));
    }

    /// Opens an element read from a document, with its attributes (the control attributes
    /// the reader took apart, `xsi:type`, `xsi:nil` and `href`, written back).
    pub fn start_copy(&mut self, s: &super::events::Start<'_>) {
        self.start(&s.ns, &s.local);
        for a in &s.attrs {
            self.attr(&a.ns, &a.local, &a.value);
        }
        if let Some(t) = s.xsi_type() {
            self.attr_qname(XSI_NS, "type", &t.ns, &t.local, "");
        }
        if s.nil {
            self.attr(XSI_NS, "nil", "true");
        }
        if let Some(h) = s.href() {
            self.attr("", "href", &format!("#{h}"));
        }
    }

    /// Writes an attribute on the open start tag.
    pub fn attr(&mut self, ns: &str, local: &str, value: &str) {
        debug_assert!(self.tag_open, "attributes go on an open start tag");
        // The prefix first: a new one is declared on the tag before this attribute.
        let p = (!ns.is_empty()).then(|| self.prefix(ns));
        self.out.push(' ');
        if let Some(p) = p {
            self.out.push_str(&p);
            self.out.push(':');
        }
        self.out.push_str(local);
        self.out.push_str("=\"");
        escape_into(&mut self.out, value, true);
        self.out.push('"');
    }

    /// Writes an attribute whose value is a QName (`xsi:type="ns1:Order"`), declaring the
    /// value's prefix too. `suffix` is appended verbatim (`[3]` for `soapenc:arrayType`).
    pub fn attr_qname(
        &mut self,
        ns: &str,
        local: &str,
        value_ns: &str,
        value_local: &str,
        suffix: &str,
    ) {
        let value = if value_ns.is_empty() {
            format!("{value_local}{suffix}")
        } else {
            let p = self.prefix(value_ns);
            format!("{p}:{value_local}{suffix}")
        };
        self.attr(ns, local, &value);
    }

    pub fn text(&mut self, text: &str) {
        self.text_at(text);
    }

    /// [`XmlWriter::text`], returning where the (escaped) text went in the output.
    pub fn text_at(&mut self, text: &str) -> std::ops::Range<usize> {
        if text.is_empty() {
            return self.out.len()..self.out.len();
        }
        self.close_tag();
        let start = self.out.len();
        escape_into(&mut self.out, text, false);
        start..self.out.len()
    }

    /// Closes the innermost open element (`/>` when it has no content).
    pub fn end(&mut self) {
        let Some((name, mark)) = self.open.pop() else {
            return;
        };
        if self.tag_open {
            self.out.push_str("/>");
            self.tag_open = false;
        } else {
            self.out.push_str("</");
            self.out.extend_from_within(name);
            self.out.push('>');
        }
        if let Some(b) = self.bindings.get(mark) {
            self.names.truncate(b.ns_at);
            self.bindings.truncate(mark);
        }
    }

    /// Depth of open elements.
    pub fn depth(&self) -> usize {
        self.open.len()
    }

    pub fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.end();
        }
        self.out
    }

    pub fn as_str(&self) -> &str {
        &self.out
    }
}

/// Appends `s` with `<`, `>`, `&` and quotes as entity references, and CR as `&#13;` (a
/// reader turns a literal CR into LF). In attribute values (`attribute`), tab and LF are
/// written as `&#9;` and `&#10;` too, since a reader turns literal ones into spaces.
fn escape_into(out: &mut String, s: &str, attribute: bool) {
    let mut done = 0;
    for (i, b) in s.bytes().enumerate() {
        let reference = match b {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'&' => "&amp;",
            b'"' => "&quot;",
            b'\'' => "&apos;",
            b'\r' => "&#13;",
            b'\t' if attribute => "&#9;",
            b'\n' if attribute => "&#10;",
            _ => continue,
        };
        out.push_str(&s[done..i]);
        out.push_str(reference);
        done = i + 1;
    }
    out.push_str(&s[done..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declares_prefixes_once_and_scopes_them() {
        let mut w = XmlWriter::new();
        w.start("urn:a", "root");
        w.start("urn:a", "child");
        w.text("x < y & z");
        w.end();
        w.start("urn:b", "other");
        w.end();
        w.start("urn:b", "again");
        w.end();
        w.start("", "plain");
        w.attr(XSI_NS, "nil", "true");
        w.end();
        w.end();
        assert_eq!(
            w.finish(),
            "<ns1:root xmlns:ns1=\"urn:a\"><ns1:child>x &lt; y &amp; z</ns1:child>\
             <ns2:other xmlns:ns2=\"urn:b\"/><ns3:again xmlns:ns3=\"urn:b\"/>\
             <plain xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:nil=\"true\"/></ns1:root>"
        );
    }

    #[test]
    fn qname_values_declare_their_prefix() {
        let mut w = XmlWriter::new();
        w.start("", "order");
        w.attr_qname(XSI_NS, "type", "urn:t", "Order", "");
        w.end();
        let xml = w.finish();
        assert!(xml.contains("xsi:type=\"ns1:Order\""), "{xml}");
        assert!(xml.contains("xmlns:ns1=\"urn:t\""), "{xml}");
    }

    #[test]
    fn attribute_values_are_escaped() {
        let mut w = XmlWriter::new();
        w.start("", "a");
        w.attr("", "v", "\"<&>'");
        w.end();
        assert_eq!(w.finish(), "<a v=\"&quot;&lt;&amp;&gt;&apos;\"/>");
    }
}
