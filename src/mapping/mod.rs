//! Mapping files: which REST routes exist and how each becomes a SOAP call.
//!
//! ```text
//! mappings/*.yaml + wsdl/*.wsdl ──raw (serde-saphyr, positions)──> RawMapping
//!                               ──compile (checked against the contract)──> Mappings
//! per request:                  ──bind──> input JSON ... output JSON ──shape──> response
//! ```
//!
//! The format is documented in `docs/mapping.md`.
//!
//! May import `wsdl`, `translate`, `soap` (its settings and fault types), `suggest`; never
//! `gateway`, a face or the CLI.

pub mod bind;
pub mod compile;
pub mod diag;
pub mod env;
pub mod model;
pub mod raw;
pub mod template;

use std::path::{Path, PathBuf};

pub use compile::{Compiler, Options, Policies};
pub use diag::Diagnostic;
pub use model::*;

/// The mapping files a path names: the file itself, or the `*.yaml`/`*.yml` files of a
/// directory (not its subdirectories), sorted.
pub fn expand_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let mut diags = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = match std::fs::read_dir(p) {
                Ok(rd) => rd
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|f| {
                        f.is_file()
                            && matches!(
                                f.extension().and_then(|e| e.to_str()),
                                Some("yaml" | "yml")
                            )
                    })
                    .collect(),
                Err(e) => {
                    diags.push(Diagnostic::new(
                        p,
                        None,
                        format!("cannot read the directory: {e}"),
                    ));
                    continue;
                }
            };
            found.sort();
            if found.is_empty() {
                diags.push(
                    Diagnostic::new(p, None, "the directory has no mapping files")
                        .hint("mapping files end in .yaml or .yml"),
                );
            }
            out.extend(found);
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            diags.push(Diagnostic::new(p, None, "no such file or directory"));
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

/// Loads and checks every mapping file under `paths`, with the process environment.
pub fn load(paths: &[PathBuf], opts: Options) -> Result<Mappings, Vec<Diagnostic>> {
    let files = expand_paths(paths)?;
    let env = |name: &str| std::env::var(name).ok();
    let mut c = Compiler::new(opts, &env);
    for f in &files {
        c.add_file(f);
    }
    c.finish()
}

/// Compiles mappings given as (virtual path, text) with the process environment.
pub fn load_texts(files: &[(&Path, &str)], opts: Options) -> Result<Mappings, Vec<Diagnostic>> {
    let env = |name: &str| std::env::var(name).ok();
    let mut c = Compiler::new(opts, &env);
    for (p, t) in files {
        c.add_text(p, t);
    }
    c.finish()
}
