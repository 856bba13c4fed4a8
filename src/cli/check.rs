//! `soapbridge check`: every mapping and the gateway configuration compiled as `serve` would,
//! nothing started; each backend's WS-* settings reported against what its contract asks.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::gateway_config;
use crate::mapping::{self, Diagnostic};

pub(super) fn check(paths: &[PathBuf], config: Option<&Path>) -> anyhow::Result<ExitCode> {
    use std::io::Write as _;
    let loaded = gateway_config(config).and_then(|(gw, opts)| {
        let m = mapping::load(paths, opts)?;
        // JWKS files are read now; URLs are not fetched (`check` stays offline).
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| vec![Diagnostic::new(Path::new("-"), None, e.to_string())])?;
        rt.block_on(gw.start_offline()).map_err(|errors| {
            errors
                .into_iter()
                .map(|e| Diagnostic::new(config.unwrap_or(Path::new("-")), None, e))
                .collect::<Vec<_>>()
        })?;
        Ok(m)
    });
    // Written with `writeln!`, not `println!`: `check ... | head` closes the pipe early,
    // which must end the output, not panic.
    let mut out = std::io::stdout().lock();
    match loaded {
        Ok(m) => {
            let (routes, backends) = (&m.routes, m.backends.len());
            for n in &m.notes {
                let _ = writeln!(out, "note: {n}");
            }
            let _ = writeln!(
                out,
                "ok: {} route{} from {} backend{}",
                routes.len(),
                if routes.len() == 1 { "" } else { "s" },
                backends,
                if backends == 1 { "" } else { "s" },
            );
            for r in routes {
                let _ = writeln!(out, "  {} {} -> {}", r.method, r.path, r.operation().name);
            }
            for b in &m.backends {
                ws_report(&mut out, b);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(diags) => {
            let mut err = std::io::stderr().lock();
            for d in &diags {
                let _ = writeln!(err, "error: {d}");
            }
            let _ = writeln!(
                err,
                "{} error{}",
                diags.len(),
                if diags.len() == 1 { "" } else { "s" }
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// What a backend's WS-* settings make each request carry, against what its contract asks.
fn ws_report(out: &mut impl std::io::Write, b: &mapping::Backend) {
    let name = &b.name;
    let said = b.binding().addressing.as_ref();
    let addressing = match (b.addressing, said) {
        (Some(v), Some(a)) => Some(format!(
            "WS-Addressing {} headers on every request ({} by {})",
            v.name(),
            if a.required { "required" } else { "offered" },
            a.source
        )),
        (Some(v), None) => Some(format!(
            "WS-Addressing {} headers on every request (the mapping asks)",
            v.name()
        )),
        (None, Some(a)) => Some(format!(
            "the contract offers WS-Addressing ({}); not sent (`addressing: off`)",
            a.source
        )),
        (None, None) => None,
    };
    let mtom = b.mtom_threshold.map(|t| {
        format!("asks for MTOM answers; sends binaries of {t} bytes (base64) or more as MTOM parts")
    });
    let mut sent: Vec<String> = Vec::new();
    if b.ws_security.is_some() {
        sent.push("a UsernameToken".into());
    }
    if let Some(s) = &b.signature {
        sent.push(format!(
            "an X.509 signature ({}, certificate issued by {}, serial {})",
            s.algorithm.name(),
            s.credentials.certificate.issuer,
            s.credentials.certificate.serial
        ));
    }
    let verify = b.verify_answers.as_ref().map(|v| {
        format!(
            "answers (not faults) must be signed by a certificate of the trust store (clock skew {})",
            humantime::format_duration(v.max_clock_skew)
        )
    });
    let sp = &b.binding().security_policy;
    let security = (!sp.is_empty() || !sent.is_empty()).then(|| {
        let what = if sent.is_empty() {
            "nothing is configured for it (ws_security)".to_owned()
        } else {
            format!("requests carry {} (ws_security)", sent.join(" and "))
        };
        if sp.is_empty() {
            what
        } else {
            format!(
                "the contract's WS-SecurityPolicy names {}; {what}",
                sp.join(", ")
            )
        }
    });
    for line in [addressing, mtom, security, verify].into_iter().flatten() {
        let _ = writeln!(out, "backend {name}: {line}");
    }
}
