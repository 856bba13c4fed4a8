//! Finding and reading every document a contract reaches.
//!
//! ```text
//! entry WSDL ──wsdl:import──> WSDL or XSD ──xsd:import/include/redefine──> XSD ...
//!      └─ wsdl:types/xsd:schema (inline) ──xsd:import (namespace only)──> another inline schema
//! ```
//!
//! Locations are resolved relative to the document that names them. Well-known remote schemas
//! (SOAP envelope and encoding, xml.xsd, WS-Addressing, WS-Security, xmldsig...) come from the
//! copies bundled in the binary, so loading a local contract never touches the network. A
//! contract named by URL is fetched once, at start-up, with its relative imports. Each
//! document is read once, however many times it is imported, so cycles end.
//!
//! `sources.rs` says where documents are and reads them; this file walks the imports.
//!
//! May import `net`, `tls`, `xmlutil`.

mod sources;

use std::collections::{HashSet, VecDeque};

pub use sources::{Location, Sources};
use sources::{MAX_DOCUMENTS, bundled_by_namespace, bundled_by_url, is_native_namespace};

use super::WsdlError;
use super::dom::{self, Element};
use crate::xmlutil::{WSDL_NS, WSDL20_NS, XSD_NS};

/// The schema-document facts that decide how names in it are qualified.
#[derive(Clone, Debug)]
pub struct SchemaCtx {
    pub tns: String,
    pub element_qualified: bool,
    pub attribute_qualified: bool,
    /// A chameleon include: unqualified QName references take the includer's namespace.
    pub chameleon: bool,
    pub location: String,
}

/// One `xsd:schema`, from its own file or inline in a WSDL.
#[derive(Debug)]
pub struct SchemaDoc {
    pub root: Element,
    pub ctx: SchemaCtx,
    /// `xsd:redefine` overrides: this schema's components replace same-named ones.
    pub redefines: bool,
}

/// A WSDL 1.1 `definitions` document (its inline schemas moved to [`Loaded::schemas`]).
#[derive(Debug)]
pub struct WsdlDoc {
    pub root: Element,
    pub tns: String,
    pub location: String,
}

/// Every document of a contract's closure.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The entry first, then each `wsdl:import`ed definitions document.
    pub wsdls: Vec<WsdlDoc>,
    pub schemas: Vec<SchemaDoc>,
    pub warnings: Vec<String>,
    /// Number of distinct documents read.
    pub documents: usize,
}

struct Job {
    loc: Location,
    /// For an include: the includer's namespace (chameleon).
    chameleon: Option<String>,
    redefine: bool,
    referrer: Option<(String, u32, String)>,
}

