//! A small, namespace-resolved element tree for WSDL and XSD documents.
//!
//! Contracts are read once, at start-up, so a tree is the simplest honest tool here; the
//! request path never builds one. Each element remembers its line and the prefixes in scope,
//! because XSD names types with QName-valued attributes (`type="tns:Customer"`) that can only
//! be resolved against the declarations in force where they appear.
//!
//! May import `xmlutil`.

use std::sync::Arc;

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::xmlutil::{self, XML_NS};

/// Prefix bindings in scope at an element: `(prefix, namespace)`, the default namespace with
/// an empty prefix. Later entries shadow earlier ones.
pub type Scope = Arc<Vec<(String, String)>>;

/// An attribute with its namespace resolved (empty namespace for unprefixed attributes).
#[derive(Debug, Clone)]
pub struct Attr {
    pub ns: String,
    pub local: String,
    pub value: String,
}

/// An element of a parsed contract document.
#[derive(Debug, Clone)]
pub struct Element {
    pub ns: String,
    pub local: String,
    pub attrs: Vec<Attr>,
    pub children: Vec<Element>,
    /// Concatenated character data directly inside this element.
    pub text: String,
    pub scope: Scope,
    pub line: u32,
}

/// Why a document could not be read as XML.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: u32,
    pub message: String,
}

impl Element {
    /// The value of an unqualified attribute.
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_empty() && a.local == local)
            .map(|a| a.value.as_str())
    }

    /// The value of a namespace-qualified attribute.
    pub fn attr_ns(&self, ns: &str, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns == ns && a.local == local)
            .map(|a| a.value.as_str())
    }

    /// Whether this element is `{ns}local`.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local == local
    }

    /// Element children in namespace `ns`.
    pub fn children_in<'a>(&'a self, ns: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.ns == ns)
    }

    /// Element children named `{ns}local`.
    pub fn children_named<'a>(
        &'a self,
        ns: &'a str,
        local: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.is(ns, local))
    }

    /// The first child named `{ns}local`.
    pub fn child(&self, ns: &str, local: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, local))
    }

    /// The namespace bound to `prefix` here (`""` for the default namespace).
    pub fn namespace_of(&self, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some(XML_NS);
        }
        self.scope
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map(|(_, ns)| ns.as_str())
    }

    /// Resolves a QName-valued attribute value (`tns:Customer`) to `(namespace, local)`.
    /// An unprefixed name takes the default namespace, or no namespace when none is declared.
    pub fn resolve_qname(&self, value: &str) -> Option<(String, String)> {
        let value = value.trim();
        match value.split_once(':') {
            Some((prefix, local)) => self
                .namespace_of(prefix)
                .map(|ns| (ns.to_owned(), local.to_owned())),
            None => Some((
                self.namespace_of("").unwrap_or("").to_owned(),
                value.to_owned(),
            )),
        }
    }
}

