//! The envelope as a small element tree, so the signer can add ids and header blocks and
//! canonicalize any element in its document's namespace context.
//!
//! ```text
//! envelope text ─parse─> Element tree ─(wsu:Id, Security, Signature added)─serialize─> text
//!                              └─ c14n::exclusive(element, namespaces of its ancestors)
//! ```
//!
//! Text and attribute values are kept decoded (references resolved, line ends and attribute
//! whitespace normalized as an XML 1.0 parser does), and [`serialize`] writes them back so
//! that a verifier's parser reads the same values: what is digested here is what it digests.
//! A DOCTYPE is refused: SOAP forbids it, and a DTD's default attributes would change what a
//! verifier canonicalizes.
//!
//! May import `xmlutil`.

use std::collections::BTreeMap;

use quick_xml::XmlVersion;
use quick_xml::events::Event;

/// One node of the tree; comments are kept so serializing loses nothing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Elem(Element),
    Text(String),
    Comment(String),
    Pi { target: String, content: String },
}

/// An element: its qualified name as written, its attributes (namespace declarations
/// included, in document order) and its children.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

/// A parsed document: the root element and whether an XML declaration preceded it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Document {
    pub declaration: bool,
    pub root: Element,
}

/// Why a text could not be read as a tree.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DomError {
    #[error("the envelope is not well-formed XML: {0}")]
    Malformed(String),
    #[error("the envelope has a DOCTYPE, which SOAP forbids")]
    Doctype,
    #[error("the envelope has no root element")]
    Empty,
    #[error("the envelope nests elements deeper than {MAX_DEPTH}")]
    TooDeep,
}

/// The deepest element nesting read into a tree: the tree and the canonicalizer recurse,
/// and no SOAP message needs more.
pub const MAX_DEPTH: usize = 256;

/// The part of a qualified name before `:` (`""` when there is none).
pub(crate) fn prefix_of(qname: &str) -> &str {
    qname.split_once(':').map_or("", |(p, _)| p)
}

/// The part of a qualified name after `:`.
pub(crate) fn local_of(qname: &str) -> &str {
    qname.split_once(':').map_or(qname, |(_, l)| l)
}

/// The namespace prefix an attribute declares (`Some("")` for `xmlns`), if it is one.
pub(crate) fn declared_prefix(attr: &str) -> Option<&str> {
    if attr == "xmlns" {
        Some("")
    } else {
        attr.strip_prefix("xmlns:")
    }
}

