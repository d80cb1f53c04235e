//! The regular expressions of rule queries (`match()`, `search()`): checked and compiled once,
//! when the rule file loads, and evaluated with the compiled pattern.
//!
//! The JSONPath engine compiles the pattern of `match(@.from, '...')` again for every node it
//! tests, and takes a pattern that does not compile, or an argument that is not a string, for "no
//! match": a rule with a typo in its pattern never fired, and a large pattern cost a compile per
//! fact. So every pattern must be a string literal that compiles (with a bound on its compiled
//! size), or the rule file is a located error; and the query that runs is rewritten so that the
//! engine never sees a pattern: `match(LHS, 'p')` becomes `in(LHS, $['p'][K])`, where `$['p'][K]`
//! lists the strings of the data that pattern `K` matches, computed with the compiled pattern
//! once per run of the query, and the data itself moves under `$['d']` (every root query is
//! rewritten to read there). `in` is the engine's membership test: true when `LHS` is one of
//! those strings, false when it is anything else (a number, a missing member, several nodes),
//! as `match()` is.

use std::collections::HashSet;
use std::sync::Arc;

use jsonpath_rust::parser::model::Filter;
use jsonpath_rust::parser::model::{
    Comparable, Comparison, FilterAtom, FnArg, JpQuery, Literal, Segment, Selector, SingularQuery,
    SingularQuerySegment, Test, TestFunction,
};
use regex::Regex;
use serde_json::Value;

/// The most a pattern may compile to: the regex crate's own default, which the JSONPath
/// engine used; it bounds what compiling and running a pattern costs, whatever a rule file
/// holds.
pub const MAX_COMPILED_BYTES: usize = 10 << 20;

/// Where the data moves to, and where the matches of each pattern are, in the rewritten root.
const DATA: &str = "d";
const MATCHES: &str = "p";

/// A pattern that cannot be used, with the text of the pattern (to locate it in the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub pattern: Option<String>,
    pub message: String,
}

/// The compiled patterns of one query, in the order the query holds them.
#[derive(Debug)]
struct Patterns {
    regexes: Vec<Regex>,
    /// String literals a pattern is applied to (`match('text', 'p')`): candidates too.
    literals: Vec<String>,
}

/// A query ready to run: as parsed when it holds no regular expression, else rewritten to read
/// the precomputed matches of its patterns.
#[derive(Clone, Debug)]
pub struct Runnable {
    query: JpQuery,
    patterns: Option<Arc<Patterns>>,
}

impl Runnable {
    /// Checks and compiles the patterns of `query`; the error names the first that cannot be
    /// used.
    pub fn new(query: &JpQuery) -> Result<Runnable, PatternError> {
        let mut found = Vec::new();
        let mut checked = query.clone();
        walk(&mut checked, false, &mut |function| match function {
            TestFunction::Match(lhs, pattern) => found.push(compile(lhs, pattern, true)),
            TestFunction::Search(lhs, pattern) => found.push(compile(lhs, pattern, false)),
            _ => {}
        });
        if found.is_empty() {
            return Ok(Runnable {
                query: query.clone(),
                patterns: None,
            });
        }
        let mut patterns = Patterns {
            regexes: Vec::with_capacity(found.len()),
            literals: Vec::new(),
        };
        for compiled in found {
            let (regex, literal) = compiled?;
            patterns.regexes.push(regex);
            patterns.literals.extend(literal);
        }
        let mut rewritten = query.clone();
        rewritten
            .segments
            .insert(0, Segment::Selector(Selector::Name(DATA.to_owned())));
        let mut next = 0;
        walk(&mut rewritten, true, &mut |function| {
            if let TestFunction::Match(lhs, _) | TestFunction::Search(lhs, _) = function {
                let matches = JpQuery::new(vec![
                    Segment::Selector(Selector::Name(MATCHES.to_owned())),
                    Segment::Selector(Selector::Index(next)),
                ]);
                next += 1;
                *function = TestFunction::Custom(
                    "in".to_owned(),
                    vec![lhs.clone(), FnArg::Test(Box::new(Test::AbsQuery(matches)))],
                );
            }
        });
        Ok(Runnable {
            query: rewritten,
            patterns: Some(Arc::new(patterns)),
        })
    }

