//! Placeholders in request templates: `{path.id}`, `{query.limit:10}`, `{header.X-Tenant}`,
//! `{body}`, `{body.customer.name}`, and the authenticated caller: `{auth.consumer}`,
//! `{auth.sub}`, `{auth.provider}`, `{auth.claims.tenant}`. `{{` and `}}` write literal
//! braces.
//!
//! May import nothing from soapbridge.

/// Where a placeholder takes its value from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Path(String),
    Query(String),
    Header(String),
    /// What the edge established about the caller: `consumer`, `sub`, `provider`, or
    /// `claims.<name>` (a token claim).
    Auth(String),
    /// A dotted path into the JSON body; empty for the whole body.
    Body(Vec<String>),
}

impl Source {
    pub fn describe(&self) -> String {
        match self {
            Source::Path(n) => format!("path parameter `{n}`"),
            Source::Query(n) => format!("query parameter `{n}`"),
            Source::Header(n) => format!("header `{n}`"),
            Source::Auth(n) => format!("the caller's `{n}`"),
            Source::Body(p) if p.is_empty() => "the request body".into(),
            Source::Body(p) => format!("body field `{}`", p.join(".")),
        }
    }

    /// Path, query and header values are text.
    pub fn is_text(&self) -> bool {
        !matches!(self, Source::Body(_))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ref {
    pub source: Source,
    /// `{query.limit:10}`: the text used when the parameter is absent.
    pub default: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Literal(String),
    Ref(Ref),
}

/// Splits a template string into literal text and placeholders.
pub fn parse(s: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' if matches!(chars.peek(), Some((_, '{'))) => {
                chars.next();
                lit.push('{');
            }
            '}' if matches!(chars.peek(), Some((_, '}'))) => {
                chars.next();
                lit.push('}');
            }
            '{' => {
                let rest = &s[i + 1..];
                let end = rest
                    .find('}')
                    .ok_or_else(|| format!("`{{` at position {i} is not closed"))?;
                let inner = &rest[..end];
                // Skip the placeholder's characters.
                for _ in 0..inner.chars().count() + 1 {
                    chars.next();
                }
                if !lit.is_empty() {
                    pieces.push(Piece::Literal(std::mem::take(&mut lit)));
                }
                pieces.push(Piece::Ref(parse_ref(inner)?));
            }
            '}' => {
                return Err(format!(
                    "`}}` at position {i} has no opening `{{` (write `}}}}` for a brace)"
                ));
            }
            _ => lit.push(c),
        }
    }
    if !lit.is_empty() {
        pieces.push(Piece::Literal(lit));
    }
    Ok(pieces)
}

fn parse_ref(inner: &str) -> Result<Ref, String> {
    let (head, default) = match inner.split_once(':') {
        Some((h, d)) => (h.trim(), Some(d.to_owned())),
        None => (inner.trim(), None),
    };
    let (kind, name) = match head.split_once('.') {
        Some((k, n)) => (k, n),
        None => (head, ""),
    };
    let source = match kind {
        "path" | "query" | "header" if name.is_empty() => {
            return Err(format!("`{{{kind}}}` needs a name, as in `{{{kind}.id}}`"));
        }
        "path" => Source::Path(name.to_owned()),
        "query" => Source::Query(name.to_owned()),
        "header" => Source::Header(name.to_ascii_lowercase()),
        "auth" => match name {
            "consumer" | "sub" | "provider" => Source::Auth(name.to_owned()),
            claim if claim.starts_with("claims.") && claim.len() > "claims.".len() => {
                Source::Auth(claim.to_owned())
            }
            _ => {
                return Err(format!(
                    "`{{{inner}}}`: the caller offers `auth.consumer`, `auth.sub`, `auth.provider` and `auth.claims.<name>`"
                ));
            }
        },
        "body" if name.is_empty() => Source::Body(Vec::new()),
        "body" => Source::Body(name.split('.').map(str::to_owned).collect()),
        other => {
            return Err(format!(
                "`{{{inner}}}`: unknown source `{other}`; use path, query, header, auth or body"
            ));
        }
    };
    if default.is_some() && !source.is_text() {
        return Err(format!(
            "`{{{inner}}}`: only path, query, header and auth values take a default"
        ));
    }
    Ok(Ref { source, default })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_literals() {
        assert_eq!(
            parse("ORD-{path.id}").expect("parses"),
            vec![
                Piece::Literal("ORD-".into()),
                Piece::Ref(Ref {
                    source: Source::Path("id".into()),
                    default: None
                })
            ]
        );
        assert_eq!(
            parse("{query.limit:10}").expect("parses"),
            vec![Piece::Ref(Ref {
                source: Source::Query("limit".into()),
                default: Some("10".into())
            })]
        );
        assert_eq!(
            parse("{body.customer.name}").expect("parses"),
            vec![Piece::Ref(Ref {
                source: Source::Body(vec!["customer".into(), "name".into()]),
                default: None
            })]
        );
        assert_eq!(
            parse("a {{b}} c").expect("parses"),
            vec![Piece::Literal("a {b} c".into())]
        );
    }

    #[test]
    fn header_names_are_case_insensitive() {
        assert_eq!(
            parse("{header.X-Tenant}").expect("parses"),
            vec![Piece::Ref(Ref {
                source: Source::Header("x-tenant".into()),
                default: None
            })]
        );
    }

    #[test]
    fn mistakes_are_explained() {
        assert!(
            parse("{paht.id}")
                .expect_err("typo")
                .contains("unknown source `paht`")
        );
        assert!(
            parse("{path}")
                .expect_err("no name")
                .contains("needs a name")
        );
        assert!(parse("{path.id").expect_err("open").contains("not closed"));
        assert!(
            parse("{body:x}")
                .expect_err("default")
                .contains("take a default")
        );
    }
}
