//! WSDL 1.1 + XSD → the resolved [`model::Wsdl`].
//!
//! ```text
//! Location ──loader──> documents (entry, wsdl:imports, xsd:import/include/redefine, bundled)
//!          ──xsd────> Schema (types, elements)
//!          ──bind───> bindings, operations (Body: wrapper + content type), services
//! ```
//!
//! Parsing happens once, at start-up; the result is immutable and shared by every request.
//!
//! May import `net`, `tls`, `xmlutil`: it is the lowest floor of the model.

pub mod dom;
pub mod loader;
pub mod model;

pub mod addressing;
mod bind;
mod xsd;

pub use loader::{Location, Sources};
pub use model::*;
pub use xsd::{RegexDialect, translate_pattern, xsd_regex};

/// Why a contract could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum WsdlError {
    #[error("{location}: {message}")]
    Load { location: String, message: String },
    #[error("{location}:{line}: not well-formed XML: {message}")]
    Xml {
        location: String,
        line: u32,
        message: String,
    },
    #[error("{file}:{line}: {reference} cannot be read from {target}: {reason}")]
    Import {
        file: String,
        line: u32,
        reference: String,
        target: String,
        reason: String,
    },
}

/// Loads a WSDL and everything it imports.
pub fn load(location: &Location, sources: &Sources) -> Result<Wsdl, WsdlError> {
    let loaded = loader::load(location, sources)?;
    let index = xsd::Index::build(&loaded.schemas);
    let mut resolver = xsd::Resolver::new(index);
    resolver.resolve_all();
    let bound = bind::bind(&loaded.wsdls, &mut resolver);
    resolver.finish();
    let mut warnings = loaded.warnings;
    warnings.extend(resolver.warnings);
    warnings.extend(bound.warnings);
    let target_namespace = loaded
        .wsdls
        .first()
        .map(|d| d.tns.clone())
        .unwrap_or_default();
    Ok(Wsdl {
        location: location.to_string(),
        target_namespace,
        schema: resolver.schema,
        bindings: bound.bindings,
        services: bound.services,
        notes: bound.notes,
        warnings,
        documents: loaded.documents,
    })
}

/// Loads a WSDL from a path or URL given as text, with default sources.
pub fn load_path(path: &str) -> Result<Wsdl, WsdlError> {
    load(&Location::parse(path), &Sources::default())
}
