//! Which binding of the WSDL a backend calls: an explicit `port:` or `binding:`, else the
//! candidates of `service:` (or every binding) narrowed by `soap_version:`.
//!
//! May import: `mapping::{diag, raw}`, `wsdl`; nothing above.

use std::path::Path;

use super::{Compiler, loc};
use crate::mapping::diag::{Diagnostic, hint_for};
use crate::mapping::raw::RawBackend;
use crate::wsdl::{self, SoapVersion, Wsdl};

impl Compiler<'_> {
    /// The binding to call and the address the WSDL gives for it.
    pub(super) fn choose_binding(
        &mut self,
        file: &Path,
        raw: &RawBackend,
        w: &Wsdl,
    ) -> Option<(usize, Option<String>)> {
        let want_version = match &raw.soap_version {
            None => None,
            Some(v) => match v.value.as_str() {
                "1.1" => Some(SoapVersion::V11),
                "1.2" => Some(SoapVersion::V12),
                other => {
                    self.diags.push(
                        Diagnostic::new(
                            file,
                            loc(v),
                            format!("soap_version `{other}` is not known"),
                        )
                        .hint("use \"1.1\" or \"1.2\""),
                    );
                    return None;
                }
            },
        };
        let binding_names: Vec<&str> = w.bindings.iter().map(|b| &*b.name.local).collect();
        if w.bindings.is_empty() {
            self.diags.push(
                Diagnostic::new(
                    file,
                    loc(&raw.wsdl),
                    format!(
                        "{} defines no SOAP binding, so it has nothing to call",
                        w.location
                    ),
                )
                .hint(
                    w.notes
                        .first()
                        .cloned()
                        .unwrap_or_else(|| "check that this is the service's WSDL".into()),
                ),
            );
            return None;
        }
        // An explicit port.
        if let Some(port) = &raw.port {
            let ports: Vec<(&wsdl::Service, &wsdl::Port)> = w
                .services
                .iter()
                .filter(|s| {
                    raw.service
                        .as_ref()
                        .is_none_or(|n| *s.name.local == n.value)
                })
                .flat_map(|s| s.ports.iter().map(move |p| (s, p)))
                .collect();
            return match ports.iter().find(|(_, p)| p.name == port.value) {
                Some((_, p)) => Some((p.binding, p.address.clone())),
                None => {
                    let names: Vec<&str> = ports.iter().map(|(_, p)| p.name.as_str()).collect();
                    self.diags.push(
                        Diagnostic::new(
                            file,
                            loc(port),
                            format!("port `{}` is not in {}", port.value, w.location),
                        )
                        .hint(hint_for(&port.value, &names, "ports")),
                    );
                    None
                }
            };
        }
        if let Some(b) = &raw.binding {
            return match w.binding_by_name(&b.value) {
                Some((i, _)) => Some((i, w.address_of(i))),
                None => {
                    self.diags.push(
                        Diagnostic::new(
                            file,
                            loc(b),
                            format!("binding `{}` is not in {}", b.value, w.location),
                        )
                        .hint(hint_for(
                            &b.value,
                            &binding_names,
                            "SOAP bindings",
                        )),
                    );
                    None
                }
            };
        }
        // Candidates: the service's ports, or every binding.
        let candidates: Vec<(usize, Option<String>)> = match &raw.service {
            Some(svc) => match w.service_by_name(&svc.value) {
                Some(s) => s
                    .ports
                    .iter()
                    .map(|p| (p.binding, p.address.clone()))
                    .collect(),
                None => {
                    let names: Vec<&str> = w.services.iter().map(|s| &*s.name.local).collect();
                    self.diags.push(
                        Diagnostic::new(
                            file,
                            loc(svc),
                            format!("service `{}` is not in {}", svc.value, w.location),
                        )
                        .hint(hint_for(&svc.value, &names, "services")),
                    );
                    return None;
                }
            },
            None => (0..w.bindings.len())
                .map(|i| (i, w.address_of(i)))
                .collect(),
        };
        let port_types: Vec<&wsdl::QName> = {
            let mut v: Vec<&wsdl::QName> = candidates
                .iter()
                .map(|(i, _)| &w.bindings[*i].port_type)
                .collect();
            v.sort();
            v.dedup();
            v
        };
        if port_types.len() > 1 {
            let names: Vec<String> = candidates
                .iter()
                .map(|(i, _)| w.bindings[*i].name.local.to_string())
                .collect();
            self.diags.push(
                Diagnostic::new(
                    file,
                    loc(&raw.wsdl),
                    format!("{} has {} bindings of different port types; soapbridge cannot guess which one to call", w.location, names.len()),
                )
                .hint(format!("name one with `binding:` (one of {}) or `port:`", names.join(", "))),
            );
            return None;
        }
        let wanted = want_version.unwrap_or(SoapVersion::V11);
        let pick = candidates
            .iter()
            .find(|(i, _)| w.bindings[*i].soap_version == wanted)
            .or_else(|| {
                if want_version.is_none() {
                    candidates.first()
                } else {
                    None
                }
            });
        match pick {
            Some(p) => Some(p.clone()),
            None => {
                let v = raw.soap_version.as_ref();
                self.diags.push(
                    Diagnostic::new(
                        file,
                        v.map(|v| v.referenced),
                        format!("{} has no SOAP {} binding here", w.location, wanted.label()),
                    )
                    .hint(format!(
                        "available: {}",
                        candidates
                            .iter()
                            .map(|(i, _)| format!(
                                "{} (SOAP {})",
                                w.bindings[*i].name.local,
                                w.bindings[*i].soap_version.label()
                            ))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
                None
            }
        }
    }
}
