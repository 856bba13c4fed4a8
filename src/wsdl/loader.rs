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
//! May import `net`, `tls`, `xmlutil`.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use super::WsdlError;
use super::dom::{self, Element};
use crate::xmlutil::{self, WSDL_NS, WSDL20_NS, XSD_NS};

/// Where a document comes from.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Location {
    File(PathBuf),
    Url(url::Url),
    /// A schema compiled into the binary (see `bundled/README.md`).
    Bundled(&'static str),
    /// A document held in memory under a virtual path (the embedded demo).
    Memory(String),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(p) => write!(f, "{}", p.display()),
            Location::Url(u) => write!(f, "{u}"),
            Location::Bundled(name) => write!(f, "(bundled) {name}"),
            Location::Memory(name) => write!(f, "{name}"),
        }
    }
}

impl Location {
    /// Parses a location given by a user: a URL (http, https, file) or a path.
    pub fn parse(text: &str) -> Location {
        if let Ok(url) = url::Url::parse(text) {
            match url.scheme() {
                "http" | "https" => return Location::Url(url),
                "file" => {
                    if let Ok(path) = url.to_file_path() {
                        return Location::File(path);
                    }
                }
                _ => {}
            }
        }
        Location::File(PathBuf::from(text))
    }

    /// Resolves `reference` relative to this document.
    pub fn join(&self, reference: &str) -> Location {
        let reference = reference.trim();
        if let Ok(url) = url::Url::parse(reference) {
            match url.scheme() {
                "http" | "https" => return Location::Url(url),
                "file" => {
                    if let Ok(path) = url.to_file_path() {
                        return Location::File(path);
                    }
                }
                _ => {}
            }
        }
        match self {
            Location::File(base) => {
                let dir = base.parent().unwrap_or(Path::new(""));
                Location::File(normalize(&dir.join(reference)))
            }
            Location::Url(base) => match base.join(reference) {
                Ok(url) => Location::Url(url),
                Err(_) => Location::Memory(reference.to_owned()),
            },
            Location::Memory(base) => {
                let dir = Path::new(base).parent().unwrap_or(Path::new(""));
                Location::Memory(
                    normalize(&dir.join(reference))
                        .to_string_lossy()
                        .into_owned(),
                )
            }
            Location::Bundled(_) => Location::Memory(reference.to_owned()),
        }
    }

    fn is_remote(&self) -> bool {
        matches!(self, Location::Url(_))
    }
}

/// Lexically removes `.` and `..` (the file may not exist yet: errors name it as written).
/// `a/./b/../c` → `a/c`, lexically; leading `..` are kept (`../../x` stays so) and `/..`
/// is `/`.
fn normalize(path: &Path) -> PathBuf {
    let mut parts: Vec<Component<'_>> = Vec::new();
    for comp in path.components() {
        match comp {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => parts.push(comp),
            },
            other => parts.push(other),
        }
    }
    parts.iter().collect()
}

/// Bundled schemas: (namespace, usual URLs, file name, text).
const BUNDLED: &[(&str, &[&str], &str, &str)] = &[
    (
        xmlutil::SOAP11_ENC_NS,
        &["http://schemas.xmlsoap.org/soap/encoding/"],
        "soap-encoding-1.1.xsd",
        include_str!("bundled/soap-encoding-1.1.xsd"),
    ),
    (
        xmlutil::SOAP11_ENV_NS,
        &["http://schemas.xmlsoap.org/soap/envelope/"],
        "soap-envelope-1.1.xsd",
        include_str!("bundled/soap-envelope-1.1.xsd"),
    ),
    (
        xmlutil::SOAP12_ENV_NS,
        &["http://www.w3.org/2003/05/soap-envelope"],
        "soap-envelope-1.2.xsd",
        include_str!("bundled/soap-envelope-1.2.xsd"),
    ),
    (
        xmlutil::SOAP12_ENC_NS,
        &["http://www.w3.org/2003/05/soap-encoding"],
        "soap-encoding-1.2.xsd",
        include_str!("bundled/soap-encoding-1.2.xsd"),
    ),
    (
        WSDL_NS,
        &["http://schemas.xmlsoap.org/wsdl/"],
        "wsdl-1.1.xsd",
        include_str!("bundled/wsdl-1.1.xsd"),
    ),
    (
        xmlutil::XML_NS,
        &[
            "http://www.w3.org/2001/xml.xsd",
            "http://www.w3.org/2009/01/xml.xsd",
        ],
        "xml.xsd",
        include_str!("bundled/xml.xsd"),
    ),
    (
        "http://www.w3.org/2000/09/xmldsig#",
        &[
            "http://www.w3.org/TR/xmldsig-core/xmldsig-core-schema.xsd",
            "http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/xmldsig-core-schema.xsd",
        ],
        "xmldsig-core-schema.xsd",
        include_str!("bundled/xmldsig-core-schema.xsd"),
    ),
    (
        "http://www.w3.org/2001/04/xmlenc#",
        &["http://www.w3.org/TR/xmlenc-core/xenc-schema.xsd"],
        "xenc-schema.xsd",
        include_str!("bundled/xenc-schema.xsd"),
    ),
    (
        "http://schemas.xmlsoap.org/ws/2004/08/addressing",
        &["http://schemas.xmlsoap.org/ws/2004/08/addressing"],
        "ws-addressing-2004-08.xsd",
        include_str!("bundled/ws-addressing-2004-08.xsd"),
    ),
    (
        "http://www.w3.org/2005/08/addressing",
        &[
            "http://www.w3.org/2006/03/addressing/ws-addr.xsd",
            "http://www.w3.org/2005/08/addressing/ws-addr.xsd",
        ],
        "ws-addressing-2005-08.xsd",
        include_str!("bundled/ws-addressing-2005-08.xsd"),
    ),
    (
        "http://www.w3.org/2005/05/xmlmime",
        &["http://www.w3.org/2005/05/xmlmime"],
        "xmlmime.xsd",
        include_str!("bundled/xmlmime.xsd"),
    ),
    (
        "http://www.w3.org/2004/08/xop/include",
        &["http://www.w3.org/2004/08/xop/include"],
        "xop-include.xsd",
        include_str!("bundled/xop-include.xsd"),
    ),
    (
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
        &["http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"],
        "wss-secext-1.0.xsd",
        include_str!("bundled/wss-secext-1.0.xsd"),
    ),
    (
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
        &["http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"],
        "wss-utility-1.0.xsd",
        include_str!("bundled/wss-utility-1.0.xsd"),
    ),
];

