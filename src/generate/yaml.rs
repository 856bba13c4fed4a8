//! YAML text, written by hand: scalars quoted only when a plain one would be read
//! differently, comment text made safe for one line, wrapped comment blocks and aligned
//! trailing comments.
//!
//! No crate quotes this way: a YAML serializer picks its own quoting for every scalar, so the
//! generated files (pinned by their users and the snapshot tests) would change.
//!
//! May import: nothing of the crate.

use std::fmt::Write as _;

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
pub(super) fn comment_text(s: &str) -> String {
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
pub(super) fn comment_block(out: &mut String, indent: &str, text: &str, width: usize) {
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
pub(super) fn aligned(out: &mut String, indent: &str, lines: &[(String, String)]) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