impl Element {
    pub(crate) fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// The value of the attribute written `qname`.
    #[cfg(test)]
    pub(crate) fn attr(&self, qname: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == qname)
            .map(|(_, v)| v.as_str())
    }

    /// Sets (or replaces) the attribute written `qname`.
    pub(crate) fn set_attr(&mut self, qname: &str, value: &str) {
        match self.attrs.iter_mut().find(|(n, _)| n == qname) {
            Some((_, v)) => *v = value.to_owned(),
            None => self.attrs.push((qname.to_owned(), value.to_owned())),
        }
    }

    /// Adds a child element and a text child, for building new blocks.
    pub(crate) fn with_child(mut self, child: Element) -> Self {
        self.children.push(Node::Elem(child));
        self
    }

    pub(crate) fn with_text(mut self, text: &str) -> Self {
        self.children.push(Node::Text(text.to_owned()));
        self
    }

    pub(crate) fn with_attr(mut self, qname: &str, value: &str) -> Self {
        self.set_attr(qname, value);
        self
    }

    /// The namespaces this element declares itself, by prefix (`""`: the default).
    pub(crate) fn declarations(&self) -> impl Iterator<Item = (&str, &str)> {
        self.attrs
            .iter()
            .filter_map(|(n, v)| declared_prefix(n).map(|p| (p, v.as_str())))
    }

    /// The indexes in `children` of the child elements.
    pub(crate) fn element_indexes(&self) -> impl Iterator<Item = usize> + '_ {
        self.children
            .iter()
            .enumerate()
            .filter_map(|(i, n)| matches!(n, Node::Elem(_)).then_some(i))
    }

    pub(crate) fn child(&self, i: usize) -> Option<&Element> {
        match self.children.get(i) {
            Some(Node::Elem(e)) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn child_mut(&mut self, i: usize) -> Option<&mut Element> {
        match self.children.get_mut(i) {
            Some(Node::Elem(e)) => Some(e),
            _ => None,
        }
    }

    /// The text of the element's text children.
    #[cfg(test)]
    pub(crate) fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// Namespaces in scope: prefix (`""` for the default) to URI (`""`: undeclared).
pub(crate) type Scope = BTreeMap<String, String>;

/// Adds an element's own declarations to the scope of its parent.
pub(crate) fn push_scope(scope: &mut Scope, el: &Element) {
    for (p, uri) in el.declarations() {
        scope.insert(p.to_owned(), uri.to_owned());
    }
}

/// The namespace URI of a qualified name in `scope` (elements: unprefixed names take the
/// default namespace; attributes: pass `attribute` so they take none).
pub(crate) fn resolve<'s>(scope: &'s Scope, qname: &str, attribute: bool) -> Option<&'s str> {
    let p = prefix_of(qname);
    if p.is_empty() && attribute {
        return Some("");
    }
    if p == "xml" {
        return Some(crate::xmlutil::XML_NS);
    }
    match scope.get(p) {
        Some(uri) => Some(uri.as_str()),
        None if p.is_empty() => Some(""),
        None => None,
    }
}

/// The element at `path` (child indexes from the root) and the scope of its ancestors.
pub(crate) fn locate<'d>(root: &'d Element, path: &[usize]) -> Option<(&'d Element, Scope)> {
    let mut scope = Scope::new();
    let mut el = root;
    for &i in path {
        push_scope(&mut scope, el);
        el = el.child(i)?;
    }
    Some((el, scope))
}

pub(crate) fn locate_mut<'d>(root: &'d mut Element, path: &[usize]) -> Option<&'d mut Element> {
    let mut el = root;
    for &i in path {
        el = el.child_mut(i)?;
    }
    Some(el)
}

fn malformed(e: impl std::fmt::Display) -> DomError {
    DomError::Malformed(e.to_string())
}

/// Parses a whole document into a tree.
pub(crate) fn parse(xml: &str) -> Result<Document, DomError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut declaration = false;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let ev = reader.read_event().map_err(malformed)?;
        match ev {
            Event::Decl(_) => declaration = true,
            Event::DocType(_) => return Err(DomError::Doctype),
            Event::Start(s) | Event::Empty(s) if root.is_some() => {
                let _ = s;
                return Err(DomError::Malformed("content after the root element".into()));
            }
            Event::Start(s) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(DomError::TooDeep);
                }
                stack.push(start(&s)?);
            }
            Event::Empty(s) => {
                let el = start(&s)?;
                close(&mut stack, &mut root, el);
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| DomError::Malformed("unbalanced end tag".into()))?;
                close(&mut stack, &mut root, el);
            }
            Event::Text(t) => {
                let text = t.xml10_content();
                push_text(&mut stack, &text)?;
            }
            Event::CData(c) => {
                let text = c.xml10_content();
                push_text(&mut stack, &text)?;
            }
            Event::GeneralRef(r) => {
                let text = match r.resolve_char_ref().map_err(malformed)? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.xml10_content();
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| malformed(format!("unknown entity `&{name};`")))?
                            .to_owned()
                    }
                };
                push_text(&mut stack, &text)?;
            }
            Event::Comment(c) => {
                if let Some(top) = stack.last_mut() {
                    top.children
                        .push(Node::Comment(c.xml10_content().into_owned()));
                }
            }
            Event::PI(p) => {
                if let Some(top) = stack.last_mut() {
                    top.children.push(Node::Pi {
                        target: p.target().to_owned(),
                        content: p.content().trim_start().to_owned(),
                    });
                }
            }
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(DomError::Malformed("unclosed element".into()));
    }
    Ok(Document {
        declaration,
        root: root.ok_or(DomError::Empty)?,
    })
}

