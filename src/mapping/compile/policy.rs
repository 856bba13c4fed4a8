//! `auth:` and `cors:` on a backend or a route: the names of policies the gateway
//! configuration declares, checked here so that a request never meets an unknown policy;
//! and `{auth.*}` placeholders, which need a route whose policy authenticates.
//!
//! May import the compiler's own helpers.

use std::path::Path;

use serde_saphyr::{Location, Spanned};

use super::super::diag::{Diagnostic, hint_for};
use super::{Compiler, loc};

impl Compiler<'_> {
    /// The policy `name` names, if the gateway configuration declares it.
    pub(super) fn policy(&mut self, file: &Path, name: Option<&Spanned<String>>) -> Option<String> {
        let name = name?;
        match &self.opts.policies {
            None => {
                self.diags.push(
                    Diagnostic::new(
                        file,
                        loc(name),
                        format!("`auth: {}` names a policy, but there is no gateway configuration", name.value),
                    )
                    .hint("declare the policy in a gateway configuration and pass it with `--config FILE`"),
                );
                None
            }
            Some(p) if p.names.contains(&name.value) => Some(name.value.clone()),
            Some(p) => {
                let known: Vec<&str> = p.names.iter().map(String::as_str).collect();
                self.diags.push(
                    Diagnostic::new(
                        file,
                        loc(name),
                        format!(
                            "policy `{}` is not declared in the gateway configuration",
                            name.value
                        ),
                    )
                    .hint(hint_for(&name.value, &known, "policies")),
                );
                None
            }
        }
    }

    /// The configuration's default policy, for routes and backends that name none.
    pub(super) fn default_policy(&self) -> Option<String> {
        self.opts.policies.as_ref().and_then(|p| p.default.clone())
    }

    /// The CORS policy `name` names, if the gateway configuration declares it.
    pub(super) fn cors(&mut self, file: &Path, name: Option<&Spanned<String>>) -> Option<String> {
        let name = name?;
        let known = self.opts.policies.as_ref().map(|p| &p.cors);
        match known {
            Some(k) if k.contains(&name.value) => Some(name.value.clone()),
            Some(k) => {
                let names: Vec<&str> = k.iter().map(String::as_str).collect();
                self.diags.push(
                    Diagnostic::new(
                        file,
                        loc(name),
                        format!(
                            "CORS policy `{}` is not declared in the gateway configuration",
                            name.value
                        ),
                    )
                    .hint(hint_for(&name.value, &names, "CORS policies")),
                );
                None
            }
            None => {
                self.diags.push(
                    Diagnostic::new(
                        file,
                        loc(name),
                        format!("`cors: {}` names a CORS policy, but there is no gateway configuration", name.value),
                    )
                    .hint("declare it under `cors:` in a gateway configuration and pass it with `--config FILE`"),
                );
                None
            }
        }
    }

    /// A route whose templates read `{auth.*}` must authenticate its callers.
    pub(super) fn check_auth_reader(
        &mut self,
        file: &Path,
        at: Option<Location>,
        route: &str,
        policy: Option<&str>,
    ) {
        let public = match (policy, &self.opts.policies) {
            (None, _) => true,
            (Some(p), Some(ps)) => ps.public.contains(p),
            (Some(_), None) => false,
        };
        if public {
            self.diags.push(
                Diagnostic::new(
                    file,
                    at,
                    format!(
                        "route `{route}` reads `{{auth.*}}`, but its callers are not authenticated"
                    ),
                )
                .hint("give the route (or its backend) an `auth:` policy that names providers"),
            );
        }
    }
}