    /// Runs the query over `root`, calling `each` with every node it selects and its path (as
    /// if `root` were the root, whatever the rewriting). A query over a plain `Value` cannot
    /// fail once it has parsed; should the engine still refuse, nothing is selected.
    pub fn run(&self, root: &Value, each: &mut dyn FnMut(&Value, &str)) {
        let Some(patterns) = &self.patterns else {
            if let Ok(found) = jsonpath_rust::query::js_path_process(&self.query, root) {
                found.iter().for_each(|f| each(f.val, &f.path));
            }
            return;
        };
        let mut wrapped = serde_json::Map::with_capacity(2);
        wrapped.insert(MATCHES.to_owned(), patterns.matches(root));
        wrapped.insert(DATA.to_owned(), root.clone());
        let wrapped = Value::Object(wrapped);
        let prefix = format!("$['{DATA}']");
        if let Ok(found) = jsonpath_rust::query::js_path_process(&self.query, &wrapped) {
            for f in found {
                let path = f.path.strip_prefix(&prefix).unwrap_or(&f.path);
                each(f.val, &format!("${path}"));
            }
        }
    }
}

impl Patterns {
    /// Per pattern, the strings of `data` (and the literals it is applied to) that it matches.
    fn matches(&self, data: &Value) -> Value {
        let mut candidates: HashSet<&str> = self.literals.iter().map(String::as_str).collect();
        strings(data, &mut candidates);
        Value::Array(
            self.regexes
                .iter()
                .map(|regex| {
                    Value::Array(
                        (candidates.iter())
                            .filter(|text| regex.is_match(text))
                            .map(|text| Value::String((*text).to_owned()))
                            .collect(),
                    )
                })
                .collect(),
        )
    }
}

fn strings<'a>(value: &'a Value, out: &mut HashSet<&'a str>) {
    match value {
        Value::String(text) => {
            out.insert(text);
        }
        Value::Array(items) => items.iter().for_each(|item| strings(item, out)),
        Value::Object(map) => map.values().for_each(|item| strings(item, out)),
        _ => {}
    }
}

/// The compiled pattern of one `match()` or `search()`, and the literal it is applied to.
fn compile(
    lhs: &FnArg,
    pattern: &FnArg,
    anchored: bool,
) -> Result<(Regex, Option<String>), PatternError> {
    let function = if anchored { "match" } else { "search" };
    let text = match pattern {
        FnArg::Literal(Literal::String(text)) => text,
        FnArg::Literal(other) => {
            return Err(PatternError {
                pattern: None,
                message: format!(
                    "the pattern of `{function}()` is `{other}`, not a string: it could never match"
                ),
            });
        }
        _ => {
            return Err(PatternError {
                pattern: None,
                message: format!(
                    "the pattern of `{function}()` must be a string literal, so that it is \
                     checked and compiled when the rule loads"
                ),
            });
        }
    };
    let literal = match lhs {
        FnArg::Literal(Literal::String(text)) => Some(text.clone()),
        FnArg::Literal(other) => {
            return Err(PatternError {
                pattern: Some(text.clone()),
                message: format!(
                    "`{function}()` is applied to `{other}`, not a string: it could never match"
                ),
            });
        }
        // RFC 9535: the text must be one value; several nodes are never a string.
        FnArg::Test(test) if !singular(test) => {
            return Err(PatternError {
                pattern: Some(text.clone()),
                message: format!(
                    "`{function}()` is applied to a query that can select several nodes; name                      one member (`@.a.b`, `@.a[0]`) or wrap it in `value()`"
                ),
            });
        }
        _ => None,
    };
    let regex = regex::RegexBuilder::new(&translate(text, anchored))
        .size_limit(MAX_COMPILED_BYTES)
        .build()
        .map_err(|error| PatternError {
            pattern: Some(text.clone()),
            message: format!(
                "invalid regular expression in `{function}()`: {}",
                reason(&error)
            ),
        })?;
    Ok((regex, literal))
}

/// Whether a query selects at most one node: names and indices only (RFC 9535's singular
/// query), or a function.
fn singular(test: &Test) -> bool {
    let one = |segment: &Segment| {
        matches!(
            segment,
            Segment::Selector(Selector::Name(_) | Selector::Index(_))
        )
    };
    match test {
        Test::RelQuery(segments) => segments.iter().all(one),
        Test::AbsQuery(query) => query.segments.iter().all(one),
        Test::Function(_) => true,
    }
}

