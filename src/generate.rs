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

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use crate::mapping::compile::{required_keys, scalar_target};
use crate::wsdl::{
    self, Content, Operation, Particle, Schema, SlotKind, SoapVersion, Term, TypeId, Variety, Wsdl,
};

use crate::mapping::compile::is_reserved;

/// First words of operation names that read (compared in lower case).
pub const READ_VERBS: &[&str] = &["get", "find", "list", "search", "query", "read"];

/// Last words of input names that identify a resource (compared in lower case).
pub const ID_WORDS: &[&str] = &["id", "key", "code", "uuid", "guid", "number", "token"];

/// Words that make an input a credential, never an id in a path (logs keep paths).
pub const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "session",
    "api",
    "apikey",
    "auth",
    "access",
    "bearer",
    "refresh",
    "security",
    "credential",
    "credentials",
    "login",
    "csrf",
    "otp",
];

/// Nouns left alone when a path wants a plural.
const UNCOUNTABLE: &[&str] = &[
    "data",
    "info",
    "information",
    "metadata",
    "media",
    "equipment",
    "software",
    "firmware",
    "hardware",
    "news",
    "feedback",
    "health",
];

/// Where the mock backend listens by default (`soapbridge mock`), for endpoint defaults.
const MOCK_BASE: &str = "http://127.0.0.1:8081";

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

// ----- names ----------------------------------------------------------------------------

/// Splits a name into words: at `_`, `-`, `.` and other separators, before an upper-case
/// letter that follows a lower-case letter or a digit, and before the last capital of an
/// acronym (`HTTPStatus` → `HTTP`, `Status`).
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(&prev) = i.checked_sub(1).and_then(|p| chars.get(p))
            && !cur.is_empty()
            && c.is_uppercase()
        {
            let after_lower = prev.is_lowercase() || prev.is_numeric();
            let acronym_end =
                prev.is_uppercase() && chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if after_lower || acronym_end {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    // A lone capital after a digit belongs to it: `Dot1X` → `Dot1X`, not `Dot1`, `X`.
    let mut merged: Vec<String> = Vec::with_capacity(out.len());
    for w in out {
        let lone_capital = w.chars().count() == 1 && w.chars().all(char::is_uppercase);
        match merged.last_mut() {
            Some(prev) if lone_capital && prev.ends_with(|c: char| c.is_numeric()) => {
                prev.push_str(&w);
            }
            _ => merged.push(w),
        }
    }
    merged
}

/// Words in lower case, ASCII letters and digits only, joined by `-`: `GetCustomer` →
/// `get-customer`. Empty when the name has no ASCII letter or digit.
pub fn kebab_case(name: &str) -> String {
    kebab_words(&words(name))
}

fn kebab_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            w.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The read verb an operation name starts with (`Get`, `findAll` → `find`), if any.
pub fn read_verb(op_name: &str) -> Option<String> {
    let first = words(op_name).into_iter().next()?;
    let lower = first.to_lowercase();
    READ_VERBS.contains(&lower.as_str()).then_some(first)
}

/// The plural of the last word of a kebab-case name: `customer` → `customers`,
/// `category` → `categories`, `address` → `addresses`; words already ending in `s`, words
/// ending in a digit and a few uncountable nouns stay as they are.
pub fn plural(kebab: &str) -> String {
    let (head, last) = match kebab.rsplit_once('-') {
        Some((h, l)) => (format!("{h}-"), l),
        None => (String::new(), kebab),
    };
    let keep = last.is_empty()
        || UNCOUNTABLE.contains(&last)
        || last.ends_with(|c: char| c.is_ascii_digit())
        || last.ends_with("us")
        || (last.ends_with('s') && !last.ends_with("ss"));
    let word = if keep {
        last.to_owned()
    } else if ["ss", "x", "z", "ch", "sh"]
        .iter()
        .any(|e| last.ends_with(e))
    {
        format!("{last}es")
    } else if let Some(stem) = last.strip_suffix('y')
        && stem.ends_with(|c: char| !"aeiou".contains(c))
        && !stem.is_empty()
    {
        format!("{stem}ies")
    } else {
        format!("{last}s")
    };
    format!("{head}{word}")
}

/// The singular of the last word of a kebab-case name (the reverse of [`plural`]).
pub fn singular(kebab: &str) -> String {
    let (head, last) = match kebab.rsplit_once('-') {
        Some((h, l)) => (format!("{h}-"), l),
        None => (String::new(), kebab),
    };
    let word =
        if UNCOUNTABLE.contains(&last) || ["ss", "us", "is"].iter().any(|e| last.ends_with(e)) {
            last.to_owned()
        } else if let Some(stem) = last.strip_suffix("ies")
            && !stem.is_empty()
        {
            format!("{stem}y")
        } else if let Some(stem) = ["sses", "shes", "ches", "xes", "zes"].iter().find_map(|e| {
            last.strip_suffix(e)
                .map(|s| format!("{s}{}", &e[..e.len() - 2]))
        }) {
            stem
        } else if let Some(stem) = last.strip_suffix('s') {
            stem.to_owned()
        } else {
            last.to_owned()
        };
    format!("{head}{word}")
}

/// Whether an input name looks like an identifier: its last word is one of [`ID_WORDS`]
/// (`id`, `customerId`, `customer_id`, `orderID`, `ProfileToken`, `countryCode`), and no
/// word makes it a credential ([`SECRET_WORDS`]: `sessionId`, `apiKey`, `accessToken`).
pub fn is_id_name(name: &str) -> bool {
    let w: Vec<String> = words(name).iter().map(|w| w.to_lowercase()).collect();
    let Some(last) = w.last() else { return false };
    ID_WORDS.contains(&last.as_str()) && !w.iter().any(|x| SECRET_WORDS.contains(&x.as_str()))
}

/// What an id-like name identifies: its words but the last, in kebab-case
/// (`customerId` → `customer`, `id` → empty).
fn id_stem(name: &str) -> String {
    let w = words(name);
    kebab_words(&w[..w.len().saturating_sub(1)])
}

/// A path parameter name (`[A-Za-z0-9_]+`) for an input key.
pub fn param_name(key: &str) -> String {
    let s: String = key
        .trim_start_matches('@')
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if s.chars().all(|c| c == '_') {
        "id".into()
    } else {
        s
    }
}

/// An environment variable name for a service's URL: `CustomerService` →
/// `CUSTOMER_SERVICE_URL`.
pub fn env_name(name: &str) -> String {
    let mut s = kebab_case(name).replace('-', "_").to_ascii_uppercase();
    if s.is_empty() {
        s = "SOAP_BACKEND".into();
    } else if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("SOAP_{s}");
    }
    format!("{s}_URL")
}