/// Reads the entry document and everything it reaches.
pub fn load(entry: &Location, sources: &Sources) -> Result<Loaded, WsdlError> {
    let network = entry.is_remote();
    let mut out = Loaded::default();
    let mut seen: HashSet<(Location, Option<String>)> = HashSet::new();
    let mut inline_namespaces: HashSet<String> = HashSet::new();
    let mut queue: VecDeque<Job> = VecDeque::new();
    // Namespace-only imports are resolved after all documents with locations are read,
    // because another document may define the namespace.
    let mut pending_ns_imports: Vec<String> = Vec::new();
    queue.push_back(Job {
        loc: entry.clone(),
        chameleon: None,
        redefine: false,
        referrer: None,
    });
    loop {
        let Some(job) = queue.pop_front() else {
            // Namespace-only imports left: bundled schemas may satisfy them.
            let mut added = false;
            for ns in std::mem::take(&mut pending_ns_imports) {
                if inline_namespaces.contains(&ns) || is_native_namespace(&ns) {
                    continue;
                }
                if let Some(name) = bundled_by_namespace(&ns) {
                    queue.push_back(Job {
                        loc: Location::Bundled(name),
                        chameleon: None,
                        redefine: false,
                        referrer: None,
                    });
                    added = true;
                }
            }
            if added {
                continue;
            }
            break;
        };
        let key = (job.loc.clone(), job.chameleon.clone());
        if !seen.insert(key) {
            continue;
        }
        if seen.len() > MAX_DOCUMENTS {
            return Err(WsdlError::Load {
                location: entry.to_string(),
                message: format!("more than {MAX_DOCUMENTS} documents are imported"),
            });
        }
        let text = match sources.read(&job.loc, network) {
            Ok(t) => t,
            Err(reason) => {
                return Err(match &job.referrer {
                    None => WsdlError::Load {
                        location: job.loc.to_string(),
                        message: reason,
                    },
                    Some((file, line, what)) => WsdlError::Import {
                        file: file.clone(),
                        line: *line,
                        reference: what.clone(),
                        target: job.loc.to_string(),
                        reason,
                    },
                });
            }
        };
        out.documents += 1;
        let root = dom::parse(&text).map_err(|e| WsdlError::Xml {
            location: job.loc.to_string(),
            line: e.line,
            message: e.message,
        })?;
        let here = job.loc.to_string();
        if root.is(WSDL_NS, "definitions") {
            let mut root = root;
            let tns = root.attr("targetNamespace").unwrap_or("").to_owned();
            // wsdl:import
            for imp in root.children_named(WSDL_NS, "import") {
                let ns = imp.attr("namespace").unwrap_or("").to_owned();
                match imp.attr("location") {
                    Some(l) => enqueue(
                        &mut queue,
                        &mut out.warnings,
                        &job.loc,
                        l,
                        &ns,
                        network,
                        None,
                        false,
                        (&here, imp.line, "wsdl:import"),
                    ),
                    None => pending_ns_imports.push(ns),
                }
            }
            // wsdl:types: inline schemas
            let mut schemas = Vec::new();
            for types in root.children.iter_mut().filter(|c| c.is(WSDL_NS, "types")) {
                for schema in std::mem::take(&mut types.children) {
                    if schema.is(XSD_NS, "schema") {
                        schemas.push(schema);
                    }
                }
            }
            for schema in schemas {
                let ctx = schema_ctx(&schema, None, &here);
                inline_namespaces.insert(ctx.tns.clone());
                follow_schema_refs(
                    &schema,
                    &ctx,
                    &job.loc,
                    network,
                    &mut queue,
                    &mut pending_ns_imports,
                    &mut out.warnings,
                );
                out.schemas.push(SchemaDoc {
                    root: schema,
                    ctx,
                    redefines: false,
                });
            }
            out.wsdls.push(WsdlDoc {
                root,
                tns,
                location: here,
            });
        } else if root.is(XSD_NS, "schema") {
            let ctx = schema_ctx(&root, job.chameleon.as_deref(), &here);
            inline_namespaces.insert(ctx.tns.clone());
            follow_schema_refs(
                &root,
                &ctx,
                &job.loc,
                network,
                &mut queue,
                &mut pending_ns_imports,
                &mut out.warnings,
            );
            out.schemas.push(SchemaDoc {
                root,
                ctx,
                redefines: job.redefine,
            });
        } else if root.ns == WSDL20_NS {
            return Err(WsdlError::Load {
                location: here,
                message: "this is a WSDL 2.0 document; soapbridge reads WSDL 1.1 (convert it, or ask the backend for its WSDL 1.1 description)".into(),
            });
        } else {
            let what = if job.referrer.is_none() {
                "is not a WSDL 1.1 document"
            } else {
                "is neither a WSDL 1.1 document nor an XML Schema"
            };
            return Err(WsdlError::Load {
                location: here,
                message: format!(
                    "{what}: its root element is `{}`{}",
                    root.local,
                    if root.ns.is_empty() {
                        String::new()
                    } else {
                        format!(" in namespace {}", root.ns)
                    }
                ),
            });
        }
    }
    if out.wsdls.is_empty() {
        return Err(WsdlError::Load {
            location: entry.to_string(),
            message: "is an XML Schema, not a WSDL: give the WSDL that imports it".into(),
        });
    }
    Ok(out)
}

fn schema_ctx(schema: &Element, chameleon: Option<&str>, location: &str) -> SchemaCtx {
    let own = schema.attr("targetNamespace").map(str::to_owned);
    let (tns, is_chameleon) = match (own, chameleon) {
        (Some(t), _) => (t, false),
        (None, Some(c)) => (c.to_owned(), !c.is_empty()),
        (None, None) => (String::new(), false),
    };
    SchemaCtx {
        tns,
        element_qualified: schema.attr("elementFormDefault") == Some("qualified"),
        attribute_qualified: schema.attr("attributeFormDefault") == Some("qualified"),
        chameleon: is_chameleon,
        location: location.to_owned(),
    }
}

