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