// ----- YAML text ------------------------------------------------------------------------

/// A YAML scalar: plain when that is unambiguous, otherwise double-quoted and escaped.
pub fn yaml_scalar(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_owned()
    } else {
        double_quoted(s)
    }
}

fn is_plain_safe(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".inf", ".nan",
    ];
    let Some(first) = s.chars().next() else {
        return false;
    };
    (first.is_ascii_alphabetic()
        || first == '_'
        || first == '/'
        || s.starts_with("./")
        || s.starts_with("../"))
        && !s.ends_with(' ')
        && !s.contains("  ")
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./{} ".contains(c))
        && !SPECIAL.contains(&s.to_ascii_lowercase().as_str())
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text made safe for one comment line: line breaks and control characters become spaces.
fn comment_text(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}') {
                ' '
            } else {
                c
            }
        })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Writes `text` as `#` comment lines of at most `width` characters, each indented.
fn comment_block(out: &mut String, indent: &str, text: &str, width: usize) {
    let text = comment_text(text);
    // Spaces inside `code` do not break a line (when the backquotes pair up).
    let protect = text.matches('`').count().is_multiple_of(2);
    let mut atoms: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut in_code = false;
    for c in text.chars() {
        if c == '`' && protect {
            in_code = !in_code;
        }
        if c == ' ' && !in_code {
            atoms.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    atoms.push(cur);
    let mut line = String::new();
    for word in atoms.iter().filter(|a| !a.is_empty()) {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            let _ = writeln!(out, "{indent}# {line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}# {line}");
    }
}

/// Lines `code  # comment`, with the comments of a block aligned.
fn aligned(out: &mut String, indent: &str, lines: &[(String, String)]) {
    let width = lines
        .iter()
        .map(|(c, _)| c.chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    for (code, note) in lines {
        if note.is_empty() {
            let _ = writeln!(out, "{indent}{code}");
        } else {
            let pad = width.saturating_sub(code.chars().count());
            let _ = writeln!(
                out,
                "{indent}{code}{}  # {}",
                " ".repeat(pad),
                comment_text(note)
            );
        }
    }
}

fn plural_s(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Up to `max` names, then "and N more".
fn name_list(names: &[String], max: usize) -> String {
    if names.len() <= max {
        names.join(", ")
    } else {
        format!(
            "{}, and {} more",
            names[..max].join(", "),
            names.len() - max
        )
    }
}

// ----- binding ----------------------------------------------------------------------------

/// The binding the mapping calls, and how the mapping names it.
struct BindingChoice {
    binding: usize,
    /// (service index, port index) when a service port exposes the binding.
    port: Option<(usize, usize)>,
    /// Why this binding: comment text.
    why: String,
}

fn usable_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        && !s.contains('$')
        && !s.contains('}')
}

/// Ports exposing binding `i`, those with a usable address first.
fn ports_of(w: &Wsdl, i: usize) -> Vec<(usize, usize)> {
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
fn port_resolves(w: &Wsdl, si: usize, pi: usize) -> bool {
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

fn binding_label(w: &Wsdl, i: usize) -> String {
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

fn choose_binding(w: &Wsdl, opts: &Options) -> Result<BindingChoice, GenerateError> {
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

// ----- operations -----------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Verb {
    Get,
    Post,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
        }
    }
}

/// How an operation is served, and why.
#[derive(Clone, Debug)]
pub struct Classification {
    pub verb: Verb,
    /// The comment that explains the choice.
    pub why: String,
}

/// GET when the operation reads (see [`read_verb`]), answers, and every top-level input is
/// a simple value a path or query parameter can carry; POST otherwise.
pub fn classify(schema: &Schema, op: &Operation) -> Classification {
    let post = |why: String| Classification {
        verb: Verb::Post,
        why,
    };
    let Some(verb) = read_verb(&op.name) else {
        return post(format!(
            "POST with the JSON body as the input: `{}` does not start with {}, so it may change data.",
            op.name, READ_VERBS_LABEL
        ));
    };
    if op.output.is_none() {
        return post(format!(
            "POST: `{}` starts with `{verb}` but is one-way (no answer), so it is not served as a read.",
            op.name
        ));
    }
    if let Some(why) = non_scalar_input(schema, op.input.body.content) {
        return post(format!(
            "POST with the JSON body as the input: `{}` reads (it starts with `{verb}`), but {why}, which a query string cannot carry.",
            op.name
        ));
    }
    Classification {
        verb: Verb::Get,
        why: format!(
            "GET: `{}` reads (it starts with `{verb}`) and every input is a simple value, so the path and the query carry them. For a JSON body instead, make it POST and drop `request`.",
            op.name
        ),
    }
}

const READ_VERBS_LABEL: &str = "Get, Find, List, Search, Query or Read";

/// Why the input content cannot come from the path and query, if it cannot.
fn non_scalar_input(schema: &Schema, content: TypeId) -> Option<String> {
    if schema.is_any_type(content) {
        return Some("its input is free-form (xsd:anyType)".into());
    }
    let Some(c) = schema.complex(content) else {
        return Some("its input is not a set of fields".into());
    };
    if c.array.is_some() || !matches!(c.content, Content::Elements(_) | Content::Empty) {
        return Some("its input is not a set of fields".into());
    }
    for s in &c.slots {
        let ty = slot_type(schema, content, s.key.as_ref());
        if ty.is_none_or(|t| scalar_target(schema, t).is_none() || schema.is_any_type(t)) {
            let label = ty.map_or_else(|| "unknown".to_owned(), |t| schema.type_label(t));
            return Some(format!("input `{}` is {label}, not a simple value", s.key));
        }
    }
    None
}

fn slot_type(schema: &Schema, content: TypeId, key: &str) -> Option<TypeId> {
    let c = schema.complex(content)?;
    let s = c.slot(key)?;
    Some(match s.kind {
        SlotKind::Element(e) => schema.element(e).ty,
        SlotKind::Attribute(i) => c.attributes.get(i)?.ty,
    })
}

/// Element names that sit inside an `xsd:choice` of a content model.
fn choice_members(schema: &Schema, content: TypeId) -> HashSet<String> {
    fn walk(schema: &Schema, p: &Particle, in_choice: bool, out: &mut HashSet<String>) {
        match &p.term {
            Term::Element(e) => {
                if in_choice {
                    out.insert(schema.element(*e).name.local.to_string());
                }
            }
            Term::Sequence(items) | Term::All(items) => {
                for i in items {
                    walk(schema, i, in_choice, out);
                }
            }
            Term::Choice(items) => {
                for i in items {
                    walk(schema, i, true, out);
                }
            }
            Term::Any(_) => {}
        }
    }
    let mut out = HashSet::new();
    if let Some(c) = schema.complex(content)
        && let Content::Elements(p) = &c.content
    {
        walk(schema, p, false, &mut out);
    }
    out
}

/// The id-like required input of a GET operation, preferring one named after `resource`.
pub fn id_input(schema: &Schema, content: TypeId, resource: &str) -> Option<String> {
    let c = schema.complex(content)?;
    let required = required_keys(schema, content);
    let candidates: Vec<&str> = c
        .slots
        .iter()
        .filter(|s| !s.repeated && matches!(s.kind, SlotKind::Element(_)))
        .filter(|s| required.iter().any(|r| **r == *s.key))
        .filter(|s| is_id_name(&s.key))
        .filter(|s| {
            slot_type(schema, content, &s.key)
                .and_then(|t| scalar_target(schema, t))
                .and_then(|t| schema.simple(t))
                .is_some_and(|st| {
                    st.builtin.json_kind() != wsdl::JsonKind::Boolean
                        && !matches!(st.variety, Variety::List(_))
                })
        })
        .map(|s| &*s.key)
        .collect();
    candidates
        .iter()
        .find(|k| names_resource(&id_stem(k), resource))
        .or_else(|| candidates.first())
        .map(|k| (*k).to_owned())
}

/// Whether an id's stem names the resource: `customer` for `customers`, and for
/// `video-source-configuration` the stem `configuration` (the resource is a kind of it).
fn names_resource(stem: &str, resource: &str) -> bool {
    let one = singular(resource);
    !stem.is_empty()
        && (stem == resource
            || stem == one
            || plural(stem) == resource
            || one.ends_with(&format!("-{stem}"))
            || resource.ends_with(&format!("-{stem}")))
}

/// Words that, right after the verb, make the rest of the name no resource
/// (`list_by_category`).
const PREPOSITIONS: &[&str] = &["by", "for", "from", "with", "since", "of", "in", "on", "to"];

/// The resource an operation reads: its name without the read verb, cut before `By`/`For`
/// (`GetCustomerById` → `customer`), in kebab-case; the whole name when nothing is left or
/// the rest starts with a preposition (`list_by_category` → `list-by-category`).
pub fn resource_name(op_name: &str) -> String {
    let w = words(op_name);
    let after_verb = w.get(1).map(|x| x.to_lowercase());
    let rest: Vec<String> = if read_verb(op_name).is_some()
        && !after_verb.is_some_and(|x| PREPOSITIONS.contains(&x.as_str()))
    {
        let rest = &w[1..];
        let cut = rest
            .iter()
            .enumerate()
            .skip(1)
            .find(|(_, x)| matches!(x.to_lowercase().as_str(), "by" | "for"))
            .map_or(rest.len(), |(i, _)| i);
        rest[..cut].to_vec()
    } else {
        w.clone()
    };
    let k = kebab_words(&rest);
    if k.is_empty() { kebab_words(&w) } else { k }
}

/// The REST path of a GET route: `/{plural}/{param}`, `/{parents}/{param}/{resource}`, or
/// `/{resource}` without an id; with the comment explaining it.
fn get_path(resource: &str, id: Option<(&str, &str)>) -> (String, String) {
    match id {
        None => (
            format!("/{resource}"),
            format!("`/{resource}`: the operation's name without its verb, in kebab-case."),
        ),
        Some((key, param)) => {
            let stem = id_stem(key);
            if stem.is_empty() || names_resource(&stem, resource) {
                let p = plural(resource);
                (
                    format!("/{p}/{{{param}}}"),
                    format!(
                        "`/{p}/{{{param}}}`: the resource (the name without its verb, plural) and the id-like input `{key}`."
                    ),
                )
            } else {
                let rest = resource
                    .strip_prefix(&format!("{stem}-"))
                    .unwrap_or(resource);
                let parents = plural(&stem);
                (
                    format!("/{parents}/{{{param}}}/{rest}"),
                    format!(
                        "`/{parents}/{{{param}}}/{rest}`: the id-like input `{key}` names the parent resource, `{rest}` comes from the operation's name."
                    ),
                )
            }
        }
    }
}

/// Routes already taken, per method, as `mapping::compile` registers them.
struct Taken {
    routers: HashMap<Verb, matchit::Router<String>>,
    /// Path parameter name used after each static prefix, so that routes sharing a prefix
    /// share the name (the router refuses two names in one place).
    param_names: HashMap<String, String>,
}

impl Taken {
    fn new() -> Self {
        Self {
            routers: HashMap::new(),
            param_names: HashMap::new(),
        }
    }

    /// Registers `base + path` for `op` if it is free; `Err` names the reason it is not.
    fn try_insert(&mut self, verb: Verb, base: &str, path: &str, op: &str) -> Result<(), String> {
        let full = format!("{base}{path}");
        if is_reserved(&full) {
            return Err(format!("`{full}` is served by soapbridge itself"));
        }
        let router = self.routers.entry(verb).or_default();
        match router.insert(full.clone(), op.to_owned()) {
            Ok(()) => Ok(()),
            Err(matchit::InsertError::Conflict { with }) => {
                let by = router
                    .at(&with)
                    .map(|m| m.value.clone())
                    .unwrap_or_default();
                Err(format!("`{} {full}` is taken by {by}", verb.as_str()))
            }
            Err(e) => Err(format!("`{full}`: {e}")),
        }
    }
}

/// A path to try, with the comment explaining it.
type Candidate = (String, String);

/// A route planned for one operation.
struct Planned<'w> {
    op: &'w Operation,
    class: Classification,
    path: String,
    path_why: String,
    /// (input key, path parameter) of the id in the path.
    id: Option<(String, String)>,
}

fn plan_route<'w>(
    schema: &Schema,
    op: &'w Operation,
    base: &str,
    taken: &mut Taken,
) -> Planned<'w> {
    let class = classify(schema, op);
    let content = op.input.body.content;
    let op_kebab = {
        let k = kebab_case(&op.name);
        if k.is_empty() {
            "operation".to_owned()
        } else {
            k
        }
    };
    let (mut candidates, id): (Vec<Candidate>, Option<(String, String)>) = match class.verb {
        Verb::Get => {
            let resource = resource_name(&op.name);
            let resource = if resource.is_empty() {
                op_kebab.clone()
            } else {
                resource
            };
            let id = id_input(schema, content, &resource).map(|k| {
                let p = param_name(&k);
                (k, p)
            });
            let (primary, why) = get_path(
                &resource,
                id.as_ref().map(|(k, p)| (k.as_str(), p.as_str())),
            );
            let fallback = match &id {
                Some((_, p)) => format!("/{op_kebab}/{{{p}}}"),
                None => format!("/{op_kebab}"),
            };
            let mut c = vec![(primary, why)];
            if c[0].0 != fallback {
                c.push((
                    fallback.clone(),
                    format!("`{fallback}`: the operation's name in kebab-case."),
                ));
            }
            (c, id)
        }
        Verb::Post => (
            vec![(
                format!("/{op_kebab}"),
                format!("`/{op_kebab}`: the operation's name in kebab-case."),
            )],
            None,
        ),
    };
    // Share the parameter name of an earlier route with the same prefix.
    let mut id = id;
    if let Some((_, param)) = &mut id {
        for (path, _) in &mut candidates {
            let marker = format!("{{{param}}}");
            if let Some(at) = path.find(&marker) {
                let prefix = format!("{base}{}", &path[..at]);
                if let Some(name) = taken.param_names.get(&prefix) {
                    *path = path.replacen(&marker, &format!("{{{name}}}"), 1);
                }
            }
        }
    }
    let mut refused = Vec::new();
    let mut chosen = None;
    for (path, why) in &candidates {
        match taken.try_insert(class.verb, base, path, &op.name) {
            Ok(()) => {
                chosen = Some((path.clone(), why.clone()));
                break;
            }
            Err(e) => refused.push(e),
        }
    }
    let (path, mut path_why) = match chosen {
        Some(c) => c,
        None => {
            let (last, _) = candidates
                .last()
                .cloned()
                .unwrap_or_else(|| (format!("/{op_kebab}"), String::new()));
            let (head, tail) = match last.find("/{") {
                Some(at) => (last[..at].to_owned(), last[at..].to_owned()),
                None => (last.clone(), String::new()),
            };
            let mut n = 2;
            loop {
                let path = format!("{head}-{n}{tail}");
                let free = taken.try_insert(class.verb, base, &path, &op.name).is_ok();
                if free || n > 10_000 {
                    break (path.clone(), format!("`{path}`: numbered to be unique."));
                }
                n += 1;
            }
        }
    };
    if !refused.is_empty() {
        path_why = format!("{} {path_why}", refused.join("; ") + ", so");
    }
    // The path parameter finally used, remembered for later routes with the same prefix.
    let id = id.map(|(k, _)| {
        let p = crate::mapping::compile::path_params(&path)
            .into_iter()
            .next()
            .unwrap_or_else(|| param_name(&k));
        if let Some(at) = path.find('{') {
            taken
                .param_names
                .entry(format!("{base}{}", &path[..at]))
                .or_insert_with(|| p.clone());
        }
        (k, p)
    });
    Planned {
        op,
        class,
        path,
        path_why,
        id,
    }
}

// ----- faults ---------------------------------------------------------------------------

/// A status suggested by a fault's name, with the words that suggested it.
pub fn fault_status(name: &str) -> Option<(u16, &'static str)> {
    const RULES: &[(&[&str], u16, &str)] = &[
        (
            &["notfound", "nosuch", "doesnotexist", "notexist"],
            404,
            "not found",
        ),
        (
            &[
                "unauthorized",
                "unauthenticated",
                "notauthenticated",
                "authentication",
                "credential",
                "login",
            ],
            401,
            "authentication",
        ),
        (
            &[
                "forbidden",
                "accessdenied",
                "permission",
                "notallowed",
                "notauthorized",
            ],
            403,
            "permission",
        ),
        (&["alreadyexist", "duplicate", "conflict"], 409, "conflict"),
        (
            &["quota", "ratelimit", "throttl", "toomany"],
            429,
            "rate limit",
        ),
        (&["unavailable", "maintenance", "busy"], 503, "unavailable"),
        (
            &[
                "invalid",
                "validation",
                "rejected",
                "illegal",
                "malformed",
                "badrequest",
            ],
            422,
            "invalid input",
        ),
    ];
    let flat: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    RULES
        .iter()
        .find(|(keys, _, _)| keys.iter().any(|k| flat.contains(k)))
        .map(|(_, status, what)| (*status, *what))
}

// ----- writing ----------------------------------------------------------------------------

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
    if base.is_empty() {
        out.push_str(
            "\n# A prefix for every route below, e.g. to keep the routes of several bindings apart:\n# base_path: /api\n",
        );
    } else {
        let _ = writeln!(
            out,
            "\n# A prefix for every route below (--base-path).\nbase_path: {}",
            yaml_scalar(&base)
        );
    }

    let mut taken = Taken::new();
    let planned: Vec<Planned<'_>> = binding
        .operations
        .iter()
        .map(|op| plan_route(schema, op, &base, &mut taken))
        .collect();
    let gets = planned.iter().filter(|p| p.class.verb == Verb::Get).count();
    out.push('\n');
    comment_block(
        &mut out,
        "",
        &format!(
            "One route per operation of {}: {} GET, {} POST. GET when the operation's name starts with {READ_VERBS_LABEL} and every input is a simple value (an id-like required input in the path, the others in the query); POST with the JSON body as the input otherwise. Paths come from the operation's name in kebab-case. A fault without a matching rule answers 400 (Client/Sender faults) or 502 (all others). docs/generate.md has the details.",
            binding.name.local,
            gets,
            planned.len() - gets
        ),
        92,
    );
    out.push_str("routes:\n");
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

fn write_header(out: &mut String, w: &Wsdl, opts: &Options) {
    let _ = writeln!(
        out,
        "# REST routes for {}, generated by `soapbridge generate`.",
        comment_text(&opts.wsdl_ref)
    );
    comment_block(
        out,
        "",
        "A starting point: every choice below is explained in a comment; edit freely, then run `soapbridge check` on this file. The format is described in docs/mapping.md.",
        92,
    );
    let notes: Vec<String> = w
        .notes
        .iter()
        .chain(w.warnings.iter())
        .map(|n| comment_text(n))
        .collect();
    if !notes.is_empty() {
        out.push_str("#\n# Notes on the contract:\n");
        for n in notes.iter().take(10) {
            comment_block(out, "", &format!("- {n}"), 92);
        }
        if notes.len() > 10 {
            let _ = writeln!(
                out,
                "# - and {} more (`soapbridge inspect` lists them).",
                notes.len() - 10
            );
        }
    }
    out.push_str("version: 1\n");
}

fn write_backend(out: &mut String, w: &Wsdl, opts: &Options, choice: &BindingChoice) {
    let i = choice.binding;
    let b = &w.bindings[i];
    out.push_str("\nbackend:\n");
    let wsdl_note = match wsdl::Location::parse(&opts.wsdl_ref) {
        wsdl::Location::File(p) if p.is_absolute() => {
            "The contract, by absolute path (it shares no directory with this file)."
        }
        wsdl::Location::File(_) => "The contract, relative to this file.",
        _ => "The contract, by URL (fetched once at start-up).",
    };
    let _ = writeln!(out, "  # {wsdl_note}");
    let _ = writeln!(out, "  wsdl: {}", yaml_scalar(&opts.wsdl_ref));

    // Which binding, and the others.
    let mut text = format!("Binding {}", binding_label(w, i));
    match choice.port {
        Some((si, pi)) => text.push_str(&format!(
            ", through port {} of service {}. ",
            w.services[si].ports[pi].name, w.services[si].name.local
        )),
        None => text.push_str(", named directly: no service port exposes it. "),
    }
    text.push_str(&choice.why);
    comment_block(out, "  ", &text, 90);
    let same: Vec<usize> = (0..w.bindings.len())
        .filter(|&j| j != i && w.bindings[j].port_type == b.port_type)
        .collect();
    for j in same {
        let other = &w.bindings[j];
        let how = match ports_of(w, j)
            .into_iter()
            .find(|&(si, pi)| port_resolves(w, si, pi))
        {
            Some((si, pi)) => format!(
                "`port: {}` (service {})",
                w.services[si].ports[pi].name, w.services[si].name.local
            ),
            None => format!("`binding: {}` and no `service`/`port`", other.name.local),
        };
        comment_block(
            out,
            "  ",
            &format!(
                "The same operations over SOAP {} ({}): write {how} instead.",
                other.soap_version.label(),
                other.name.local
            ),
            90,
        );
    }
    let others: Vec<usize> = (0..w.bindings.len())
        .filter(|&j| w.bindings[j].port_type != b.port_type)
        .collect();
    if !others.is_empty() {
        comment_block(
            out,
            "  ",
            "Other bindings of this contract, with other operations: a mapping file serves one binding, so generate one file per binding, each with its own base path (routes must be unique across files):",
            90,
        );
        for j in others {
            let name = &w.bindings[j].name.local;
            let mut prefix = words(name);
            if prefix.len() > 1
                && prefix
                    .last()
                    .is_some_and(|x| x.eq_ignore_ascii_case("binding"))
            {
                prefix.pop();
            }
            let prefix = kebab_words(&prefix);
            let prefix = if prefix.is_empty() {
                "other".into()
            } else {
                prefix
            };
            let _ = writeln!(out, "  #   {}", comment_text(&binding_label(w, j)));
            let _ = writeln!(
                out,
                "  #     soapbridge generate WSDL --binding {} --base-path /{prefix} --out {prefix}.yaml",
                comment_text(name)
            );
        }
    }
    match choice.port {
        Some((si, pi)) => {
            let _ = writeln!(
                out,
                "  service: {}",
                yaml_scalar(&w.services[si].name.local)
            );
            let _ = writeln!(
                out,
                "  port: {}",
                yaml_scalar(&w.services[si].ports[pi].name)
            );
        }
        None => {
            let _ = writeln!(out, "  binding: {}", yaml_scalar(&b.name.local));
        }
    }

    // Endpoint.
    let address = choice
        .port
        .and_then(|(si, pi)| w.services[si].ports[pi].address.clone());
    let name_for_env = match choice.port {
        Some((si, _)) => w.services[si].name.local.to_string(),
        None => b.name.local.to_string(),
    };
    let var = env_name(&name_for_env);
    let (note, value) = match (&opts.endpoint, &address) {
        (Some(e), _) => ("Given with --endpoint.".to_owned(), e.clone()),
        (None, Some(a)) if usable_url(a) => (
            format!(
                "The port's soap:address in the WSDL; set {var} to call another host (or write a URL here)."
            ),
            format!("${{{var}:-{a}}}"),
        ),
        (None, Some(a)) => (
            format!(
                "The WSDL's address `{}` is not an http(s) URL, so an endpoint is required: the default is where `soapbridge mock WSDL` listens. Set {var} to the real service.",
                comment_text(a)
            ),
            format!("${{{var}:-{MOCK_BASE}/{}}}", kebab_case(&name_for_env)),
        ),
        (None, None) => (
            "The WSDL gives no address for this binding, so an endpoint is required: the default is where `soapbridge mock WSDL` listens. Set the variable to the real service.".to_owned(),
            format!("${{{var}:-{MOCK_BASE}/{}}}", kebab_case(&name_for_env)),
        ),
    };
    comment_block(out, "  ", &note, 90);
    let _ = writeln!(out, "  endpoint: {}", yaml_scalar(&value));
}

/// `name (required xsd:int)`-style description of an input field.
fn field_note(
    schema: &Schema,
    content: TypeId,
    key: &str,
    required: bool,
    repeated: bool,
    in_choice: bool,
) -> String {
    let label = slot_type(schema, content, key)
        .map(|t| schema.type_label(scalar_target(schema, t).unwrap_or(t)))
        .unwrap_or_default();
    let mut s = if required {
        format!("required {label}")
    } else {
        format!("optional {label}")
    };
    if repeated {
        s.push_str(", a list");
    }
    if in_choice {
        s.push_str(", in a choice: give exactly one of its fields");
    }
    s
}

fn write_route(out: &mut String, schema: &Schema, p: &Planned<'_>) {
    let op = p.op;
    let content = op.input.body.content;
    out.push('\n');
    let doc = op
        .documentation
        .as_deref()
        .map(comment_text)
        .filter(|d| !d.is_empty());
    match doc {
        Some(d) => {
            let d = if d.chars().count() > 300 {
                format!("{}…", d.chars().take(300).collect::<String>())
            } else {
                d
            };
            comment_block(out, "  ", &format!("{}: {d}", op.name), 90);
        }
        None => {
            let _ = writeln!(out, "  # {}", comment_text(&op.name));
        }
    }
    comment_block(out, "  ", &p.class.why, 90);
    comment_block(out, "  ", &format!("Path: {}", p.path_why), 90);
    let _ = writeln!(
        out,
        "  - route: {}",
        yaml_scalar(&format!("{} {}", p.class.verb.as_str(), p.path))
    );
    let _ = writeln!(out, "    operation: {}", yaml_scalar(&op.name));

    let c = schema.complex(content);
    let required = required_keys(schema, content);
    let in_choice = choice_members(schema, content);
    let slots: Vec<(&str, bool, bool, bool)> = c
        .map(|c| {
            c.slots
                .iter()
                .map(|s| {
                    let req = match s.kind {
                        SlotKind::Element(_) => required.iter().any(|r| **r == *s.key),
                        SlotKind::Attribute(i) => c.attributes.get(i).is_some_and(|a| a.required),
                    };
                    let choice =
                        matches!(s.kind, SlotKind::Element(_)) && in_choice.contains(&*s.key);
                    (&*s.key, req, s.repeated, choice)
                })
                .collect()
        })
        .unwrap_or_default();
    match p.class.verb {
        Verb::Get if slots.is_empty() => {
            let _ = writeln!(
                out,
                "    # No `request`: {} takes no input.",
                comment_text(&op.name)
            );
        }
        Verb::Get => {
            out.push_str("    # Where each input comes from.\n    request:\n");
            let mut used_query: HashSet<String> = HashSet::new();
            let mut lines = Vec::new();
            for &(key, req, rep, choice) in &slots {
                let note = field_note(schema, content, key, req, rep, choice);
                let (value, note) = match &p.id {
                    Some((k, param)) if k == key => (
                        format!("{{path.{param}}}"),
                        format!("{note}; id-like, so a path segment"),
                    ),
                    _ => {
                        let mut q = key.trim_start_matches('@').to_owned();
                        if q.is_empty() || used_query.contains(&q) {
                            let base = if q.is_empty() { "param".to_owned() } else { q };
                            let mut n = 2;
                            while used_query.contains(&format!("{base}_{n}")) {
                                n += 1;
                            }
                            q = format!("{base}_{n}");
                        }
                        used_query.insert(q.clone());
                        let how = if req {
                            format!("a 400 without ?{q}=")
                        } else {
                            "left out when absent".to_owned()
                        };
                        let rep_how = if rep {
                            format!(", repeat it: ?{q}=a&{q}=b")
                        } else {
                            String::new()
                        };
                        (format!("{{query.{q}}}"), format!("{note}; {how}{rep_how}"))
                    }
                };
                lines.push((
                    format!("{}: {}", yaml_scalar(key), yaml_scalar(&value)),
                    note,
                ));
            }
            aligned(out, "      ", &lines);
        }
        Verb::Post => {
            let fields: Vec<String> = slots
                .iter()
                .map(|&(key, req, rep, _)| match (req, rep) {
                    (true, true) => format!("{key} (required list)"),
                    (true, false) => format!("{key} (required)"),
                    (false, true) => format!("{key} (list)"),
                    (false, false) => key.to_owned(),
                })
                .collect();
            let text = if fields.is_empty() {
                format!(
                    "No `request`: {} takes no input, so the body may be empty.",
                    op.name
                )
            } else {
                format!(
                    "No `request`: the JSON body is the {} input ({}); top-level simple fields may also be given as query parameters of the same name. Write a `request:` template to take inputs from the path, query or headers instead.",
                    op.name,
                    name_list(&fields, 12)
                )
            };
            comment_block(out, "    ", &text, 88);
        }
    }
    if !op.input.headers.is_empty() {
        let names: Vec<String> = op.input.headers.iter().map(|h| h.key.to_string()).collect();
        comment_block(
            out,
            "    ",
            &format!(
                "The binding declares SOAP headers for {}: {}. None is sent; fill them with `soap_headers:` (docs/mapping.md), e.g.:",
                op.name,
                names.join(", ")
            ),
            88,
        );
        let _ = writeln!(out, "    # soap_headers:");
        let _ = writeln!(out, "    #   {}: {{ ... }}", comment_text(&names[0]));
    }

    write_response(out, schema, op);
    write_faults(out, op);
}

fn write_response(out: &mut String, schema: &Schema, op: &Operation) {
    let Some(output) = &op.output else {
        let _ = writeln!(
            out,
            "    # {} is one-way: answered 202 Accepted with no body.",
            comment_text(&op.name)
        );
        return;
    };
    let content = output.body.content;
    let Some(c) = schema.complex(content) else {
        out.push_str("    # No `response`: the whole output is the answer.\n");
        return;
    };
    let elements: Vec<&wsdl::Slot> = c
        .slots
        .iter()
        .filter(|s| matches!(s.kind, SlotKind::Element(_)))
        .collect();
    let all: Vec<String> = c.slots.iter().map(|s| s.key.to_string()).collect();
    match elements.as_slice() {
        [only] if !only.key.contains('.') && !only.key.is_empty() => {
            let mut note = format!(
                "`{}` is the only field of the output, so it is the answer{}",
                only.key,
                if only.repeated {
                    " (a list: [] when empty)"
                } else {
                    ""
                }
            );
            let dropped: Vec<String> = all.iter().filter(|k| **k != *only.key).cloned().collect();
            if !dropped.is_empty() {
                note.push_str(&format!(
                    "; this leaves out the output's attributes {}",
                    dropped.join(", ")
                ));
            }
            if c.open {
                note.push_str("; elements the schema leaves open ($any) are left out too");
            }
            note.push_str(". Remove `body` to answer with the whole output.");
            comment_block(out, "    ", &note, 88);
            out.push_str("    response:\n");
            let _ = writeln!(out, "      body: {}", yaml_scalar(&only.key));
        }
        _ => {
            let text = if all.is_empty() {
                "No `response`: the output has no fields; the answer is `{}`.".to_owned()
            } else {
                let example = all
                    .iter()
                    .find(|k| !k.contains('.'))
                    .map(|k| format!("; select one field with `response: {{ body: {k} }}`"))
                    .unwrap_or_default();
                format!(
                    "No `response`: the whole output ({}) is the answer{example}.",
                    name_list(&all, 12)
                )
            };
            comment_block(out, "    ", &text, 88);
        }
    }
}

fn write_faults(out: &mut String, op: &Operation) {
    if op.faults.is_empty() {
        return;
    }
    let rules: Vec<(&str, Option<(u16, &str)>)> = op
        .faults
        .iter()
        .map(|f| (f.name.as_str(), fault_status(&f.name)))
        .collect();
    let active = rules.iter().filter(|(_, s)| s.is_some()).count();
    let text = if active == rules.len() {
        "Declared faults, with the status their names suggest (a fault no rule matches answers 400 if it is the caller's, 502 otherwise)."
    } else if active == 0 {
        "Declared faults whose names do not say what went wrong: without a rule they answer 400 if they are the caller's, 502 otherwise. Uncomment to choose a status."
    } else {
        "Declared faults: a rule where the name says what went wrong; the others are suggestions to uncomment (without a rule: 400 if the fault is the caller's, 502 otherwise)."
    };
    comment_block(out, "    ", text, 88);
    let (head, item) = if active > 0 {
        ("    ", "      ")
    } else {
        ("    # ", "    #   ")
    };
    let _ = writeln!(out, "{head}faults:");
    for (name, status) in rules {
        match status {
            Some((s, what)) => aligned(
                out,
                item,
                &[
                    (
                        format!("- match: {}", yaml_scalar(name)),
                        format!("the name says {what}: {s}"),
                    ),
                    (format!("  status: {s}"), String::new()),
                ],
            ),
            None => {
                let item = if active > 0 { "      # " } else { item };
                let _ = writeln!(
                    out,
                    "{item}- match: {}  # the name does not say; 422 if it is the caller's mistake",
                    comment_text(&yaml_scalar(name))
                );
                let _ = writeln!(out, "{item}  status: 422");
            }
        }
    }
}

// ----- command line ---------------------------------------------------------------------

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
    fn names_split_into_words() {
        assert_eq!(words("GetCustomer"), ["Get", "Customer"]);
        assert_eq!(words("getRates"), ["get", "Rates"]);
        assert_eq!(words("GetHTTPStatus"), ["Get", "HTTP", "Status"]);
        assert_eq!(words("customer_id"), ["customer", "id"]);
        assert_eq!(words("orderID"), ["order", "ID"]);
        assert_eq!(words("GetV2Data"), ["Get", "V2", "Data"]);
        assert_eq!(
            words("GetDot1XConfiguration"),
            ["Get", "Dot1X", "Configuration"]
        );
        assert!(words("__").is_empty());
    }

    #[test]
    fn kebab_case_is_lower_ascii_with_dashes() {
        assert_eq!(kebab_case("PlaceOrder"), "place-order");
        assert_eq!(
            kebab_case("GetSystemDateAndTime"),
            "get-system-date-and-time"
        );
        assert_eq!(kebab_case("update_customer.email"), "update-customer-email");
        assert_eq!(kebab_case("XMLExport"), "xml-export");
        assert_eq!(kebab_case("Größe"), "gre");
        assert_eq!(kebab_case("日本"), "");
    }

    #[test]
    fn plurals_and_singulars() {
        assert_eq!(plural("customer"), "customers");
        assert_eq!(plural("category"), "categories");
        assert_eq!(plural("day"), "days");
        assert_eq!(plural("address"), "addresses");
        assert_eq!(plural("box"), "boxes");
        assert_eq!(plural("orders"), "orders");
        assert_eq!(plural("status"), "status");
        assert_eq!(plural("data"), "data");
        assert_eq!(plural("customer-address"), "customer-addresses");
        assert_eq!(plural("v2"), "v2");
        assert_eq!(singular("customers"), "customer");
        assert_eq!(singular("categories"), "category");
        assert_eq!(singular("addresses"), "address");
        assert_eq!(singular("status"), "status");
        assert_eq!(singular("order"), "order");
    }

    #[test]
    fn read_verbs_are_words_in_any_case() {
        for name in [
            "GetCustomer",
            "getRates",
            "FindCustomers",
            "ListOrders",
            "SearchItems",
            "QueryStock",
            "ReadFile",
            "get_customer",
            "Get",
        ] {
            assert!(read_verb(name).is_some(), "{name} reads");
        }
        for name in [
            "Getaway",
            "PlaceOrder",
            "Listen",
            "Ping",
            "UpdateCustomer",
            "Readjust",
        ] {
            assert!(read_verb(name).is_none(), "{name} does not read");
        }
    }

    #[test]
    fn id_names() {
        for name in [
            "id",
            "ID",
            "customerId",
            "customer_id",
            "orderID",
            "productKey",
            "countryCode",
            "ProfileToken",
            "uuid",
            "accountNumber",
        ] {
            assert!(is_id_name(name), "{name} is id-like");
        }
        for name in [
            "paid",
            "name",
            "apiKey",
            "sessionId",
            "accessToken",
            "password",
            "identity",
            "valid",
        ] {
            assert!(!is_id_name(name), "{name} is not id-like");
        }
        assert_eq!(param_name("customer-id"), "customer_id");
        assert_eq!(param_name("@id"), "id");
        assert_eq!(param_name("--"), "id");
    }

    #[test]
    fn resources_and_paths() {
        assert_eq!(resource_name("GetCustomer"), "customer");
        assert_eq!(resource_name("GetCustomerById"), "customer");
        assert_eq!(resource_name("ListOrdersForCustomer"), "orders");
        assert_eq!(resource_name("getRates"), "rates");
        assert_eq!(resource_name("Search"), "search");
        assert_eq!(resource_name("list_by_category"), "list-by-category");
        assert_eq!(resource_name("PlaceOrder"), "place-order");
        assert_eq!(
            get_path("customer", Some(("customerId", "customerId"))).0,
            "/customers/{customerId}"
        );
        assert_eq!(
            get_path("customer", Some(("id", "id"))).0,
            "/customers/{id}"
        );
        assert_eq!(
            get_path("orders", Some(("customerId", "customerId"))).0,
            "/customers/{customerId}/orders"
        );
        assert_eq!(
            get_path("customer-address", Some(("customerId", "customerId"))).0,
            "/customers/{customerId}/address"
        );
        assert_eq!(get_path("customers", None).0, "/customers");
        assert_eq!(
            get_path(
                "video-source-configuration",
                Some(("ConfigurationToken", "ConfigurationToken"))
            )
            .0,
            "/video-source-configurations/{ConfigurationToken}"
        );
    }

    #[test]
    fn env_names() {
        assert_eq!(env_name("CustomerService"), "CUSTOMER_SERVICE_URL");
        assert_eq!(env_name("AXLAPIService"), "AXLAPI_SERVICE_URL");
        assert_eq!(env_name("3dService"), "SOAP_3D_SERVICE_URL");
        assert_eq!(env_name("服务"), "SOAP_BACKEND_URL");
    }

    #[test]
    fn fault_statuses_follow_the_name() {
        assert_eq!(fault_status("CustomerNotFound").map(|s| s.0), Some(404));
        assert_eq!(fault_status("NoSuchEntity").map(|s| s.0), Some(404));
        assert_eq!(fault_status("OrderRejected").map(|s| s.0), Some(422));
        assert_eq!(fault_status("InvalidCredentials").map(|s| s.0), Some(401));
        assert_eq!(fault_status("AccessDenied").map(|s| s.0), Some(403));
        assert_eq!(fault_status("DuplicateKey").map(|s| s.0), Some(409));
        assert_eq!(fault_status("AXLError"), None);
    }

    #[test]
    fn yaml_scalars_are_quoted_when_needed() {
        assert_eq!(yaml_scalar("customerId"), "customerId");
        assert_eq!(yaml_scalar("GET /customers/{id}"), "GET /customers/{id}");
        assert_eq!(yaml_scalar("{path.id}"), "\"{path.id}\"");
        assert_eq!(yaml_scalar("@id"), "\"@id\"");
        assert_eq!(yaml_scalar("yes"), "\"yes\"");
        assert_eq!(yaml_scalar("Null"), "\"Null\"");
        assert_eq!(yaml_scalar("42"), "\"42\"");
        assert_eq!(yaml_scalar("a: b"), "\"a: b\"");
        assert_eq!(yaml_scalar("C:\\x\"y\"\n"), "\"C:\\\\x\\\"y\\\"\\n\"");
        assert_eq!(yaml_scalar(""), "\"\"");
        assert_eq!(comment_text("a\nb\u{2028}c\td"), "a b c d");
    }

    #[test]
    fn comments_wrap_between_code_spans() {
        let mut out = String::new();
        comment_block(&mut out, "  ", "write `port: Some Long Name` instead", 12);
        assert_eq!(out, "  # write\n  # `port: Some Long Name`\n  # instead\n");
        let mut out = String::new();
        comment_block(&mut out, "", "an ` odd quote\nand a break", 10);
        assert_eq!(out, "# an ` odd\n# quote and\n# a break\n");
    }

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

    fn demo() -> Wsdl {
        let mut sources = wsdl::Sources::default();
        sources
            .memory
            .insert("demo.wsdl".to_owned(), crate::cli::DEMO_WSDL);
        wsdl::load(&wsdl::Location::Memory("demo.wsdl".to_owned()), &sources)
            .expect("the demo contract loads")
    }

    #[test]
    fn get_or_post_by_name_and_inputs() {
        let w = demo();
        let b = &w.bindings[0];
        let verb = |name: &str| classify(&w.schema, b.operation(name).expect("operation")).verb;
        assert_eq!(verb("GetCustomer"), Verb::Get);
        assert_eq!(verb("FindCustomers"), Verb::Get);
        assert_eq!(verb("ListOrders"), Verb::Get);
        // Not a read name.
        assert_eq!(verb("UpdateCustomerEmail"), Verb::Post);
        assert_eq!(verb("Ping"), Verb::Post);
        // A read name, but a list of complex lines as input would not be (PlaceOrder is not
        // a read anyway); the reason names the verb.
        let c = classify(&w.schema, b.operation("PlaceOrder").expect("operation"));
        assert_eq!(c.verb, Verb::Post);
        assert!(c.why.contains("does not start with"), "{}", c.why);
    }

    #[test]
    fn ids_prefer_the_resource_name() {
        let w = demo();
        let b = &w.bindings[0];
        let content = |name: &str| b.operation(name).expect("operation").input.body.content;
        assert_eq!(
            id_input(&w.schema, content("GetCustomer"), "customer").as_deref(),
            Some("customerId")
        );
        // Optional inputs are never the id.
        assert_eq!(
            id_input(&w.schema, content("FindCustomers"), "customers"),
            None
        );
    }

    #[test]
    fn the_demo_mapping_compiles_in_memory() {
        let w = demo();
        let g = generate(
            &w,
            &Options {
                wsdl_ref: "demo.wsdl".into(),
                ..Options::default()
            },
        )
        .expect("generates");
        let mut sources = wsdl::Sources::default();
        sources
            .memory
            .insert("demo.wsdl".to_owned(), crate::cli::DEMO_WSDL);
        let opts = crate::mapping::Options {
            endpoint_override: None,
            sources,
        };
        let env = |_: &str| None;
        let mut c = crate::mapping::Compiler::new(opts, &env);
        c.add_text(Path::new("generated.yaml"), &g.yaml);
        let m = c.finish().unwrap_or_else(|d| {
            panic!(
                "{}\n{}",
                g.yaml,
                d.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        });
        assert_eq!(m.routes.len(), 6);
        assert_eq!(g.binding, "CustomerServiceSoap11");
    }

    #[test]
    fn bad_options_are_refused() {
        let w = demo();
        let with = |o: Options| generate(&w, &o).map(|_| ()).map_err(|e| e.to_string());
        let e = with(Options {
            binding: Some("Nope".into()),
            ..Options::default()
        })
        .expect_err("unknown binding");
        assert!(e.contains("CustomerServiceSoap12"), "{e}");
        assert!(
            with(Options {
                endpoint: Some("ftp://x".into()),
                ..Options::default()
            })
            .is_err()
        );
        assert!(
            with(Options {
                base_path: Some("api".into()),
                ..Options::default()
            })
            .is_err()
        );
        assert!(
            with(Options {
                binding: Some("CustomerServiceSoap12".into()),
                soap_version: Some(SoapVersion::V11),
                ..Options::default()
            })
            .is_err()
        );
    }
}
