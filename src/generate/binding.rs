//! Which binding the mapping calls: the one named with `--binding` (a binding or a port),
//! or the first with operations and a service port, SOAP 1.1 unless asked otherwise; and
//! through which service port, if one resolves to it.
//!
//! May import: `wsdl`, `url`, `super::inflect`, and `Options`/`GenerateError` from
//! `super`.

use super::inflect::plural_s;
use super::{GenerateError, Options};
use crate::wsdl::{SoapVersion, Wsdl};

/// The binding the mapping calls, and how the mapping names it.
pub(super) struct BindingChoice {
    pub(super) binding: usize,
    /// (service index, port index) when a service port exposes the binding.
    pub(super) port: Option<(usize, usize)>,
    /// Why this binding: comment text.
    pub(super) why: String,
}

pub(super) fn usable_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        && !s.contains('$')
        && !s.contains('}')
}

/// Ports exposing binding `i`, those with a usable address first.
pub(super) fn ports_of(w: &Wsdl, i: usize) -> Vec<(usize, usize)> {
    let mut ports: Vec<(usize, usize)> = w
        .services
        .iter()
        .enumerate()
        .flat_map(|(si, s)| {
            s.ports
                .iter()
                .enumerate()
                .filter(|(_, p)| p.binding == i)
                .map(move |(pi, _)| (si, pi))
        })
        .collect();
    ports.sort_by_key(|&(si, pi)| {
        !w.services[si].ports[pi]
            .address
            .as_deref()
            .is_some_and(usable_url)
    });
    ports
}

/// Whether `service: S` + `port: P` resolve to this very port in `mapping::compile`.
pub(super) fn port_resolves(w: &Wsdl, si: usize, pi: usize) -> bool {
    let s = &w.services[si];
    let p = &s.ports[pi];
    w.services
        .iter()
        .enumerate()
        .filter(|(_, x)| x.name.local == s.name.local)
        .flat_map(|(xi, x)| {
            x.ports
                .iter()
                .enumerate()
                .map(move |(yi, y)| (xi, yi, y.name.as_str()))
        })
        .find(|(_, _, name)| *name == p.name)
        .is_some_and(|(xi, yi, _)| xi == si && yi == pi)
}

pub(super) fn binding_label(w: &Wsdl, i: usize) -> String {
    let b = &w.bindings[i];
    format!(
        "{} (SOAP {}, {}, port type {}, {})",
        b.name.local,
        b.soap_version.label(),
        b.style.label(),
        b.port_type.local,
        plural_s(b.operations.len(), "operation")
    )
}

pub(super) fn choose_binding(w: &Wsdl, opts: &Options) -> Result<BindingChoice, GenerateError> {
    if w.bindings.is_empty() {
        let notes = if w.notes.is_empty() {
            "check that this is the service's WSDL".to_owned()
        } else {
            w.notes.join("; ")
        };
        return Err(GenerateError::NoSoapBinding {
            location: w.location.clone(),
            notes,
        });
    }
    let all_names = || {
        w.bindings
            .iter()
            .map(|b| {
                format!(
                    "{} ({})",
                    b.name.local,
                    plural_s(b.operations.len(), "operation")
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (binding, explicit_port, why) = if let Some(name) = &opts.binding {
        let found = w.binding_by_name(name).map(|(i, _)| (i, None)).or_else(|| {
            w.services.iter().enumerate().find_map(|(si, s)| {
                s.ports
                    .iter()
                    .position(|p| p.name == *name)
                    .map(|pi| (s.ports[pi].binding, Some((si, pi))))
            })
        });
        let Some((i, port)) = found else {
            let mut known: Vec<String> = w
                .bindings
                .iter()
                .map(|b| b.name.local.to_string())
                .collect();
            known.extend(
                w.services
                    .iter()
                    .flat_map(|s| s.ports.iter().map(|p| format!("port {}", p.name))),
            );
            return Err(GenerateError::UnknownBinding {
                name: name.clone(),
                location: w.location.clone(),
                known: known.join(", "),
            });
        };
        if let Some(v) = opts.soap_version
            && w.bindings[i].soap_version != v
        {
            return Err(GenerateError::NoSoapVersion {
                location: w.location.clone(),
                version: v.label(),
                scope: format!(" named `{name}`"),
                available: binding_label(w, i),
            });
        }
        if w.bindings[i].operations.is_empty() {
            return Err(GenerateError::NoOperations {
                location: w.location.clone(),
                bindings: all_names(),
            });
        }
        (i, port, format!("`{name}` was named with --binding."))
    } else {
        let mut cands: Vec<usize> = (0..w.bindings.len())
            .filter(|&i| !w.bindings[i].operations.is_empty())
            .collect();
        if cands.is_empty() {
            return Err(GenerateError::NoOperations {
                location: w.location.clone(),
                bindings: all_names(),
            });
        }
        if let Some(v) = opts.soap_version {
            let available = cands
                .iter()
                .map(|&i| binding_label(w, i))
                .collect::<Vec<_>>()
                .join(", ");
            cands.retain(|&i| w.bindings[i].soap_version == v);
            if cands.is_empty() {
                return Err(GenerateError::NoSoapVersion {
                    location: w.location.clone(),
                    version: v.label(),
                    scope: String::new(),
                    available,
                });
            }
        }
        let has_port = |i: usize| !ports_of(w, i).is_empty();
        let first = cands
            .iter()
            .copied()
            .find(|&i| has_port(i))
            .unwrap_or(cands[0]);
        let port_type = &w.bindings[first].port_type;
        let wanted = opts.soap_version.unwrap_or(SoapVersion::V11);
        let mut same: Vec<usize> = cands
            .iter()
            .copied()
            .filter(|&i| w.bindings[i].port_type == *port_type)
            .collect();
        same.sort_by_key(|&i| (w.bindings[i].soap_version != wanted, !has_port(i), i));
        let pick = same[0];
        let mut why = if has_port(first) {
            "The first binding of the contract with operations and a service port".to_owned()
        } else {
            "The first binding of the contract with operations (none has a service port)".to_owned()
        };
        if same.len() > 1 {
            why.push_str(&format!(
                "; of the bindings of port type {}, SOAP {} is taken{}",
                port_type.local,
                w.bindings[pick].soap_version.label(),
                if opts.soap_version.is_some() {
                    " as --soap-version asks"
                } else {
                    " (the default when both versions are offered; --soap-version 1.2 takes the other)"
                }
            ));
        }
        why.push('.');
        (pick, None, why)
    };
    let port = explicit_port
        .or_else(|| ports_of(w, binding).into_iter().next())
        .filter(|&(si, pi)| port_resolves(w, si, pi));
    // Without a port the mapping names the binding; the compiler takes the first of that name.
    let binding = match port {
        Some(_) => binding,
        None => w
            .binding_by_name(&w.bindings[binding].name.local)
            .map_or(binding, |(i, _)| i),
    };
    Ok(BindingChoice { binding, port, why })
}
