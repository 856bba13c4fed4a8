//! Located configuration errors: where, what, why, and the fix.
//!
//! May import `suggest`.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::suggest::did_you_mean;

/// One problem in a mapping file, with its position and a hint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based; 0 when the position is not known.
    pub line: u64,
    pub column: u64,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(
        file: &Path,
        at: Option<serde_saphyr::Location>,
        message: impl Into<String>,
    ) -> Self {
        let (line, column) = at.map_or((0, 0), |l| (l.line(), l.column()));
        Self {
            file: file.to_owned(),
            line,
            column,
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                self.line,
                self.column,
                self.message
            )?;
        } else {
            write!(f, "{}: {}", self.file.display(), self.message)?;
        }
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

/// A hint naming the closest known name, or listing the known names.
pub fn hint_for(given: &str, known: &[&str], what: &str) -> String {
    let list = if known.len() > 12 {
        format!("{} (and {} more)", known[..12].join(", "), known.len() - 12)
    } else {
        known.join(", ")
    };
    match did_you_mean(given, known) {
        Some(dym) => format!("{dym} known {what}: {list}"),
        None if known.is_empty() => format!("there are no {what}"),
        None => format!("known {what}: {list}"),
    }
}

/// Where a value was written, for a diagnostic.
pub fn loc<T>(s: &serde_saphyr::Spanned<T>) -> Option<serde_saphyr::Location> {
    Some(s.referenced)
}

/// A YAML syntax or shape error's first line without its own "line N column M:" prefix
/// (the diagnostic prints the position itself).
pub fn strip_location_prefix(msg: &str) -> String {
    let first = msg.lines().next().unwrap_or(msg);
    let first = first.strip_prefix("error: ").unwrap_or(first);
    // "line 2 column 1: unknown field ..." → "unknown field ..."
    if first.starts_with("line ")
        && let Some((_, rest)) = first.split_once(": ")
    {
        return rest.to_owned();
    }
    first.to_owned()
}

/// A serde-saphyr error as a diagnostic: its first line, without the position it repeats
/// (`... at line 6, column 3`), and for an unknown key the closest known one.
pub fn yaml_error(path: &Path, e: &serde_saphyr::Error) -> Diagnostic {
    let msg = strip_location_prefix(&e.without_snippet().to_string());
    let msg = match msg.rfind(" at line ") {
        Some(i) if msg[i..].contains(", column ") => msg[..i].to_owned(),
        _ => msg,
    };
    match unknown_field(&msg) {
        Some((key, known)) => Diagnostic::new(path, e.location(), format!("unknown key `{key}`"))
            .hint(hint_for(key, &known, "keys here")),
        None => Diagnostic::new(path, e.location(), msg),
    }
}

/// `unknown field `timout`, expected one of `a`, `b`` → ("timout", ["a", "b"]).
fn unknown_field(msg: &str) -> Option<(&str, Vec<&str>)> {
    let rest = msg.strip_prefix("unknown field `")?;
    let (key, rest) = rest.split_once('`')?;
    let list = rest
        .split_once("expected one of ")
        .map(|(_, l)| l)
        .or_else(|| rest.split_once("expected ").map(|(_, l)| l))
        .unwrap_or("");
    let known = list
        .split(", ")
        .map(|k| k.trim().trim_matches('`'))
        .filter(|k| !k.is_empty() && !k.contains(' '))
        .collect();
    Some((key, known))
}

/// Parses `text` as YAML into `T`, and when a key is unknown, reports it and parses again
/// without that key (its line and the lines indented below it turned blank, so every
/// position stays true), so that one misspelled key does not hide the mistakes after it.
/// `Err` holds every diagnostic when the text cannot be parsed at all.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<T> {
    let mut text = std::borrow::Cow::Borrowed(text);
    // Each round removes one key; a file has far fewer mistakes than this.
    for _ in 0..32 {
        match serde_saphyr::from_str::<T>(&text) {
            Ok(v) => return Some(v),
            Err(e) => {
                let d = yaml_error(path, &e);
                let unknown = d.message.starts_with("unknown key `");
                let at = e.location();
                diags.push(d);
                let at = at.filter(|_| unknown)?;
                match without_key(&text, at.line() as usize, at.column() as usize) {
                    Some(t) => text = std::borrow::Cow::Owned(t),
                    None => return None,
                }
            }
        }
    }
    None
}

/// `text` with the key at (line, column) blanked, with its block.
fn without_key(text: &str, line: usize, column: usize) -> Option<String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let i = line.checked_sub(1)?;
    let key_line = lines.get(i)?;
    let indent = column.checked_sub(1)?;
    // The position must be the start of a key (`timout:` or `- timout:`).
    if !key_line.get(indent..)?.contains(':') {
        return None;
    }
    let mut out: Vec<&str> = Vec::with_capacity(lines.len());
    out.extend_from_slice(&lines[..i]);
    // A key after `- ` starts the item: keep the dash, so the list stays a list.
    let prefix = &key_line[..indent];
    let dash_item = prefix.trim_end().ends_with('-');
    let kept = if dash_item { prefix.trim_end() } else { "" };
    out.push(kept);
    let mut j = i + 1;
    while j < lines.len() {
        let l = lines[j];
        let deeper = l.len() - l.trim_start().len() > indent;
        if l.trim().is_empty() || deeper {
            out.push("");
            j += 1;
        } else {
            break;
        }
    }
    out.extend_from_slice(&lines[j..]);
    Some(out.join("\n"))
}

#[cfg(test)]
mod yaml_tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        timeout: Option<String>,
        nested: Option<Inner>,
        after: Option<u32>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        a: Option<u32>,
    }

    #[test]
    fn every_unknown_key_is_reported_once_with_a_hint_and_parsing_goes_on() {
        let text =
            "timout: 5s\nnested:\n  a: 1\n  bb: 2\nextra:\n  deep: 1\n  deeper: 2\nafter: 3\n";
        let mut diags = Vec::new();
        let doc: Option<Doc> = parse_yaml(Path::new("m.yaml"), text, &mut diags);
        let doc = doc.expect("parsed without the unknown keys");
        assert_eq!(doc.after, Some(3));
        let shown: Vec<String> = diags.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 3, "{shown:?}");
        assert!(
            shown[0]
                .starts_with("m.yaml:1:1: unknown key `timout`\n  hint: did you mean `timeout`?"),
            "{}",
            shown[0]
        );
        assert!(
            shown[1].starts_with("m.yaml:4:3: unknown key `bb`"),
            "{}",
            shown[1]
        );
        assert!(
            shown[2].starts_with("m.yaml:5:1: unknown key `extra`"),
            "{}",
            shown[2]
        );
        assert!(!shown.iter().any(|s| s.contains("at line")), "{shown:?}");
    }
}
