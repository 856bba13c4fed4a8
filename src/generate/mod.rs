//! `soapbridge generate`: a starter mapping file for a WSDL, one REST route per operation,
//! with a YAML comment on every choice made.
//!
//! ```text
//! Wsdl ──choose_binding──> binding (+ service port), endpoint
//!      ──plan, per operation──> GET (read name, scalar inputs: path id + query) or POST (body)
//!                               path from the name (kebab-case), unique per method + path
//!      ──write──> YAML text (quoted by hand), which `mapping::compile` accepts unchanged
//! ```
//!
//! The rules are described in `docs/generate.md`; they are heuristics, and the output is a
//! starting point meant to be read and edited.
//!
//! The parts, lowest first: `naming` (words, kebab-case, id-like names), `inflect`
//! (plural and singular), `yaml` (scalars and comments), `faults` (statuses from fault
//! names); `binding` (which binding and port), `classify` (GET or POST), `paths` (the
//! path of a GET route), `plan` (a free path for every operation); `write` (the YAML);
//! `command` (the command line). This file holds the options, the errors and the entry
//! point that runs them in order.
//!
//! May import: its own modules, `wsdl`.

mod binding;
mod classify;
mod command;
mod faults;
mod inflect;
mod naming;
mod paths;
mod plan;
mod write;
mod yaml;

#[cfg(test)]
mod tests;

pub use classify::{Classification, Verb, classify};
pub use command::{Command, run, wsdl_reference};
pub use faults::fault_status;
pub use inflect::{plural, singular};
pub use naming::{
    ID_WORDS, READ_VERBS, SECRET_WORDS, env_name, is_id_name, kebab_case, param_name, read_verb,
    words,
};
pub use paths::{id_input, resource_name};
pub use yaml::yaml_scalar;

use crate::wsdl::{SoapVersion, Wsdl};
use binding::{choose_binding, usable_url};
use plan::{Planned, Taken, plan_route};
use write::{write_backend, write_base_path, write_header, write_route, write_routes_intro};

/// What to generate.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The `backend.wsdl` value to write (relative to the mapping file, or a URL).
    pub wsdl_ref: String,
    /// A binding, or a port whose binding to use, by name.
    pub binding: Option<String>,
    /// The SOAP version to prefer (default 1.1 where a port type has both).
    pub soap_version: Option<SoapVersion>,
    /// An endpoint to write instead of the WSDL's address.
    pub endpoint: Option<String>,
    /// A prefix for every route (`/api`).
    pub base_path: Option<String>,
}

/// Why no mapping can be generated.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("{location} defines no SOAP binding, so there is no mapping to generate ({notes})")]
    NoSoapBinding { location: String, notes: String },
    #[error(
        "{location} defines no SOAP operation (bindings: {bindings}), so there is no route to generate"
    )]
    NoOperations { location: String, bindings: String },
    #[error("`{name}` is neither a SOAP binding nor a port of {location}; known: {known}")]
    UnknownBinding {
        name: String,
        location: String,
        known: String,
    },
    #[error("{location} has no SOAP {version} binding{scope}; available: {available}")]
    NoSoapVersion {
        location: String,
        version: &'static str,
        scope: String,
        available: String,
    },
    #[error("endpoint `{0}` is not an http(s) URL")]
    BadEndpoint(String),
    #[error("base path `{0}` must start with `/` and hold no spaces, braces or `#`")]
    BadBasePath(String),
}

/// One generated route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteSummary {
    pub method: &'static str,
    /// The full path, base path included.
    pub path: String,
    pub operation: String,
}

/// A generated mapping.
#[derive(Clone, Debug)]
pub struct Generated {
    pub yaml: String,
    /// The binding the routes call, by local name.
    pub binding: String,
    pub routes: Vec<RouteSummary>,
}

/// Generates the mapping for `w`.
pub fn generate(w: &Wsdl, opts: &Options) -> Result<Generated, GenerateError> {
    if let Some(e) = &opts.endpoint
        && !e.contains("${")
        && !usable_url(e)
    {
        return Err(GenerateError::BadEndpoint(e.clone()));
    }
    let base = match &opts.base_path {
        Some(b) => {
            let t = b.trim_end_matches('/');
            if !b.starts_with('/') || t.chars().any(|c| c.is_whitespace() || "{}#".contains(c)) {
                return Err(GenerateError::BadBasePath(b.clone()));
            }
            t.to_owned()
        }
        None => String::new(),
    };
    let choice = choose_binding(w, opts)?;
    let binding = &w.bindings[choice.binding];
    let schema = &w.schema;

    let mut out = String::new();
    write_header(&mut out, w, opts);
    write_backend(&mut out, w, opts, &choice);
    write_base_path(&mut out, &base);

    let mut taken = Taken::new();
    let planned: Vec<Planned<'_>> = binding
        .operations
        .iter()
        .map(|op| plan_route(schema, op, &base, &mut taken))
        .collect();
    write_routes_intro(&mut out, &binding.name.local, &planned);
    let mut routes = Vec::new();
    for p in &planned {
        write_route(&mut out, schema, p);
        routes.push(RouteSummary {
            method: p.class.verb.as_str(),
            path: format!("{base}{}", p.path),
            operation: p.op.name.clone(),
        });
    }
    Ok(Generated {
        yaml: out,
        binding: binding.name.local.to_string(),
        routes,
    })
}
