//! What the face reads from a parsed query itself, around async-graphql's execution: the
//! documents kept by text (and which of their operations passed full validation), the root
//! fields of the selected operation (their count for the limit, their order and positions
//! for the answer), and the `null` a failed field leaves in `data`.
//!
//! ```text
//! text ──Documents::parse──> Parsed { doc, over the root limit?, checked ops }  (once per text)
//! doc ──roots──> [(response key, position)] ──order data, put paths on root-field errors
//! doc ──too_many_roots──> error before anything runs
//! ```

use std::sync::{Arc, Mutex};

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, PathSegment, Pos, Positioned, ServerError, Value};

/// How deep fragments are followed when walking a selection (validation refuses cycles;
/// this bounds the walk before it has run).
const MAX_FRAGMENT_DEPTH: u32 = 32;

/// A document kept for its text.
pub struct Parsed {
    pub doc: ExecutableDocument,
    /// The root-field limit's refusal, worked out once for the text.
    pub over_limit: Option<ServerError>,
    /// Operation names (`None`: the request named none) that passed the strict validation
    /// with no variables. Validation without variables depends only on the schema, the text
    /// and the operation, so the same request again can skip the rules that cannot change.
    checked: Mutex<Vec<Option<String>>>,
}

impl Parsed {
    /// `doc`, checked against `max_root_fields`.
    pub fn new(doc: ExecutableDocument, max_root_fields: usize) -> Self {
        Self {
            over_limit: too_many_roots(&doc, max_root_fields),
            doc,
            checked: Mutex::new(Vec::new()),
        }
    }

    /// Whether `operation` of this text passed the strict validation before.
    pub fn checked(&self, operation: Option<&str>) -> bool {
        self.checked
            .lock()
            .is_ok_and(|c| c.iter().any(|o| o.as_deref() == operation))
    }

    /// Records that `operation` passed the strict validation.
    pub fn mark_checked(&self, operation: Option<&str>) {
        if let Ok(mut c) = self.checked.lock()
            && !c.iter().any(|o| o.as_deref() == operation)
            && c.len() < 16
        {
            c.push(operation.map(str::to_owned));
        }
    }
}

/// Parsed documents by query text, bounded in count and text length.
pub struct Documents {
    cache: quick_cache::sync::Cache<String, Arc<Parsed>>,
    max_root_fields: usize,
}

/// How many parsed query texts a schema keeps.
const PARSED_QUERIES: usize = 512;
/// Longer query texts are parsed every time (the cache stays a few MiB at most).
const CACHED_QUERY_BYTES: usize = 4 << 10;

impl Documents {
    pub fn new(max_root_fields: usize) -> Self {
        Self {
            cache: quick_cache::sync::Cache::new(PARSED_QUERIES),
            max_root_fields,
        }
    }

    /// Gives `request` its parsed document: the one kept for its text, or a new one (kept
    /// when the text is short). A text that does not parse is left for execution to report.
    pub fn parse(&self, request: &mut async_graphql::Request) -> Option<Arc<Parsed>> {
        let cacheable = request.query.len() <= CACHED_QUERY_BYTES;
        if !cacheable {
            let _ = request.parsed_query();
            return None;
        }
        if let Some(p) = self.cache.get(request.query.as_str()) {
            request.set_parsed_query(p.doc.clone());
            return Some(p);
        }
        let doc = request.parsed_query().ok()?.clone();
        let p = Arc::new(Parsed::new(doc, self.max_root_fields));
        self.cache.insert(request.query.clone(), p.clone());
        Some(p)
    }
}

