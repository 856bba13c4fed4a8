//! The command line: `soapbridge generate`'s arguments, the `backend.wsdl` reference
//! relative to the output file, and the run that writes the mapping and compiles it.
//!
//! May import: `wsdl`, `mapping`, `super::inflect`, and the entry points of `super`.

use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use super::inflect::plural_s;
use super::{Options, generate};
use crate::wsdl::{self, SoapVersion};

/// The `backend.wsdl` value for `wsdl` as given on the command line: URLs as they are; a
/// path as given when the mapping goes to standard output, else relative to the output
/// file's directory (absolute when the two share no directory but the root).
pub fn wsdl_reference(wsdl: &str, out: Option<&Path>) -> String {
    let is_url = url::Url::parse(wsdl).is_ok_and(|u| u.scheme().len() > 1);
    let Some(out) = out else {
        return wsdl.to_owned();
    };
    if is_url {
        return wsdl.to_owned();
    }
    let Ok(target) = std::fs::canonicalize(wsdl) else {
        return wsdl.to_owned();
    };
    let dir = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Ok(dir) = std::fs::canonicalize(dir) else {
        return target.to_string_lossy().into_owned();
    };
    relative_path(&target, &dir).to_string_lossy().into_owned()
}

fn relative_path(target: &Path, dir: &Path) -> PathBuf {
    let t: Vec<Component<'_>> = target.components().collect();
    let d: Vec<Component<'_>> = dir.components().collect();
    let common = t.iter().zip(&d).take_while(|(a, b)| a == b).count();
    let shares_a_directory = t[..common]
        .iter()
        .any(|c| matches!(c, Component::Normal(_)));
    if !shares_a_directory {
        return target.to_owned();
    }
    let mut rel = PathBuf::new();
    for _ in common..d.len() {
        rel.push("..");
    }
    for c in &t[common..] {
        rel.push(c.as_os_str());
    }
    rel
}

/// The command line's request (`soapbridge generate ...`).
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Command {
    /// Path or URL of the WSDL.
    pub wsdl: String,
    /// Write the mapping to this file (its `wsdl:` is then relative to it) instead of
    /// standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists.
    #[arg(long)]
    pub force: bool,
    /// The binding to map, or a port whose binding to map (default: the first binding
    /// with a service port).
    #[arg(long)]
    pub binding: Option<String>,
    /// The SOAP version to take when a port type has bindings for both.
    #[arg(long, value_parser = ["1.1", "1.2"])]
    pub soap_version: Option<String>,
    /// The endpoint to write (default: `${SERVICE_URL:-<the WSDL's address>}`).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// A prefix for every route (`/api`).
    #[arg(long)]
    pub base_path: Option<String>,
}

/// `soapbridge generate`: writes the mapping (to `--out` or standard output), then compiles
/// it as `soapbridge check` would; exit 1 if it cannot be generated or does not compile.
pub fn run(cmd: &Command) -> anyhow::Result<ExitCode> {
    if let Some(out) = &cmd.out
        && out.exists()
        && !cmd.force
    {
        anyhow::bail!(
            "{} exists; choose another --out, or add --force to replace it",
            out.display()
        );
    }
    let soap_version = match cmd.soap_version.as_deref() {
        None => None,
        Some("1.1") => Some(SoapVersion::V11),
        Some("1.2") => Some(SoapVersion::V12),
        Some(other) => anyhow::bail!("--soap-version `{other}` is not known; use 1.1 or 1.2"),
    };
    let w = wsdl::load_path(&cmd.wsdl).map_err(|e| anyhow::anyhow!("{e}"))?;
    let opts = Options {
        wsdl_ref: wsdl_reference(&cmd.wsdl, cmd.out.as_deref()),
        binding: cmd.binding.clone(),
        soap_version,
        endpoint: cmd.endpoint.clone(),
        base_path: cmd.base_path.clone(),
    };
    let g = generate(&w, &opts)?;
    let virtual_path = match &cmd.out {
        Some(out) => {
            std::fs::write(out, &g.yaml)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
            out.clone()
        }
        None => {
            print!("{}", g.yaml);
            PathBuf::from("generated.yaml")
        }
    };
    let gets = g.routes.iter().filter(|r| r.method == "GET").count();
    let summary = format!(
        "{} ({gets} GET, {} POST) for binding {}",
        plural_s(g.routes.len(), "route"),
        g.routes.len() - gets,
        g.binding
    );
    match crate::mapping::load_texts(
        &[(&virtual_path, &g.yaml)],
        crate::mapping::Options::default(),
    ) {
        Ok(_) => {
            match &cmd.out {
                Some(out) => eprintln!(
                    "wrote {}: {summary}; it compiles (check it again after editing: soapbridge check {})",
                    out.display(),
                    out.display()
                ),
                None => eprintln!("generated {summary}; it compiles."),
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(diags) => {
            for d in &diags {
                eprintln!("error: {d}");
            }
            eprintln!(
                "the generated mapping ({summary}) does not compile: {}",
                plural_s(diags.len(), "error")
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_wsdl_paths() {
        assert_eq!(
            relative_path(Path::new("/w/p/wsdl/a.wsdl"), Path::new("/w/p/mappings")),
            PathBuf::from("../wsdl/a.wsdl")
        );
        assert_eq!(
            relative_path(Path::new("/w/p/a.wsdl"), Path::new("/w/p")),
            PathBuf::from("a.wsdl")
        );
        assert_eq!(
            relative_path(Path::new("/w/a.wsdl"), Path::new("/tmp/x")),
            PathBuf::from("/w/a.wsdl")
        );
        assert_eq!(
            wsdl_reference("https://h/x?wsdl", Some(Path::new("/tmp/m.yaml"))),
            "https://h/x?wsdl"
        );
        assert_eq!(wsdl_reference("a/b.wsdl", None), "a/b.wsdl");
    }
}
