//! Is this loose file a CloudFormation template? A cheap textual guess before parsing, and the
//! real answer after.

use crate::load::{Loaded, ProblemKind};
use crate::tree::{Node, Value};

/// Whether `text` looks enough like a template that a parse failure should be reported: it
/// mentions `AWSTemplateFormatVersion`, or has a top-level `Resources` key. A broken
/// `tsconfig.json` or workflow handed over by a pre-commit hook is not ours to judge.
///
/// In YAML "top-level" means a line that starts with the key (optionally quoted) and a colon;
/// in JSON, where indentation proves nothing, any `"Resources"` key counts.
pub fn looks_like_template(text: &str) -> bool {
    if text.contains("AWSTemplateFormatVersion") {
        return true;
    }
    let body = text.trim_start_matches('\u{feff}');
    if body.trim_start().starts_with('{') {
        return json_key_present(body, "\"Resources\"");
    }
    body.lines().any(|line| {
        let rest = ["Resources", "\"Resources\"", "'Resources'"]
            .iter()
            .find_map(|key| line.strip_prefix(key));
        rest.is_some_and(|rest| rest.trim_start_matches([' ', '\t']).starts_with(':'))
    })
}

fn json_key_present(text: &str, quoted: &str) -> bool {
    text.match_indices(quoted).any(|(at, _)| {
        text.get(at + quoted.len()..)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// Whether a loaded document is a template: a mapping with `AWSTemplateFormatVersion`, or with a
/// `Resources` mapping in which at least one entry is a mapping with a string `Type`. "At least
/// one" rather than "every": a template with one malformed resource is still ours to check.
pub fn is_template(root: &Node) -> bool {
    let Some(map) = root.as_map() else {
        return false;
    };
    if map.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    let Some(resources) = map.get("Resources").and_then(Node::as_map) else {
        return false;
    };
    resources.iter().any(|(_, resource)| {
        matches!(
            resource.get("Type").map(|t| &t.value),
            Some(Value::String(_))
        )
    })
}

/// Whether a document after the first of a multi-document YAML file (`first` is the load of the
/// whole text, which stops at the second `---`) is a template. Each document is loaded on its
/// own, once, so the check is linear in the file's size.
pub fn later_document_is_template(text: &str, first: &Loaded) -> bool {
    let next_start = |loaded: &Loaded| {
        loaded
            .problems
            .iter()
            .find(|p| p.kind == ProblemKind::MultiDocument)
            .map(|p| p.span.start as usize)
    };
    let mut at = next_start(first);
    while let Some(start) = at.filter(|s| *s > 0) {
        let Some(rest) = text.get(start..) else {
            return false;
        };
        let loaded = crate::load::yaml::load(rest);
        if loaded
            .document
            .as_ref()
            .is_some_and(|d| is_template(&d.root))
        {
            return true;
        }
        at = next_start(&loaded).map(|next| start + next);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::json;

    #[test]
    fn textual_guess() {
        assert!(looks_like_template(
            "AWSTemplateFormatVersion: '2010-09-09'\n"
        ));
        assert!(looks_like_template("Description: x\nResources:\n  A: !Ref"));
        assert!(looks_like_template("\"Resources\" :\n  A: [\n"));
        assert!(looks_like_template(
            "{\n  \"Resources\" : {\"A\": {\"Type\": \"X\""
        ));
        assert!(looks_like_template("\u{feff}{\"Resources\":{"));
        assert!(looks_like_template("\u{feff}Resources:\n"));
        // Nested or unrelated keys do not count.
        assert!(!looks_like_template(
            "spec:\n  Resources:\n    limits: {}\n"
        ));
        assert!(!looks_like_template("ResourcesExtra: 1\n"));
        assert!(!looks_like_template(
            "{\"compilerOptions\": {\"strict\": true,}}"
        ));
        assert!(!looks_like_template("{\"name\": \"Resources\"}"));
        assert!(!looks_like_template(""));
    }

    fn root(text: &str) -> Node {
        json::load(text).document.unwrap().root
    }

    #[test]
    fn later_documents_are_judged_one_by_one() {
        let later = |text: &str| later_document_is_template(text, &crate::load::yaml::load(text));
        assert!(!later(
            "kind: A\n---\nResources: just a string\n---\nkind: B\n"
        ));
        assert!(later(
            "kind: A\n---\nkind: B\n---\nResources:\n  Q: {Type: AWS::SQS::Queue}\n"
        ));
        assert!(!later("Resources:\n  Q: {Type: AWS::SQS::Queue}\n"));
    }

    #[test]
    fn structural_answer() {
        assert!(is_template(&root(
            r#"{"AWSTemplateFormatVersion": "2010-09-09"}"#
        )));
        assert!(is_template(&root(
            r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}"#
        )));
        assert!(is_template(&root(
            r#"{"Resources": {"Bad": 1, "Q": {"Type": "AWS::SQS::Queue"}}}"#
        )));
        assert!(!is_template(&root(r#"{"Resources": {}}"#)));
        assert!(!is_template(&root(r#"{"Resources": {"Q": {"Type": 3}}}"#)));
        assert!(!is_template(&root(r#"{"Resources": ["Q"]}"#)));
        assert!(!is_template(&root(r#"{"version": "1", "artifacts": {}}"#)));
        assert!(!is_template(&root(r#"["AWSTemplateFormatVersion"]"#)));
    }
}
