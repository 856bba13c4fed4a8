//! The XSD regular expression language (the `pattern` facet), translated to anchored Rust
//! regexes for checking values and to ECMA-262 for JSON Schema.
//!
//! May import: the `regex` crate; nothing of the crate.

/// The regular expression language an XSD pattern is translated to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RegexDialect {
    /// Rust's `regex` crate (checking values).
    Rust,
    /// ECMA-262, what JSON Schema's `pattern` uses (OpenAPI).
    Ecma,
}

/// Translates an XSD regular expression to an anchored one in `dialect`. `None` when it
/// uses constructs with no equivalent there (Unicode block names; class subtraction and
/// unknown escapes in ECMA-262).
pub fn xsd_regex(xsd: &str, dialect: RegexDialect) -> Option<String> {
    let ecma = dialect == RegexDialect::Ecma;
    if xsd.contains("\\p{Is") || xsd.contains("\\P{Is") {
        return None;
    }
    let mut out = String::with_capacity(xsd.len() + 8);
    let mut chars = xsd.chars().peekable();
    let mut depth = 0usize;
    while let Some(c) = chars.next() {
        let in_class = depth > 0;
        match c {
            '\\' => match chars.next() {
                Some('i') => out.push_str(if in_class { "_:A-Za-z" } else { "[_:A-Za-z]" }),
                Some('I') if !in_class => out.push_str("[^_:A-Za-z]"),
                Some('c') => out.push_str(if in_class {
                    "\\-._:A-Za-z0-9"
                } else {
                    "[\\-._:A-Za-z0-9]"
                }),
                Some('C') if !in_class => out.push_str("[^\\-._:A-Za-z0-9]"),
                Some('I' | 'C') => return None,
                // ECMA-262 (with the `u` flag) allows `\-` only inside classes.
                Some('-') if ecma && !in_class => out.push('-'),
                Some(
                    e @ ('n' | 'r' | 't' | '\\' | '|' | '.' | '?' | '*' | '+' | '(' | ')' | '{'
                    | '}' | '-' | '[' | ']' | '^' | '$' | 'd' | 'D' | 's' | 'S' | 'w' | 'W'
                    | 'p' | 'P'),
                ) => {
                    out.push('\\');
                    out.push(e);
                }
                Some(other) if !ecma => {
                    out.push('\\');
                    out.push(other);
                }
                Some(_) => return None,
                None if ecma => return None,
                None => out.push_str("\\\\"),
            },
            '[' => {
                // ECMA-262 has no nested classes.
                if ecma && in_class {
                    return None;
                }
                depth += 1;
                out.push('[');
            }
            ']' => {
                depth = depth.saturating_sub(1);
                out.push(']');
            }
            // Class subtraction `[a-z-[aeiou]]` is Rust's `[a-z--[aeiou]]`; ECMA-262 lacks it.
            '-' if in_class && chars.peek() == Some(&'[') => {
                if ecma {
                    return None;
                }
                out.push_str("--");
            }
            // Rust would read `[:` as the start of an ASCII class name.
            ':' if !ecma && in_class && out.ends_with('[') => out.push_str("\\:"),
            // XSD has no anchors: `^` and `$` outside classes are literal characters.
            '^' if !in_class => out.push_str("\\^"),
            '$' => out.push_str("\\$"),
            '/' if ecma => out.push_str("\\/"),
            _ => out.push(c),
        }
    }
    Some(format!("^(?:{out})$"))
}

/// Translates an XSD regular expression to an anchored Rust regex. `None` when it uses
/// constructs with no equivalent here (Unicode block names).
pub fn translate_pattern(xsd: &str) -> Option<regex::Regex> {
    let re = xsd_regex(xsd, RegexDialect::Rust)?;
    regex::RegexBuilder::new(&re)
        .size_limit(1 << 20)
        .build()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_anchored_and_translated() {
        let r = translate_pattern("[0-9]{5}").expect("pattern");
        assert!(r.is_match("12345"));
        assert!(!r.is_match("123456"));
        assert!(!r.is_match("a12345"));
        let r = translate_pattern("\\i\\c*").expect("name pattern");
        assert!(r.is_match("abc-1"));
        assert!(!r.is_match("1abc"));
        let r = translate_pattern("a$b").expect("literal dollar");
        assert!(r.is_match("a$b"));
        let r = translate_pattern("[a-z-[aeiou]]+").expect("subtraction");
        assert!(r.is_match("xyz"));
        assert!(!r.is_match("xaz"));
        let r = translate_pattern("[\\i-[:]][\\c-[:]]*").expect("NCName");
        assert!(r.is_match("tns1"));
        assert!(!r.is_match("a:b"));
        assert!(translate_pattern("\\p{IsBasicLatin}+").is_none());
    }
}