/// The regex crate's reason, without its copy of the pattern and caret.
fn reason(error: &regex::Error) -> String {
    match error {
        regex::Error::CompiledTooBig(limit) => {
            format!("it compiles to more than {} MiB", limit / (1 << 20))
        }
        other => {
            let text = other.to_string();
            text.lines()
                .rev()
                .find_map(|line| line.trim().strip_prefix("error: "))
                .unwrap_or(&text)
                .to_owned()
        }
    }
}

/// An I-Regexp (RFC 9485, which `match()` and `search()` take) in the regex crate's syntax, as
/// the JSONPath engine reads it: `.` outside a class matches neither `\n` nor `\r`, and
/// `match()` is anchored at both ends.
fn translate(pattern: &str, anchored: bool) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                out.extend(chars.next());
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            '.' if !in_class => out.push_str(r"[^\n\r]"),
            c => out.push(c),
        }
    }
    if anchored {
        format!("^(?:{out})$")
    } else {
        out
    }
}

/// Calls `visit` on every function of `query`, innermost first, in document order. With
/// `rebase`, every query of the root in it (not the query itself) is moved under `$['d']`.
fn walk(query: &mut JpQuery, rebase: bool, visit: &mut dyn FnMut(&mut TestFunction)) {
    segments(&mut query.segments, rebase, visit);
}

fn segments(segments: &mut [Segment], rebase: bool, visit: &mut dyn FnMut(&mut TestFunction)) {
    for segment in segments {
        self::segment(segment, rebase, visit);
    }
}

fn segment(segment: &mut Segment, rebase: bool, visit: &mut dyn FnMut(&mut TestFunction)) {
    match segment {
        Segment::Descendant(inner) => self::segment(inner, rebase, visit),
        Segment::Selector(selector) => self::selector(selector, rebase, visit),
        Segment::Selectors(selectors) => {
            for selector in selectors {
                self::selector(selector, rebase, visit);
            }
        }
    }
}

fn selector(selector: &mut Selector, rebase: bool, visit: &mut dyn FnMut(&mut TestFunction)) {
    if let Selector::Filter(filter) = selector {
        self::filter(filter, rebase, visit);
    }
}

fn filter(filter: &mut Filter, rebase: bool, visit: &mut dyn FnMut(&mut TestFunction)) {
    match filter {
        Filter::Or(filters) | Filter::And(filters) => {
            for filter in filters {
                self::filter(filter, rebase, visit);
            }
        }
        Filter::Atom(FilterAtom::Filter { expr, .. }) => self::filter(expr, rebase, visit),
        Filter::Atom(FilterAtom::Test { expr, .. }) => test(expr, rebase, visit),
        Filter::Atom(FilterAtom::Comparison(comparison)) => {
            let (left, right) = match &mut **comparison {
                Comparison::Eq(a, b)
                | Comparison::Ne(a, b)
                | Comparison::Gt(a, b)
                | Comparison::Gte(a, b)
                | Comparison::Lt(a, b)
                | Comparison::Lte(a, b) => (a, b),
            };
            comparable(left, rebase, visit);
            comparable(right, rebase, visit);
        }
    }
}

fn comparable(comparable: &mut Comparable, rebase: bool, visit: &mut dyn FnMut(&mut TestFunction)) {
    match comparable {
        Comparable::Literal(_) => {}
        Comparable::Function(f) => function(f, rebase, visit),
        Comparable::SingularQuery(SingularQuery::Root(segments)) if rebase => {
            segments.insert(0, SingularQuerySegment::Name(DATA.to_owned()));
        }
        Comparable::SingularQuery(_) => {}
    }
}

fn test(test: &mut Test, rebase: bool, visit: &mut dyn FnMut(&mut TestFunction)) {
    match test {
        Test::RelQuery(relative) => segments(relative, rebase, visit),
        Test::AbsQuery(query) => {
            if rebase {
                query
                    .segments
                    .insert(0, Segment::Selector(Selector::Name(DATA.to_owned())));
            }
            walk(query, rebase, visit);
        }
        Test::Function(f) => function(f, rebase, visit),
    }
}

fn function(f: &mut TestFunction, rebase: bool, visit: &mut dyn FnMut(&mut TestFunction)) {
    match f {
        TestFunction::Custom(_, args) => args.iter_mut().for_each(|a| arg(a, rebase, visit)),
        TestFunction::Length(a) => arg(a, rebase, visit),
        TestFunction::Value(a) | TestFunction::Count(a) => arg(a, rebase, visit),
        TestFunction::Search(a, b) | TestFunction::Match(a, b) => {
            arg(a, rebase, visit);
            arg(b, rebase, visit);
        }
    }
    visit(f);
}

