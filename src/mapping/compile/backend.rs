//! The `backend:` block: the WSDL (loaded once per location), the endpoint, timeouts,
//! size limits, extra HTTP headers, basic auth and WS-Security, with `${VAR}` expansion.
//!
//! May import: `mapping::{diag, env, model, raw}`, `soap::client`, `wsdl`; the binding
//! choice comes from [`super::binding`].

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_saphyr::Spanned;

use super::{Compiler, loc};
use crate::mapping::diag::Diagnostic;
use crate::mapping::env;
use crate::mapping::model::*;
use crate::mapping::raw::RawBackend;
use crate::soap::budget::FIRST_PART;
use crate::soap::client::{BUFFERED_MAX, ClientSettings, STREAM_THRESHOLD};
use crate::wsdl::WsaVersion;
use crate::wsdl::{self, Wsdl};

/// The smallest binary sent as an MTOM part, as base64 text: about 1 KiB of data. Below it
/// a MIME part costs more than the inline text.
pub const DEFAULT_MTOM_THRESHOLD: usize = 1400;

impl Compiler<'_> {
    pub(super) fn expand_text(&mut self, file: &Path, s: &Spanned<String>) -> Option<String> {
        self.expand(file, s)
    }

    fn expand(&mut self, file: &Path, s: &Spanned<String>) -> Option<String> {
        match env::expand(&s.value, self.env) {
            Ok(v) => Some(v),
            Err(var) => {
                self.diags.push(
                    Diagnostic::new(
                        file,
                        loc(s),
                        format!("environment variable `{var}` is not set"),
                    )
                    .hint(format!("set it, or give a default: `${{{var}:-value}}`")),
                );
                None
            }
        }
    }

    fn load_wsdl(&mut self, file: &Path, spec: &Spanned<String>) -> Option<Arc<Wsdl>> {
        let text = self.expand(file, spec)?;
        let location = match wsdl::Location::parse(&text) {
            wsdl::Location::File(p) if p.is_relative() => {
                let dir = file.parent().unwrap_or(Path::new(""));
                wsdl::Location::File(dir.join(p))
            }
            other => other,
        };
        let key = location.to_string();
        if !self.wsdls.contains_key(&key) {
            let loaded = wsdl::load(&location, &self.opts.sources)
                .map(Arc::new)
                .map_err(|e| e.to_string());
            if let Ok(w) = &loaded {
                let stem = file.display();
                for n in &w.notes {
                    self.out.notes.push(format!("{stem}: {}: {n}", w.location));
                }
                for n in &w.warnings {
                    self.out.notes.push(format!("{stem}: warning: {n}"));
                }
            }
            self.wsdls.insert(key.clone(), loaded);
        }
        match &self.wsdls[&key] {
            Ok(w) => Some(w.clone()),
            Err(e) => {
                let e = e.clone();
                self.diags.push(
                    Diagnostic::new(file, loc(spec), format!("cannot load the WSDL: {e}"))
                        .hint("the path is relative to the mapping file; a URL is fetched once at start-up"),
                );
                None
            }
        }
    }

    pub(super) fn duration(
        &mut self,
        file: &Path,
        s: &Option<Spanned<String>>,
        default: Duration,
    ) -> Duration {
        let Some(s) = s else { return default };
        match humantime::parse_duration(s.value.trim()) {
            Ok(d) if !d.is_zero() => d,
            _ => {
                self.diags.push(
                    Diagnostic::new(file, loc(s), format!("`{}` is not a duration", s.value))
                        .hint("write a number with a unit: `500ms`, `10s`, `2m`"),
                );
                default
            }
        }
    }

    /// A size such as `512KiB` or `10MiB`, or the diagnostic and `default`.
    pub(super) fn size(&mut self, file: &Path, s: &Spanned<String>, default: usize) -> usize {
        match parse_size(&s.value) {
            Some(n) => n,
            None => {
                self.diags.push(
                    Diagnostic::new(file, loc(s), format!("`{}` is not a size", s.value))
                        .hint("write bytes with a unit: `512KiB`, `10MiB`"),
                );
                default
            }
        }
    }

    pub(super) fn backend(&mut self, file: &Path, raw: &RawBackend) -> Option<Backend> {
        let wsdl = self.load_wsdl(file, &raw.wsdl)?;
        let (binding, address) = self.choose_binding(file, raw, &wsdl)?;
        let endpoint_text = match (&self.opts.endpoint_override, &raw.endpoint) {
            (Some(u), _) => Some(u.to_string()),
            (None, Some(e)) => self.expand(file, e),
            (None, None) => address.clone(),
        };
        let endpoint_loc = raw
            .endpoint
            .as_ref()
            .map(|e| e.referenced)
            .or(Some(raw.wsdl.referenced));
        let Some(endpoint_text) = endpoint_text else {
            if raw.endpoint.is_none() {
                self.diags.push(
                    Diagnostic::new(
                        file,
                        Some(raw.wsdl.referenced),
                        format!(
                            "binding {} has no service address in the WSDL, so there is no endpoint to call",
                            wsdl.bindings[binding].name.local
                        ),
                    )
                    .hint("give `endpoint: http://host:port/path` under `backend`"),
                );
            }
            return None;
        };
        let endpoint = match url::Url::parse(&endpoint_text) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => u,
            _ => {
                self.diags.push(
                    Diagnostic::new(
                        file,
                        endpoint_loc,
                        format!("endpoint `{endpoint_text}` is not an http(s) URL"),
                    )
                    .hint("write a full URL, such as `http://127.0.0.1:8081/customers`"),
                );
                return None;
            }
        };
        let timeout = self.duration(file, &raw.timeout, Duration::from_secs(30));
        let connect_timeout = self.duration(file, &raw.connect_timeout, Duration::from_secs(5));
        let max_response_bytes = raw
            .max_response_size
            .as_ref()
            .map(|s| self.size(file, s, BUFFERED_MAX));
        let stream_threshold = raw.stream_threshold.as_ref().map_or(STREAM_THRESHOLD, |s| {
            self.size(file, s, STREAM_THRESHOLD).max(FIRST_PART)
        });
        let mut headers = Vec::new();
        for (k, v) in raw.headers.iter().flatten() {
            if actix_web::http::header::HeaderName::from_bytes(k.as_bytes()).is_err() {
                self.diags.push(Diagnostic::new(
                    file,
                    loc(v),
                    format!("`{k}` is not a valid HTTP header name"),
                ));
                continue;
            }
            let Some(val) = self.expand(file, v) else {
                continue;
            };
            if actix_web::http::header::HeaderValue::from_str(&val).is_err() {
                self.diags.push(
                    Diagnostic::new(
                        file,
                        loc(v),
                        format!("the value of header `{k}` is not a valid HTTP header value"),
                    )
                    .hint("header values are visible ASCII text, without line breaks"),
                );
                continue;
            }
            headers.push((k.clone(), val));
        }
        let basic_auth = match &raw.basic_auth {
            Some(b) => {
                let u = self.expand(file, &b.username);
                let p = self.expand(file, &b.password);
                u.zip(p)
            }
            None => None,
        };
        let soap_version = wsdl.bindings[binding].soap_version;
        let addressing = self.addressing(file, raw.addressing.as_ref(), &wsdl.bindings[binding]);
        let security = self.ws_security(file, raw.ws_security.as_ref(), addressing);
        let mtom = raw.mtom.as_ref().is_some_and(|m| m.value);
        let mtom_threshold = match &raw.mtom_threshold {
            Some(t) => {
                if !mtom {
                    self.diags.push(
                        Diagnostic::new(
                            file,
                            loc(t),
                            "`mtom_threshold` is set but `mtom` is not on",
                        )
                        .hint("add `mtom: true` for a backend that takes MTOM requests"),
                    );
                }
                self.size(file, t, DEFAULT_MTOM_THRESHOLD).max(1)
            }
            None => DEFAULT_MTOM_THRESHOLD,
        };
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let client = ClientSettings {
            name: name.clone(),
            endpoint: endpoint.clone(),
            soap_version,
            timeout,
            attempt_timeout: raw
                .attempt_timeout
                .as_ref()
                .map(|_| self.duration(file, &raw.attempt_timeout, timeout)),
            queue_timeout: raw
                .queue_timeout
                .as_ref()
                .map(|_| self.duration(file, &raw.queue_timeout, timeout)),
            connect_timeout,
            max_concurrency: raw
                .max_concurrency
                .as_ref()
                .map_or(64, |m| m.value.max(1) as usize),
            retries: raw.retries.as_ref().map_or(1, |r| r.value),
            max_response_bytes,
            stream_threshold,
            headers,
            basic_auth,
            mtom,
            breaker: self.breaker_settings(file, raw.circuit_breaker.as_ref()),
            retry: self.retry_settings(file, raw.retry.as_ref()),
            tls: self.backend_tls(file, raw.tls.as_ref()),
            proxy: self.proxy(file, raw.proxy.as_ref()),
        };
        let auth = self.policy(file, raw.auth.as_ref());
        let cors = self.cors(file, raw.cors.as_ref());
        Some(Backend {
            lenient: raw.lenient.as_ref().is_some_and(|l| l.value),
            graphql: None,
            auth,
            cors,
            name,
            wsdl,
            binding,
            endpoint,
            soap_version,
            client,
            ws_security: security.username_token,
            signature: security.signature.map(Arc::new),
            verify_answers: security.verify.map(Arc::new),
            mtom_threshold: mtom.then_some(mtom_threshold),
            addressing,
        })
    }

    /// The backend's `addressing:` switch against what its binding says.
    fn addressing(
        &mut self,
        file: &Path,
        raw: Option<&Spanned<String>>,
        binding: &crate::wsdl::Binding,
    ) -> Option<WsaVersion> {
        let said = binding.addressing.as_ref().map(|a| a.version);
        let Some(r) = raw else { return said };
        match r.value.trim() {
            "auto" => said,
            "on" | "true" | "yes" => Some(said.unwrap_or(WsaVersion::V2005)),
            "off" | "false" | "no" => {
                if binding.addressing.as_ref().is_some_and(|a| a.required) {
                    self.diags.push(
                        Diagnostic::new(
                            file,
                            loc(r),
                            format!(
                                "binding {} requires WS-Addressing ({}), and `addressing: off` leaves its headers out",
                                binding.name.local,
                                binding.addressing.as_ref().map_or("", |a| a.source)
                            ),
                        )
                        .hint("remove `addressing: off`: the backend refuses messages without the headers"),
                    );
                }
                None
            }
            "2005/08" | "1.0" => Some(WsaVersion::V2005),
            "2004/08" => Some(WsaVersion::V2004),
            other => {
                self.diags.push(
                    Diagnostic::new(file, loc(r), format!("addressing `{other}` is not known"))
                        .hint("use `auto` (the default), `on`, `off`, `2005/08` or `2004/08`"),
                );
                None
            }
        }
    }
}

/// `512KiB`, `10MiB`, `1048576`.
pub fn parse_size(s: &str) -> Option<usize> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: usize = n.parse().ok()?;
    let mult = match unit.trim() {
        "" | "B" => 1,
        "KiB" | "KB" | "k" | "K" => 1 << 10,
        "MiB" | "MB" | "M" => 1 << 20,
        "GiB" | "GB" | "G" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(mult)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("512KiB"), Some(512 * 1024));
        assert_eq!(parse_size("10MiB"), Some(10 << 20));
        assert_eq!(parse_size("100"), Some(100));
        assert_eq!(parse_size("ten"), None);
    }
}
