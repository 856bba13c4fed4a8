//! Exclusive XML Canonicalization 1.0 without comments
//! (<http://www.w3.org/2001/10/xml-exc-c14n#>, RFC 3741) of one element's subtree, with the
//! `InclusiveNamespaces PrefixList`.
//!
//! ```text
//! element + namespaces in scope above it ─exclusive─> canonical text (UTF-8) ─> digest
//!   per element: namespaces visibly used (its prefix, its attributes' prefixes) and the
//!   PrefixList's, unless an output ancestor already declared them the same; declarations
//!   sorted by prefix, attributes by (namespace URI, local name); empty elements as pairs
//! ```
//!
//! Written here rather than taken from a crate: the pure-Rust candidates (`xml-sec`,
//! `xml-canonical`, `bergshamra`) each bring a second XML parser and tree (roxmltree,
//! their own) and, for the last two, a second crypto stack, for the one subtree case a
//! signer needs; `xml_c14n` binds libxml2 (C). This works on the tree of [`super::dom`],
//! parsed with quick-xml, which the crate already uses, and is checked against published
//! vectors (tests/fixtures/wssig/c14n/) and by `xmlsec1` verifying what we sign.
//!
//! May import nothing from soapbridge but its sibling `dom`.

use super::dom::{self, Element, Node, Scope};

/// The canonical form of `el`, whose ancestors declare `above`. `inclusive` is the
/// PrefixList (`#default` names the default namespace).
pub(crate) fn exclusive(el: &Element, above: &Scope, inclusive: &[String]) -> String {
    let inclusive: Vec<&str> = inclusive
        .iter()
        .map(|p| if p == "#default" { "" } else { p.as_str() })
        .collect();
    let mut out = String::new();
    render(el, above, &Scope::new(), &inclusive, &mut out);
    out
}