/// Parses a document into its root element.
pub fn parse(text: &str) -> Result<Element, ParseError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let root_scope: Scope = Arc::new(Vec::new());
    let mut root: Option<Element> = None;
    let mut lines = LineCounter::default();
    loop {
        let pos = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let line = lines.line_at(text, pos);
        let event = reader.read_event().map_err(|e| ParseError {
            line: xmlutil::line_of(text, usize::try_from(reader.error_position()).unwrap_or(0)),
            message: e.to_string(),
        })?;
        match event {
            Event::Start(start) => {
                let scope = stack.last().map_or(&root_scope, |e| &e.scope).clone();
                let el = open(&start, scope, line)?;
                stack.push(el);
            }
            Event::Empty(start) => {
                let scope = stack.last().map_or(&root_scope, |e| &e.scope).clone();
                let el = open(&start, scope, line)?;
                close(el, &mut stack, &mut root);
            }
            Event::End(_) => {
                if let Some(el) = stack.pop() {
                    close(el, &mut stack, &mut root);
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let ch = xmlutil::resolve_entity(&r).ok_or_else(|| ParseError {
                    line,
                    message: format!("unknown entity reference `&{};`", &*r),
                })?;
                if let Some(top) = stack.last_mut() {
                    top.text.push(ch);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(ParseError {
            line: xmlutil::line_of(text, text.len()),
            message: "the document ends inside an element".into(),
        });
    }
    root.ok_or_else(|| ParseError {
        line: 1,
        message: "the document has no root element".into(),
    })
}

/// Line numbers of increasing offsets, without rescanning the text from the start.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: u32,
}

impl LineCounter {
    fn line_at(&mut self, text: &str, offset: usize) -> u32 {
        let offset = offset.min(text.len());
        if offset < self.offset {
            return xmlutil::line_of(text, offset);
        }
        let newlines = memchr::memchr_iter(b'\n', &text.as_bytes()[self.offset..offset]).count();
        self.line = self
            .line
            .saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
        self.offset = offset;
        self.line + 1
    }
}

fn close(el: Element, stack: &mut [Element], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => {
            if root.is_none() {
                *root = Some(el);
            }
        }
    }
}

fn open(start: &BytesStart<'_>, parent_scope: Scope, line: u32) -> Result<Element, ParseError> {
    let err = |message: String| ParseError { line, message };
    let mut raw_attrs = Vec::new();
    let mut declared: Vec<(String, String)> = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| err(e.to_string()))?;
        let key = attr.key.0.to_owned();
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| err(e.to_string()))?
            .into_owned();
        if key == "xmlns" {
            declared.push((String::new(), value));
        } else if let Some(prefix) = key.strip_prefix("xmlns:") {
            declared.push((prefix.to_owned(), value));
        } else {
            raw_attrs.push((key, value));
        }
    }
    let scope = if declared.is_empty() {
        parent_scope
    } else {
        let mut s = (*parent_scope).clone();
        s.extend(declared);
        Arc::new(s)
    };
    let lookup = |prefix: &str| -> Option<String> {
        if prefix == "xml" {
            return Some(XML_NS.to_owned());
        }
        scope
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map(|(_, ns)| ns.clone())
    };
    let name = start.name();
    let qname: &str = name.0;
    let (ns, local) = match qname.split_once(':') {
        Some((prefix, local)) => (
            lookup(prefix).ok_or_else(|| err(format!("undeclared prefix `{prefix}`")))?,
            local.to_owned(),
        ),
        None => (lookup("").unwrap_or_default(), qname.to_owned()),
    };
    let mut attrs = Vec::with_capacity(raw_attrs.len());
    for (key, value) in raw_attrs {
        let (ns, local) = match key.split_once(':') {
            Some((prefix, local)) => (
                lookup(prefix).ok_or_else(|| err(format!("undeclared prefix `{prefix}`")))?,
                local.to_owned(),
            ),
            None => (String::new(), key),
        };
        attrs.push(Attr { ns, local, value });
    }
    Ok(Element {
        ns,
        local,
        attrs,
        children: Vec::new(),
        text: String::new(),
        scope,
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_element_and_attribute_namespaces() {
        let root = parse(
            r#"<w:definitions xmlns:w="urn:w" xmlns:t="urn:t" xmlns="urn:d">
                 <part t:kind="x" type="t:Foo"/>
                 <inner xmlns="urn:other"><deep/></inner>
               </w:definitions>"#,
        )
        .expect("parse");
        assert!(root.is("urn:w", "definitions"));
        let part = &root.children[0];
        assert!(part.is("urn:d", "part"));
        assert_eq!(part.attr_ns("urn:t", "kind"), Some("x"));
        assert_eq!(
            part.resolve_qname("t:Foo"),
            Some(("urn:t".into(), "Foo".into()))
        );
        assert_eq!(part.line, 2);
        assert!(root.children[1].children[0].is("urn:other", "deep"));
    }

    #[test]
    fn unprefixed_qname_uses_default_namespace_or_none() {
        let root = parse(r#"<a xmlns="urn:d"><b/></a>"#).expect("parse");
        assert_eq!(
            root.resolve_qname("Foo"),
            Some(("urn:d".into(), "Foo".into()))
        );
        let root = parse("<a/>").expect("parse");
        assert_eq!(
            root.resolve_qname("Foo"),
            Some((String::new(), "Foo".into()))
        );
    }

    #[test]
    fn undeclared_prefix_is_an_error_with_line() {
        let err = parse("<a>\n<x:b/></a>").expect_err("undeclared");
        assert_eq!(err.line, 2);
        assert!(err.message.contains("undeclared prefix `x`"));
    }

    #[test]
    fn text_with_entities_is_joined() {
        let root = parse("<a>x &amp; y &#x41;</a>").expect("parse");
        assert_eq!(root.text, "x & y A");
    }

    #[test]
    fn mismatched_end_tag_is_an_error() {
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("not xml at all").is_err());
        assert!(parse("").is_err());
    }
}
