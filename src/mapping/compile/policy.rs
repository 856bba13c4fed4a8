//! `auth:` on a backend or a route: the name of a policy the gateway configuration
//! declares, checked here so that a request never meets an unknown policy.
//!
//! May import the compiler's own helpers.

use std::path::Path;

use serde_saphyr::Spanned;

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
}