fn render(
    el: &Element,
    parent_scope: &Scope,
    rendered: &Scope,
    inclusive: &[&str],
    out: &mut String,
) {
    let mut scope = parent_scope.clone();
    dom::push_scope(&mut scope, el);

    // Namespaces this element must show: the ones it visibly uses, then the PrefixList's.
    let mut wanted: Vec<&str> = vec![dom::prefix_of(&el.name)];
    for (n, _) in &el.attrs {
        let p = dom::prefix_of(n);
        if dom::declared_prefix(n).is_none() && !p.is_empty() {
            wanted.push(p);
        }
    }
    wanted.extend(inclusive.iter().copied());
    wanted.sort_unstable();
    wanted.dedup();

    let mut now_rendered = rendered.clone();
    let mut decls: Vec<(&str, &str)> = Vec::new();
    for p in wanted {
        if p == "xml" {
            continue;
        }
        let uri = scope.get(p).map_or("", String::as_str);
        if !p.is_empty() && uri.is_empty() {
            // Not in scope (only a PrefixList entry can be): nothing to show.
            continue;
        }
        let before = rendered.get(p).map_or("", String::as_str);
        // An undeclared default is shown (`xmlns=""`) only to undo an output ancestor's.
        if before != uri || (!p.is_empty() && !rendered.contains_key(p)) {
            decls.push((p, uri));
            now_rendered.insert(p.to_owned(), uri.to_owned());
        }
    }

    let mut attrs: Vec<(&str, &str, &str, &str)> = el
        .attrs
        .iter()
        .filter(|(n, _)| dom::declared_prefix(n).is_none())
        .map(|(n, v)| {
            let uri = dom::resolve(&scope, n, true).unwrap_or("");
            (uri, dom::local_of(n), n.as_str(), v.as_str())
        })
        .collect();
    attrs.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));

    out.push('<');
    out.push_str(&el.name);
    for (p, uri) in decls {
        if p.is_empty() {
            out.push_str(" xmlns=\"");
        } else {
            out.push_str(" xmlns:");
            out.push_str(p);
            out.push_str("=\"");
        }
        dom::escape_attr(uri, out);
        out.push('"');
    }
    for (_, _, qname, value) in attrs {
        out.push(' ');
        out.push_str(qname);
        out.push_str("=\"");
        dom::escape_attr(value, out);
        out.push('"');
    }
    out.push('>');
    for n in &el.children {
        match n {
            Node::Elem(child) => render(child, &scope, &now_rendered, inclusive, out),
            Node::Text(t) => dom::escape_text(t, out),
            Node::Comment(_) => {}
            Node::Pi { target, content } => dom::write_pi(target, content, out),
        }
    }
    out.push_str("</");
    out.push_str(&el.name);
    out.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/wssig/c14n")
            .join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Canonicalizes the first element named `name` (a qualified name as written) of a
    /// fixture, as the vectors' XPath `ancestor-or-self::name` selects it.
    fn vector(input: &str, name: &str, prefixes: &[&str]) -> String {
        let doc = dom::parse(&fixture(input)).expect("the vector parses");
        fn find(el: &Element, name: &str, path: &mut Vec<usize>) -> bool {
            if el.name == name {
                return true;
            }
            for i in el.element_indexes().collect::<Vec<_>>() {
                path.push(i);
                if find(el.child(i).expect("an element"), name, path) {
                    return true;
                }
                path.pop();
            }
            false
        }
        let mut path = Vec::new();
        assert!(find(&doc.root, name, &mut path), "{name} is in {input}");
        let (el, above) = dom::locate(&doc.root, &path).expect("found");
        let prefixes: Vec<String> = prefixes.iter().map(|p| (*p).to_owned()).collect();
        exclusive(el, &above, &prefixes)
    }

    #[test]
    fn libxml2_test_2_signed_info() {
        assert_eq!(
            vector("test-2.xml", "SignedInfo", &[]),
            fixture("test-2.out")
        );
    }

    #[test]
    fn merlin_two_09_drops_unused_ancestor_namespaces() {
        assert_eq!(
            vector("merlin-c14n-two-09.xml", "bar:Something", &[]),
            fixture("merlin-c14n-two-09.out")
        );
    }

    #[test]
    fn merlin_two_18_keeps_the_default_namespace_on_request() {
        let list = fixture("merlin-c14n-two-18.ns");
        let prefixes: Vec<&str> = list.split_whitespace().collect();
        assert_eq!(prefixes, ["#default"]);
        assert_eq!(
            vector("merlin-c14n-two-18.xml", "bar:Something", &prefixes),
            fixture("merlin-c14n-two-18.out")
        );
    }

    /// RFC 3741 section 2.2: the same element in two different envelopes canonicalizes the
    /// same, without the ancestors' namespaces and `xml:` attributes.
    #[test]
    fn rfc3741_example_is_independent_of_its_envelope() {
        let first = "<n0:local xmlns:n0=\"foo:bar\" xmlns:n3=\"ftp://example.org\">\n  <n1:elem2 xmlns:n1=\"http://example.net\" xml:lang=\"en\">\n    <n3:stuff xmlns:n3=\"ftp://example.org\"/>\n  </n1:elem2>\n</n0:local>";
        let second = "<n2:pdu xmlns:n1=\"http://example.com\" xmlns:n2=\"http://foo.example\" xml:lang=\"fr\" xml:space=\"retain\">\n  <n1:elem2 xmlns:n1=\"http://example.net\" xml:lang=\"en\">\n    <n3:stuff xmlns:n3=\"ftp://example.org\"/>\n  </n1:elem2>\n</n2:pdu>";
        let expected = "<n1:elem2 xmlns:n1=\"http://example.net\" xml:lang=\"en\">\n    <n3:stuff xmlns:n3=\"ftp://example.org\"></n3:stuff>\n  </n1:elem2>";
        for doc in [first, second] {
            let doc = dom::parse(doc).expect("parses");
            let i = doc.root.element_indexes().next().expect("elem2");
            let (el, above) = dom::locate(&doc.root, &[i]).expect("found");
            assert_eq!(exclusive(el, &above, &[]), expected);
        }
    }

    #[test]
    fn an_undeclared_default_is_shown_only_under_a_declared_one() {
        let doc = dom::parse("<a xmlns=\"urn:x\"><b xmlns=\"\"><c/></b></a>").expect("parses");
        assert_eq!(
            exclusive(&doc.root, &Scope::new(), &[]),
            "<a xmlns=\"urn:x\"><b xmlns=\"\"><c></c></b></a>"
        );
        let (b, above) = dom::locate(&doc.root, &[0]).expect("b");
        assert_eq!(exclusive(b, &above, &[]), "<b><c></c></b>");
    }

    #[test]
    fn prefix_list_brings_in_an_unused_namespace_once() {
        let doc = dom::parse(
            "<e:a xmlns:e=\"urn:e\" xmlns:q=\"urn:q\" z=\"1\" e:y=\"&#x9;&quot;\"><e:b>x &amp; y</e:b></e:a>",
        )
        .expect("parses");
        assert_eq!(
            exclusive(&doc.root, &Scope::new(), &["q".to_owned()]),
            "<e:a xmlns:e=\"urn:e\" xmlns:q=\"urn:q\" z=\"1\" e:y=\"&#x9;&quot;\"><e:b>x &amp; y</e:b></e:a>"
        );
    }
}