/// The root fields the selected operation asks for: response key and position, in query
/// order (a key asked twice, which GraphQL merges, appears at each of its positions).
pub fn roots(doc: &ExecutableDocument, operation: Option<&str>) -> Vec<(String, Pos)> {
    fn walk(
        doc: &ExecutableDocument,
        set: &SelectionSet,
        depth: u32,
        out: &mut Vec<(String, Pos)>,
    ) {
        if depth > MAX_FRAGMENT_DEPTH {
            return;
        }
        for s in &set.items {
            match &s.node {
                Selection::Field(f) => {
                    out.push((f.node.response_key().node.to_string(), f.pos));
                }
                Selection::InlineFragment(f) => {
                    walk(doc, &f.node.selection_set.node, depth + 1, out)
                }
                Selection::FragmentSpread(f) => {
                    if let Some(d) = doc.fragments.get(&f.node.fragment_name.node) {
                        walk(doc, &d.node.selection_set.node, depth + 1, out);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for (name, op) in doc.operations.iter() {
        if operation.is_none() || name.map(|n| n.as_str()) == operation {
            walk(doc, &op.node.selection_set.node, 0, &mut out);
            break;
        }
    }
    out
}

/// An error for the first operation of `doc` with more than `max` root fields (each is a
/// backend call), before anything runs.
pub fn too_many_roots(doc: &ExecutableDocument, max: usize) -> Option<ServerError> {
    doc.operations.iter().find_map(|(_, op)| {
        let n = count_root_fields(doc, &op.node.selection_set, 0);
        (n > max).then(|| {
            ServerError::new(
                format!(
                    "the operation has {n} root fields; at most {max} are allowed in one request (each is a backend call)"
                ),
                Some(op.pos),
            )
        })
    })
}

/// The fields (introspection aside) a root selection set selects, fragments followed.
fn count_root_fields(
    doc: &ExecutableDocument,
    set: &Positioned<SelectionSet>,
    depth: u32,
) -> usize {
    if depth > MAX_FRAGMENT_DEPTH {
        return 0;
    }
    set.node
        .items
        .iter()
        .map(|s| match &s.node {
            Selection::Field(f) => usize::from(!f.node.name.node.starts_with("__")),
            Selection::InlineFragment(f) => {
                count_root_fields(doc, &f.node.selection_set, depth + 1)
            }
            Selection::FragmentSpread(f) => doc
                .fragments
                .get(&f.node.fragment_name.node)
                .map_or(0, |d| {
                    count_root_fields(doc, &d.node.selection_set, depth + 1)
                }),
        })
        .sum()
}

/// Gives each error without a path that sits at a root field's position that field's
/// path: async-graphql's dynamic schema leaves a resolver's error without one, and only
/// the root fields' resolvers fail (nested fields read the answer already there).
pub fn root_error_paths(errors: &mut [ServerError], roots: &[(String, Pos)]) {
    for e in errors.iter_mut().filter(|e| e.path.is_empty()) {
        if let [at] = e.locations.as_slice()
            && let Some((key, _)) = roots.iter().find(|(_, p)| p == at)
        {
            e.path = vec![PathSegment::Field(key.clone())];
        }
    }
}

/// Puts `null` at `path` when the key is missing and its parent object exists.
pub fn null_at(data: &mut async_graphql::indexmap::IndexMap<Name, Value>, path: &[PathSegment]) {
    let Some((PathSegment::Field(first), rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        data.entry(Name::new(first)).or_insert(Value::Null);
        return;
    }
    let mut cur = data.get_mut(first.as_str());
    let mut rest = rest;
    while let Some((seg, more)) = rest.split_first() {
        match (cur, seg) {
            (Some(Value::List(items)), PathSegment::Index(i)) => {
                if more.is_empty() {
                    return;
                }
                cur = items.get_mut(*i);
            }
            (Some(Value::Object(m)), PathSegment::Field(f)) => {
                if more.is_empty() {
                    m.entry(Name::new(f)).or_insert(Value::Null);
                    return;
                }
                cur = m.get_mut(f.as_str());
            }
            _ => return,
        }
        rest = more;
    }
}

/// `data`'s root keys in the order of `roots`, the others after them.
pub fn order(data: &mut async_graphql::indexmap::IndexMap<Name, Value>, roots: &[(String, Pos)]) {
    let mut sorted = async_graphql::indexmap::IndexMap::with_capacity(data.len());
    for (k, _) in roots {
        if let Some(v) = data.shift_remove(k.as_str()) {
            sorted.insert(Name::new(k), v);
        }
    }
    sorted.extend(std::mem::take(data));
    *data = sorted;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(text).expect("parses")
    }

    #[test]
    fn an_operation_is_checked_only_once_marked_and_only_by_its_name() {
        let p = Parsed::new(doc("query A { a } query B { b }"), 10);
        assert!(!p.checked(Some("A")));
        p.mark_checked(Some("A"));
        assert!(p.checked(Some("A")));
        assert!(!p.checked(Some("B")));
        assert!(!p.checked(None));
    }

    #[test]
    fn roots_follow_fragments_and_keep_every_position_of_a_key() {
        let d = doc("query { x: a ...F ... on Query { c } x: a }\nfragment F on Query { b }");
        let keys: Vec<String> = roots(&d, None).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["x", "b", "c", "x"]);
        let named = doc("query A { a } query B { b }");
        let keys: Vec<String> = roots(&named, Some("B"))
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys, ["b"]);
    }

    #[test]
    fn a_root_error_gets_its_path_and_others_keep_theirs() {
        let d = doc("{ a b }");
        let r = roots(&d, None);
        let at_b = r[1].1;
        let mut errors = vec![
            ServerError::new("b failed", Some(at_b)),
            ServerError::new("elsewhere", Some(Pos { line: 9, column: 9 })),
        ];
        root_error_paths(&mut errors, &r);
        assert_eq!(errors[0].path, vec![PathSegment::Field("b".into())]);
        assert!(errors[1].path.is_empty());
    }

    #[test]
    fn too_many_roots_counts_fragments_not_introspection() {
        let d = doc("{ a __typename ...F }\nfragment F on Query { b c }");
        assert!(too_many_roots(&d, 3).is_none());
        let e = too_many_roots(&d, 2).expect("over the limit");
        assert!(e.message.contains("3 root fields"), "{}", e.message);
    }
}
