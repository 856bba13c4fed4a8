//! Where a contract's documents are and how they are read: [`Location`] (a file, a URL, a
//! virtual document, a bundled schema) resolved relative to the document naming it, and
//! [`Sources`] (memory first, then files or, for a contract named by URL, the network).
//!
//! May import `net`, `tls`, `xmlutil`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use crate::xmlutil::{self, WSDL_NS, XSD_NS};

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

    pub(super) fn is_remote(&self) -> bool {
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
pub(super) const BUNDLED: &[(&str, &[&str], &str, &str)] = &[
    (
        xmlutil::SOAP11_ENC_NS,
        &["http://schemas.xmlsoap.org/soap/encoding/"],
        "soap-encoding-1.1.xsd",
        include_str!("../bundled/soap-encoding-1.1.xsd"),
    ),
    (
        xmlutil::SOAP11_ENV_NS,
        &["http://schemas.xmlsoap.org/soap/envelope/"],
        "soap-envelope-1.1.xsd",
        include_str!("../bundled/soap-envelope-1.1.xsd"),
    ),
    (
        xmlutil::SOAP12_ENV_NS,
        &["http://www.w3.org/2003/05/soap-envelope"],
        "soap-envelope-1.2.xsd",
        include_str!("../bundled/soap-envelope-1.2.xsd"),
    ),
    (
        xmlutil::SOAP12_ENC_NS,
        &["http://www.w3.org/2003/05/soap-encoding"],
        "soap-encoding-1.2.xsd",
        include_str!("../bundled/soap-encoding-1.2.xsd"),
    ),
    (
        WSDL_NS,
        &["http://schemas.xmlsoap.org/wsdl/"],
        "wsdl-1.1.xsd",
        include_str!("../bundled/wsdl-1.1.xsd"),
    ),
    (
        xmlutil::XML_NS,
        &[
            "http://www.w3.org/2001/xml.xsd",
            "http://www.w3.org/2009/01/xml.xsd",
        ],
        "xml.xsd",
        include_str!("../bundled/xml.xsd"),
    ),
    (
        "http://www.w3.org/2000/09/xmldsig#",
        &[
            "http://www.w3.org/TR/xmldsig-core/xmldsig-core-schema.xsd",
            "http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/xmldsig-core-schema.xsd",
        ],
        "xmldsig-core-schema.xsd",
        include_str!("../bundled/xmldsig-core-schema.xsd"),
    ),
    (
        "http://www.w3.org/2001/04/xmlenc#",
        &["http://www.w3.org/TR/xmlenc-core/xenc-schema.xsd"],
        "xenc-schema.xsd",
        include_str!("../bundled/xenc-schema.xsd"),
    ),
    (
        "http://schemas.xmlsoap.org/ws/2004/08/addressing",
        &["http://schemas.xmlsoap.org/ws/2004/08/addressing"],
        "ws-addressing-2004-08.xsd",
        include_str!("../bundled/ws-addressing-2004-08.xsd"),
    ),
    (
        "http://www.w3.org/2005/08/addressing",
        &[
            "http://www.w3.org/2006/03/addressing/ws-addr.xsd",
            "http://www.w3.org/2005/08/addressing/ws-addr.xsd",
        ],
        "ws-addressing-2005-08.xsd",
        include_str!("../bundled/ws-addressing-2005-08.xsd"),
    ),
    (
        "http://www.w3.org/2005/05/xmlmime",
        &["http://www.w3.org/2005/05/xmlmime"],
        "xmlmime.xsd",
        include_str!("../bundled/xmlmime.xsd"),
    ),
    (
        "http://www.w3.org/2004/08/xop/include",
        &["http://www.w3.org/2004/08/xop/include"],
        "xop-include.xsd",
        include_str!("../bundled/xop-include.xsd"),
    ),
    (
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
        &["http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"],
        "wss-secext-1.0.xsd",
        include_str!("../bundled/wss-secext-1.0.xsd"),
    ),
    (
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
        &["http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"],
        "wss-utility-1.0.xsd",
        include_str!("../bundled/wss-utility-1.0.xsd"),
    ),
];

pub(super) fn bundled_by_namespace(ns: &str) -> Option<&'static str> {
    BUNDLED.iter().find(|b| b.0 == ns).map(|b| b.2)
}

pub(super) fn bundled_by_url(url: &str) -> Option<&'static str> {
    let trimmed = url.trim_end_matches('/');
    BUNDLED
        .iter()
        .find(|b| b.1.iter().any(|u| u.trim_end_matches('/') == trimmed))
        .map(|b| b.2)
}

pub(super) fn bundled_text(name: &str) -> Option<&'static str> {
    BUNDLED.iter().find(|b| b.2 == name).map(|b| b.3)
}

/// Namespaces soapbridge understands natively: importing them needs no document.
pub(super) fn is_native_namespace(ns: &str) -> bool {
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
pub(super) const MAX_DOCUMENTS: usize = 2000;

impl Sources {
    pub(super) fn read(&self, loc: &Location, network: bool) -> Result<String, String> {
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
pub(super) fn lexical_key(path: &Path) -> String {
    normalize(path).to_string_lossy().into_owned()
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