fn bundled_by_namespace(ns: &str) -> Option<&'static str> {
    BUNDLED.iter().find(|b| b.0 == ns).map(|b| b.2)
}

fn bundled_by_url(url: &str) -> Option<&'static str> {
    let trimmed = url.trim_end_matches('/');
    BUNDLED
        .iter()
        .find(|b| b.1.iter().any(|u| u.trim_end_matches('/') == trimmed))
        .map(|b| b.2)
}

fn bundled_text(name: &str) -> Option<&'static str> {
    BUNDLED.iter().find(|b| b.2 == name).map(|b| b.3)
}

/// Namespaces soapbridge understands natively: importing them needs no document.
fn is_native_namespace(ns: &str) -> bool {
    ns == XSD_NS || ns == xmlutil::XSI_NS
}

/// How documents are read.
#[derive(Clone, Debug)]
pub struct Sources {
    /// Virtual files (path → text), consulted before the file system.
    pub memory: HashMap<String, Cow<'static, str>>,
    /// Timeout for fetching a contract named by URL.
    pub fetch_timeout: Duration,
    /// Only `memory` and the bundled schemas are read: a contract that arrives as bytes
    /// (a fuzz input, say) must not make the loader open files it happens to name.
    pub memory_only: bool,
}

impl Default for Sources {
    fn default() -> Self {
        Self {
            memory: HashMap::new(),
            fetch_timeout: Duration::from_secs(30),
            memory_only: false,
        }
    }
}

/// Largest document soapbridge reads (a guard against a wrong path, not a real limit).
const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;
/// Most documents in one contract's closure.
const MAX_DOCUMENTS: usize = 2000;

impl Sources {
    fn read(&self, loc: &Location, network: bool) -> Result<String, String> {
        match loc {
            Location::Bundled(name) => bundled_text(name)
                .map(str::to_owned)
                .ok_or_else(|| format!("no bundled schema named {name}")),
            Location::Memory(name) => self
                .memory
                .get(name)
                .map(|s| s.clone().into_owned())
                .ok_or_else(|| "no such embedded document".to_owned()),
            Location::File(path) => {
                if let Some(text) = self.memory.get(&lexical_key(path)) {
                    return Ok(text.clone().into_owned());
                }
                if self.memory_only {
                    return Err("only documents held in memory are read here".into());
                }
                let meta = std::fs::metadata(path).map_err(|e| io_reason(&e))?;
                if meta.is_dir() {
                    return Err("is a directory, not a file".into());
                }
                if meta.len() > MAX_DOCUMENT_BYTES {
                    return Err(format!("larger than {MAX_DOCUMENT_BYTES} bytes"));
                }
                let bytes = std::fs::read(path).map_err(|e| io_reason(&e))?;
                xmlutil::decode_xml_bytes(&bytes, None)
                    .map(|c| c.into_owned())
                    .map_err(|e| e.to_string())
            }
            Location::Url(url) => {
                if !network || self.memory_only {
                    return Err(
                        "remote documents are only fetched for a contract named by URL".into(),
                    );
                }
                fetch_url(url, self.fetch_timeout)
            }
        }
    }
}

/// A relative path as a key of [`Sources::memory`], with `.` and `dir/..` folded away
/// lexically: a mapping at `mappings/x.yaml` naming `../wsdl/x.wsdl` finds the document held
/// as `wsdl/x.wsdl`, with no file system involved (the embedded demo runs from any folder).
fn lexical_key(path: &Path) -> String {
    let mut parts: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts
        .iter()
        .collect::<PathBuf>()
        .to_string_lossy()
        .into_owned()
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "file not found".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn fetch_url(url: &url::Url, timeout: Duration) -> Result<String, String> {
    crate::tls::install_crypto_provider();
    let fetch = || -> Result<String, String> {
        let client = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| e.to_string())?;
        let resp = client
            .get(url.clone())
            .send()
            .map_err(|e| crate::net::describe_reqwest_error(&e))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(format!("HTTP {status}"));
        }
        let charset = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|ct| crate::net::charset_of(ct).map(str::to_owned));
        let bytes = resp.bytes().map_err(|e| e.to_string())?;
        if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
            return Err(format!("larger than {MAX_DOCUMENT_BYTES} bytes"));
        }
        xmlutil::decode_xml_bytes(&bytes, charset.as_deref())
            .map(|c| c.into_owned())
            .map_err(|e| e.to_string())
    };
    // reqwest's blocking client must not run on an async runtime's thread.
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|s| {
            s.spawn(fetch)
                .join()
                .unwrap_or_else(|_| Err("fetch thread failed".into()))
        })
    } else {
        fetch()
    }
}

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
