//! The namespace declarations in scope while [`LiveSource`](super::LiveSource) reads: a
//! small stack of prefix bindings kept beside quick-xml's plain `Reader` (cheaper than
//! `NsReader`'s own resolver, whose rules it keeps).

use std::sync::Arc;

use quick_xml::name::{DEFAULT_MAX_NAMESPACE_BINDINGS, NamespaceError, PrefixDeclaration};

use crate::xmlutil::{XML_NS, XMLNS_NS};

/// The namespace declarations in scope, innermost last, with `NsReader`'s rules: `xml` and
/// `xmlns` are always bound and cannot be rebound, an empty URI undeclares (a prefix) or
/// unbinds (the default namespace), at most [`DEFAULT_MAX_NAMESPACE_BINDINGS`] at once.
#[derive(Default)]
pub(super) struct Scope<'i> {
    bindings: Vec<Binding<'i>>,
    /// The empty namespace (unprefixed names outside any default namespace).
    none: Option<Arc<str>>,
    /// One shared copy per namespace URI (a document uses a handful, on every element).
    interned: Vec<Arc<str>>,
}

struct Binding<'i> {
    /// `""` for the default namespace.
    prefix: &'i str,
    /// `""` when the declaration undeclares.
    uri: Arc<str>,
    /// The depth of the element that declares it.
    level: usize,
}

impl<'i> Scope<'i> {
    pub(super) fn add(
        &mut self,
        decl: PrefixDeclaration<'i>,
        uri: &str,
        level: usize,
    ) -> Result<(), NamespaceError> {
        let prefix = match decl {
            PrefixDeclaration::Default => "",
            PrefixDeclaration::Named("xml") if uri == XML_NS => return Ok(()),
            PrefixDeclaration::Named("xml") => {
                return Err(NamespaceError::InvalidXmlPrefixBind(uri.to_owned()));
            }
            PrefixDeclaration::Named("xmlns") => {
                return Err(NamespaceError::InvalidXmlnsPrefixBind(uri.to_owned()));
            }
            PrefixDeclaration::Named(p) if uri == XML_NS => {
                return Err(NamespaceError::InvalidPrefixForXml(p.to_owned()));
            }
            PrefixDeclaration::Named(p) if uri == XMLNS_NS => {
                return Err(NamespaceError::InvalidPrefixForXmlns(p.to_owned()));
            }
            // `xmlns:=""` declares the default namespace, as in `NsReader`.
            PrefixDeclaration::Named(p) => p,
        };
        if self.bindings.len() >= DEFAULT_MAX_NAMESPACE_BINDINGS {
            return Err(NamespaceError::TooManyBindings(
                DEFAULT_MAX_NAMESPACE_BINDINGS,
            ));
        }
        let uri = self.intern(uri);
        self.bindings.push(Binding { prefix, uri, level });
        Ok(())
    }

    /// Drops the declarations of elements deeper than `depth`.
    pub(super) fn close(&mut self, depth: usize) {
        while self.bindings.last().is_some_and(|b| b.level > depth) {
            self.bindings.pop();
        }
    }

    /// The namespace of a name with `prefix` (`use_default` for element names and
    /// `xsi:type` values); the prefix back when it is not declared.
    pub(super) fn resolve<'p>(
        &mut self,
        prefix: Option<&'p str>,
        use_default: bool,
    ) -> Result<Arc<str>, &'p str> {
        match prefix {
            None if !use_default => Ok(self.none()),
            None => match self.bindings.iter().rev().find(|b| b.prefix.is_empty()) {
                Some(b) => Ok(b.uri.clone()),
                None => Ok(self.none()),
            },
            // An empty prefix (`:name`) is never declared.
            Some("") => Err(""),
            Some(p) => match self.bindings.iter().rev().find(|b| same(b.prefix, p)) {
                Some(b) if !b.uri.is_empty() => Ok(b.uri.clone()),
                Some(_) => Err(p),
                None => match p {
                    "xml" => Ok(self.intern(XML_NS)),
                    "xmlns" => Ok(self.intern(XMLNS_NS)),
                    _ => Err(p),
                },
            },
        }
    }

    fn none(&mut self) -> Arc<str> {
        self.none.get_or_insert_with(|| Arc::from("")).clone()
    }

    pub(super) fn intern(&mut self, ns: &str) -> Arc<str> {
        if let Some(a) = self.interned.iter().find(|a| &***a == ns) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(ns);
        if self.interned.len() < 64 {
            self.interned.push(a.clone());
        }
        a
    }
}

/// `a == b` for short names, compared in line (a `memcmp` call costs more than a prefix).
#[inline]
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// `(prefix, local name)` of a qualified name, split at its first `:` as quick-xml does.
pub(super) fn split_qname(name: &str) -> (Option<&str>, &str) {
    // A byte search: `split_once(':')` goes through the generic char searcher, which cost
    // more than the rest of the name resolution.
    match name.bytes().position(|b| b == b':') {
        Some(at) => (name.get(..at), name.get(at + 1..).unwrap_or("")),
        None => (None, name),
    }
}