fn start(s: &quick_xml::events::BytesStart<'_>) -> Result<Element, DomError> {
    let name = s.name().as_ref().to_owned();
    let mut attrs = Vec::new();
    for a in s.attributes() {
        let a = a.map_err(malformed)?;
        let key = a.key.as_ref().to_owned();
        let value = a
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(malformed)?;
        attrs.push((key, value.into_owned()));
    }
    Ok(Element {
        name,
        attrs,
        children: Vec::new(),
    })
}

fn close(stack: &mut [Element], root: &mut Option<Element>, el: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Elem(el)),
        None => *root = Some(el),
    }
}

/// Text between elements; outside the root only whitespace may appear.
fn push_text(stack: &mut [Element], text: &str) -> Result<(), DomError> {
    match stack.last_mut() {
        Some(top) => {
            if let Some(Node::Text(t)) = top.children.last_mut() {
                t.push_str(text);
            } else {
                top.children.push(Node::Text(text.to_owned()));
            }
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(DomError::Malformed("text outside the root element".into())),
    }
}

/// Escapes text content as Canonical XML does (also safe for serializing).
pub(crate) fn escape_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

/// Escapes an attribute value as Canonical XML does; the whitespace references keep a
/// parser from normalizing those characters to spaces.
pub(crate) fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

/// Writes the document back as text.
pub(crate) fn serialize(doc: &Document) -> String {
    let mut out = String::new();
    if doc.declaration {
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    }
    write_element(&doc.root, &mut out);
    out
}

fn write_element(el: &Element, out: &mut String) {
    out.push('<');
    out.push_str(&el.name);
    for (n, v) in &el.attrs {
        out.push(' ');
        out.push_str(n);
        out.push_str("=\"");
        escape_attr(v, out);
        out.push('"');
    }
    if el.children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for n in &el.children {
        match n {
            Node::Elem(e) => write_element(e, out),
            Node::Text(t) => escape_text(t, out),
            Node::Comment(c) => {
                out.push_str("<!--");
                out.push_str(c);
                out.push_str("-->");
            }
            Node::Pi { target, content } => write_pi(target, content, out),
        }
    }
    out.push_str("</");
    out.push_str(&el.name);
    out.push('>');
}

pub(crate) fn write_pi(target: &str, content: &str, out: &mut String) {
    out.push_str("<?");
    out.push_str(target);
    if !content.is_empty() {
        out.push(' ');
        out.push_str(content);
    }
    out.push_str("?>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_values_a_parser_would_normalize() {
        let xml = "<a x=\"1&#xA;2\tb\" y='&lt;&amp;'>t&#xD;&gt;<![CDATA[<c>]]><!--k--><?p d?></a>";
        let doc = parse(xml).expect("parses");
        assert_eq!(doc.root.attr("x"), Some("1\n2 b"));
        assert_eq!(doc.root.attr("y"), Some("<&"));
        assert_eq!(doc.root.text(), "t\r><c>");
        let again = parse(&serialize(&doc)).expect("reparses");
        assert_eq!(again, doc);
    }

    #[test]
    fn refuses_a_doctype() {
        assert_eq!(
            parse("<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>"),
            Err(DomError::Doctype)
        );
        let deep = format!(
            "{}{}",
            "<a>".repeat(MAX_DEPTH + 1),
            "</a>".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(parse(&deep), Err(DomError::TooDeep));
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn line_ends_are_normalized() {
        let doc = parse("<a>x\r\ny\rz</a>").expect("parses");
        assert_eq!(doc.root.text(), "x\ny\nz");
    }
}