#[allow(clippy::too_many_arguments)]
fn follow_schema_refs(
    schema: &Element,
    ctx: &SchemaCtx,
    base: &Location,
    network: bool,
    queue: &mut VecDeque<Job>,
    pending: &mut Vec<String>,
    warnings: &mut Vec<String>,
) {
    for child in schema.children_in(XSD_NS) {
        let kind = child.local.as_str();
        match kind {
            "import" => {
                let ns = child.attr("namespace").unwrap_or("").to_owned();
                match child.attr("schemaLocation") {
                    Some(l) if !l.trim().is_empty() => enqueue(
                        queue,
                        warnings,
                        base,
                        l,
                        &ns,
                        network,
                        None,
                        false,
                        (&ctx.location, child.line, "xsd:import"),
                    ),
                    _ => pending.push(ns),
                }
            }
            "include" | "redefine" => {
                if let Some(l) = child.attr("schemaLocation") {
                    enqueue(
                        queue,
                        warnings,
                        base,
                        l,
                        &ctx.tns,
                        network,
                        Some(ctx.tns.clone()),
                        false,
                        (
                            &ctx.location,
                            child.line,
                            if kind == "include" {
                                "xsd:include"
                            } else {
                                "xsd:redefine"
                            },
                        ),
                    );
                }
            }
            _ => {}
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn enqueue(
    queue: &mut VecDeque<Job>,
    warnings: &mut Vec<String>,
    base: &Location,
    reference: &str,
    namespace: &str,
    network: bool,
    chameleon: Option<String>,
    redefine: bool,
    (file, line, what): (&str, u32, &str),
) {
    let target = base.join(reference);
    let target = match &target {
        Location::Url(url) => {
            // A well-known schema comes from the bundle, whatever the contract says.
            if let Some(name) = bundled_by_url(url.as_str()).or_else(|| {
                if namespace.is_empty() {
                    None
                } else {
                    bundled_by_namespace(namespace)
                }
            }) {
                Location::Bundled(name)
            } else if network {
                target
            } else {
                if is_native_namespace(namespace) {
                    return;
                }
                warnings.push(format!(
                    "{file}:{line}: {what} of {url} was not fetched (soapbridge does not go to the network for a local contract); types from namespace `{namespace}` are read as xsd:anyType"
                ));
                return;
            }
        }
        _ => {
            if is_native_namespace(namespace) && bundled_by_namespace(namespace).is_none() {
                // `<xsd:import namespace="...XMLSchema" schemaLocation="XMLSchema.xsd"/>`
                // adds nothing soapbridge does not know.
                return;
            }
            target
        }
    };
    queue.push_back(Job {
        loc: target,
        chameleon,
        redefine: redefine || what == "xsd:redefine",
        referrer: Some((file.to_owned(), line, format!("{what} of `{reference}`"))),
    });
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::sources::{BUNDLED, lexical_key};
    use super::*;

    #[test]
    fn memory_documents_are_found_through_relative_paths_from_anywhere() {
        let mut sources = Sources::default();
        sources.memory.insert("wsdl/x.wsdl".into(), "<x/>".into());
        let via = Location::File(PathBuf::from("mappings/../wsdl/./x.wsdl"));
        assert_eq!(sources.read(&via, false).as_deref(), Ok("<x/>"));
        assert_eq!(lexical_key(Path::new("../a/b/../c")), "../a/c");
        let missing = Location::File(PathBuf::from("mappings/../wsdl/y.wsdl"));
        assert!(sources.read(&missing, false).is_err());
    }

    #[test]
    fn joins_relative_paths_lexically() {
        let base = Location::File(PathBuf::from("/a/b/c.wsdl"));
        assert_eq!(
            base.join("../x/y.xsd"),
            Location::File(PathBuf::from("/a/x/y.xsd"))
        );
        assert_eq!(
            base.join("./z.xsd"),
            Location::File(PathBuf::from("/a/b/z.xsd"))
        );
        assert!(matches!(
            base.join("http://example.com/s.xsd"),
            Location::Url(_)
        ));
        // Leading `..` are kept, however many: `inspect ../../x/a.wsdl` finds its imports.
        let up = Location::File(PathBuf::from("../../x/AXLAPI.wsdl"));
        assert_eq!(
            up.join("AXLSoap.xsd"),
            Location::File(PathBuf::from("../../x/AXLSoap.xsd"))
        );
        assert_eq!(
            up.join("../../y/z.xsd"),
            Location::File(PathBuf::from("../../../y/z.xsd"))
        );
        assert_eq!(
            Location::File(PathBuf::from("/a.wsdl")).join("../../b.xsd"),
            Location::File(PathBuf::from("/b.xsd"))
        );
    }

    #[test]
    fn joins_urls() {
        let base = Location::parse("http://127.0.0.1:9/svc/a.wsdl?wsdl");
        assert_eq!(
            base.join("types.xsd").to_string(),
            "http://127.0.0.1:9/svc/types.xsd"
        );
    }

    #[test]
    fn well_known_schemas_are_found_by_url_and_namespace() {
        assert_eq!(
            bundled_by_url("http://schemas.xmlsoap.org/soap/encoding"),
            Some("soap-encoding-1.1.xsd")
        );
        assert_eq!(
            bundled_by_namespace("http://schemas.xmlsoap.org/ws/2004/08/addressing"),
            Some("ws-addressing-2004-08.xsd")
        );
        for b in BUNDLED {
            let root = dom::parse(b.3).expect("bundled schema parses");
            assert!(root.is(XSD_NS, "schema"), "{}", b.2);
            assert_eq!(root.attr("targetNamespace"), Some(b.0), "{}", b.2);
        }
    }
}
