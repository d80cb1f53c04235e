//! Terraform's two syntaxes as one spanned tree: a body of attributes and blocks whose
//! expressions keep the byte span they were written at. Native syntax (`.tf`, `.tofu`) comes from
//! `hcl-edit`; JSON syntax (`.tf.json`, `.tofu.json`, CDK for Terraform's `cdk.tf.json`) from the
//! JSON loader, its strings parsed as templates. The evaluator never learns which one it reads.

use crate::source::Span;

mod json;
mod native;

pub use json::{json_body, json_expr};
pub use native::parse_native;

/// The attributes and nested blocks of a file or a block, in source order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Body {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub name_span: Span,
    pub expr: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub kind: String,
    /// The whole header, `resource "aws_cognito_user_pool" "pool"`.
    pub header_span: Span,
    pub labels: Vec<(String, Span)>,
    pub body: Body,
    pub span: Span,
    /// CDK for Terraform's construct path (`"//": {"metadata": {"path": ...}}`).
    pub construct_path: Option<String>,
}

impl Body {
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().rev().find(|a| a.name == name)
    }

    pub fn blocks<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.kind == kind)
    }
}

/// An expression of the language, with its span.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Null(Span),
    Bool(bool, Span),
    Number(String, Span),
    /// A string, a heredoc, or a JSON-syntax string: literal text and interpolations.
    Template(Vec<Part>, Span),
    Tuple(Vec<Expr>, Span),
    Object(Vec<(Expr, Expr)>, Span),
    /// A root name: `var`, `local`, `aws_ses_email_identity`, an iterator...
    Variable(String, Span),
    /// `expr.attr`, `expr[index]`, `expr.*.attr`.
    Traversal(Box<Expr>, Vec<Step>, Span),
    Call {
        name: String,
        args: Vec<Expr>,
        /// `f(list...)`.
        expand: bool,
        span: Span,
    },
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>, Span),
    Unary(Unary, Box<Expr>, Span),
    Binary(Binary, Box<Expr>, Box<Expr>, Span),
    For(Box<ForExpr>),
    /// What could not be read (a JSON-syntax template that does not parse): evaluates to an
    /// unknown value saying so.
    Invalid(String, Span),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Attr(String),
    Index(Expr),
    /// `.*` or `[*]`: the rest of the traversal applies to each element.
    Splat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unary {
    Neg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binary {
    Eq,
    NotEq,
    Less,
    LessEq,
    Greater,
    GreaterEq,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    And,
    Or,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForExpr {
    pub key_var: Option<String>,
    pub value_var: String,
    pub collection: Expr,
    pub key: Option<Expr>,
    pub value: Expr,
    pub condition: Option<Expr>,
    pub grouping: bool,
    pub span: Span,
}

/// A piece of a template.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    Literal(String),
    Interpolation(Expr),
    If {
        condition: Expr,
        then: Vec<Part>,
        otherwise: Vec<Part>,
    },
    For {
        key_var: Option<String>,
        value_var: String,
        collection: Expr,
        body: Vec<Part>,
    },
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::Null(span)
            | Expr::Bool(_, span)
            | Expr::Number(_, span)
            | Expr::Template(_, span)
            | Expr::Tuple(_, span)
            | Expr::Object(_, span)
            | Expr::Variable(_, span)
            | Expr::Traversal(_, _, span)
            | Expr::Call { span, .. }
            | Expr::Conditional(_, _, _, span)
            | Expr::Unary(_, _, span)
            | Expr::Binary(_, _, _, span)
            | Expr::Invalid(_, span) => *span,
            Expr::For(for_expr) => for_expr.span,
        }
    }

    /// A literal string's text.
    pub fn as_literal(&self) -> Option<String> {
        match self {
            Expr::Template(parts, _) => {
                let mut text = String::new();
                for part in parts {
                    match part {
                        Part::Literal(lit) => text.push_str(lit),
                        _ => return None,
                    }
                }
                Some(text)
            }
            _ => None,
        }
    }

    /// A bare name or a traversal of attribute names: `aws.west` as `["aws", "west"]`.
    pub fn as_path(&self) -> Option<Vec<&str>> {
        match self {
            Expr::Variable(name, _) => Some(vec![name.as_str()]),
            Expr::Traversal(root, steps, _) => {
                let mut path = root.as_path()?;
                for step in steps {
                    match step {
                        Step::Attr(name) => path.push(name),
                        _ => return None,
                    }
                }
                Some(path)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_blocks_attributes_and_spans() {
        let text = "resource \"aws_cognito_user_pool\" \"pool\" {\n  email_configuration {\n    source_arn = aws_ses_email_identity.default.arn\n  }\n}\n";
        let body = parse_native(text).unwrap();
        let pool = &body.blocks[0];
        assert_eq!(pool.kind, "resource");
        assert_eq!(pool.labels[1].0, "pool");
        assert_eq!(
            &text[pool.header_span.range()],
            "resource \"aws_cognito_user_pool\" \"pool\""
        );
        let email = pool.body.blocks("email_configuration").next().unwrap();
        let arn = email.body.attribute("source_arn").unwrap();
        assert_eq!(
            &text[arn.expr.span().range()],
            "aws_ses_email_identity.default.arn"
        );
        assert_eq!(
            arn.expr.as_path(),
            Some(vec!["aws_ses_email_identity", "default", "arn"])
        );
    }

    #[test]
    fn syntax_errors_have_an_offset() {
        let (message, offset) = parse_native("resource \"a\" \"b\" {\n  x = \n}\n").unwrap_err();
        assert!(!message.is_empty());
        assert!(offset > 0);
    }

    #[test]
    fn json_syntax_nests_labels_and_parses_templates() {
        let text = r#"{"resource": {"aws_cognito_user_pool": {"pool": {"email_configuration": {"source_arn": "${aws_ses_email_identity.default.arn}"}, "//": {"metadata": {"path": "app/pool"}}}}}}"#;
        let root = crate::load::json::load(text).document.unwrap().root;
        let body = json_body(&root, text);
        let pool = &body.blocks[0];
        assert_eq!(pool.labels[0].0, "aws_cognito_user_pool");
        assert_eq!(pool.construct_path.as_deref(), Some("app/pool"));
        let email = pool.body.blocks("email_configuration").next().unwrap();
        let arn = email.body.attribute("source_arn").unwrap();
        let Expr::Template(parts, _) = &arn.expr else {
            panic!("{arn:?}")
        };
        let Part::Interpolation(inner) = &parts[0] else {
            panic!("{parts:?}")
        };
        assert_eq!(
            &text[inner.span().range()],
            "aws_ses_email_identity.default.arn"
        );
    }
}