fn arg(arg: &mut FnArg, rebase: bool, visit: &mut dyn FnMut(&mut TestFunction)) {
    match arg {
        FnArg::Literal(_) => {}
        FnArg::Test(t) => test(t, rebase, visit),
        FnArg::Filter(f) => filter(f, rebase, visit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(query: &str) -> JpQuery {
        jsonpath_rust::parser::parse_json_path(query).unwrap()
    }

    fn run(query: &str, data: &Value) -> Vec<(Value, String)> {
        let mut found = Vec::new();
        Runnable::new(&parse(query))
            .unwrap()
            .run(data, &mut |value, path| {
                found.push((value.clone(), path.to_owned()))
            });
        found
    }

    fn engine(query: &str, data: &Value) -> Vec<(Value, String)> {
        jsonpath_rust::query::js_path_process(&parse(query), data)
            .unwrap()
            .into_iter()
            .map(|f| (f.val.clone(), f.path))
            .collect()
    }

    /// Whatever the query, the precomputed matches select what the engine's own `match()` and
    /// `search()` select, at the same paths.
    #[test]
    fn the_rewritten_query_selects_what_the_engine_does() {
        let data = json!({
            "senders": [
                {"id": "a", "from": "noreply@example.com", "n": 5, "region": "us-east-1",
                 "tags": ["x@y", "line\nbreak"], "nested": {"from": "b@c"}},
                {"id": "b", "from": "Name <a@b.c>", "n": "5", "region": "eu-west-1",
                 "tags": [], "nested": {"from": 7}},
                {"id": "c", "region": null, "tags": ["us-east-1"]},
            ],
            "pattern": "us-.*",
        });
        for query in [
            "$.senders[?match(@.from, '.*@example\\\\.com')]",
            "$.senders[?search(@.from, '@')]",
            "$.senders[?!match(@.from, '.*@example\\\\.com')]",
            "$.senders[?match(@.n, '5')]",
            "$.senders[?match(@.region, 'us-.*') || search(@.nested.from, 'b')]",
            "$.senders[?match(@.region, 'us-.*') && @.id == 'a']",
            "$.senders[?@.tags[?match(@, 'line.break')]]",
            "$.senders[?@.tags[?search(@, 'us-')]]",
            "$.senders[?search(@.missing, 'x')]",
            "$.senders[?match(@.tags, '.*')]",
            "$.senders[?match(@.tags[*], '.*')]",
            "$.senders[?match(value(@.tags[*]), '.*')]",
            "$.senders[?match(@.tags[0], 'x.y')]",
            "$.senders[?match('us-east-1', 'us-.*') && $.pattern == 'us-.*']",
            "$..[?search(@.from, 'b')]",
            "$.senders[?match(@.region, $.pattern)]",
            "$.senders[?search(@.from, '[')]",
        ] {
            let compiled = Runnable::new(&parse(query));
            if query.contains("$.pattern)")
                || query.contains("'['")
                || query.contains("match(@.tags[*]")
            {
                // Refused at load: a pattern read from the data, one that does not compile, a
                // text of several nodes.
                assert!(compiled.is_err(), "{query}");
                continue;
            }
            assert_eq!(run(query, &data), engine(query, &data), "{query}");
        }
    }

    #[test]
    fn a_query_without_patterns_runs_as_parsed() {
        let runnable = Runnable::new(&parse("$.senders[?@.n == 5]")).unwrap();
        assert!(runnable.patterns.is_none());
    }

    #[test]
    fn bad_patterns_are_refused_with_the_reason() {
        let error = |query: &str| Runnable::new(&parse(query)).unwrap_err();
        let e = error("$.s[?match(@.a, '[')]");
        assert_eq!(e.pattern.as_deref(), Some("["));
        assert!(e.message.contains("unclosed character class"), "{e:?}");
        let e = error("$.s[?search(@.a, '\\\\w{1000}\\\\w{1000}')]");
        assert!(e.message.contains("more than 10 MiB"), "{e:?}");
        let e = error("$.s[?match(@.a, 5)]");
        assert!(e.message.contains("not a string"), "{e:?}");
        let e = error("$.s[?match(@.a, @.b)]");
        assert!(e.message.contains("string literal"), "{e:?}");
        let e = error("$.s[?match(5, 'x')]");
        assert!(e.message.contains("applied to `5`"), "{e:?}");
    }
}
