//! The namespace declarations in scope while [`LiveSource`](super::LiveSource) reads: a
//! small stack of prefix bindings kept beside quick-xml's plain `Reader` (cheaper than
//! `NsReader`'s own resolver, whose rules it keeps).

use std::borrow::Cow;
use std::sync::Arc;

use quick_xml::name::{DEFAULT_MAX_NAMESPACE_BINDINGS, NamespaceError, PrefixDeclaration};

use super::Ns;
use crate::xmlutil::{XML_NS, XMLNS_NS, same_name};

/// The namespace declarations in scope, innermost last, with `NsReader`'s rules: `xml` and
/// `xmlns` are always bound and cannot be rebound, an empty URI undeclares (a prefix) or
/// unbinds (the default namespace), at most [`DEFAULT_MAX_NAMESPACE_BINDINGS`] at once.
#[derive(Default)]
pub(super) struct Scope<'i> {
    bindings: Vec<Binding<'i>>,
}

struct Binding<'i> {
    /// `""` for the default namespace.
    prefix: &'i str,
    /// `""` when the declaration undeclares. Borrowed from the document unless the
    /// declaration's value had to be rewritten.
    uri: Ns<'i>,
    /// The depth of the element that declares it.
    level: usize,
}

impl<'i> Scope<'i> {
    pub(super) fn add(
        &mut self,
        decl: PrefixDeclaration<'i>,
        uri: Cow<'i, str>,
        level: usize,
    ) -> Result<(), NamespaceError> {
        let uri = match uri {
            Cow::Borrowed(u) => Ns::Borrowed(u),
            Cow::Owned(u) => Ns::Shared(Arc::from(u)),
        };
        let prefix = match decl {
            PrefixDeclaration::Default => "",
            PrefixDeclaration::Named("xml") if &*uri == XML_NS => return Ok(()),
            PrefixDeclaration::Named("xml") => {
                return Err(NamespaceError::InvalidXmlPrefixBind(uri.to_string()));
            }
            PrefixDeclaration::Named("xmlns") => {
                return Err(NamespaceError::InvalidXmlnsPrefixBind(uri.to_string()));
            }
            PrefixDeclaration::Named(p) if &*uri == XML_NS => {
                return Err(NamespaceError::InvalidPrefixForXml(p.to_owned()));
            }
            PrefixDeclaration::Named(p) if &*uri == XMLNS_NS => {
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
    /// `xsi:type` values); the prefix back when it is not declared. The usual name, whose
    /// prefix is the innermost declaration's, is answered in line.
    #[inline(always)]
    pub(super) fn resolve<'p>(
        &self,
        prefix: Option<&'p str>,
        use_default: bool,
    ) -> Result<Ns<'i>, &'p str> {
        if let Some(p) = prefix
            && let Some(b) = self.bindings.last()
            && same_name(b.prefix, p)
            && !p.is_empty()
            && !b.uri.is_empty()
        {
            return Ok(b.uri.clone());
        }
        self.resolve_any(prefix, use_default)
    }

    #[inline(never)]
    fn resolve_any<'p>(
        &self,
        prefix: Option<&'p str>,
        use_default: bool,
    ) -> Result<Ns<'i>, &'p str> {
        const NONE: Ns<'static> = Ns::Borrowed("");
        match prefix {
            None if !use_default => Ok(NONE),
            None => match self.bindings.iter().rev().find(|b| b.prefix.is_empty()) {
                Some(b) => Ok(b.uri.clone()),
                None => Ok(NONE),
            },
            // An empty prefix (`:name`) is never declared.
            Some("") => Err(""),
            Some(p) => match self.bindings.iter().rev().find(|b| same_name(b.prefix, p)) {
                Some(b) if !b.uri.is_empty() => Ok(b.uri.clone()),
                Some(_) => Err(p),
                None => match p {
                    "xml" => Ok(Ns::Borrowed(XML_NS)),
                    "xmlns" => Ok(Ns::Borrowed(XMLNS_NS)),
                    _ => Err(p),
                },
            },
        }
    }
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
