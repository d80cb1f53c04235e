//! The evaluator: values, `Ref`, `Fn::If`, and the per-stack tables computed once.

use foldhash::HashMap;

use super::functions::text_size;
use super::variants::{Alts, Partial};
use super::{
    Assumption, MAX_COPIED_BYTES, MAX_DEPTH, Resolved, SecretLog, StackEnv, Text, Truth, Unknown,
    UnknownReason,
};
use crate::source::Span;
use crate::tree::{Document, Node, Value};

/// The template sections the evaluator looks names up in, in document order.
pub(super) struct Index<'a> {
    pub parameters: HashMap<&'a str, &'a Node>,
    pub resources: HashMap<&'a str, &'a Node>,
    pub conditions: HashMap<&'a str, &'a Node>,
    pub mappings: HashMap<&'a str, &'a Node>,
    condition_order: Vec<&'a str>,
    resource_order: Vec<&'a str>,
}

impl<'a> Index<'a> {
    pub fn new(document: &'a Document) -> Self {
        let section = |name: &str| -> Vec<(&'a str, &'a Node)> {
            match document.root.get(name).and_then(Node::as_map) {
                Some(map) => map.iter().collect(),
                None => Vec::new(),
            }
        };
        let conditions = section("Conditions");
        let resources = section("Resources");
        Self {
            parameters: section("Parameters").into_iter().collect(),
            condition_order: conditions.iter().map(|(k, _)| *k).collect(),
            conditions: conditions.into_iter().collect(),
            resource_order: resources.iter().map(|(k, _)| *k).collect(),
            resources: resources.into_iter().collect(),
            mappings: section("Mappings").into_iter().collect(),
        }
    }
}

/// Condition truths and resource `Ref` values, computed once per stack.
pub(super) struct Tables {
    conditions: HashMap<String, Truth>,
    refs: HashMap<String, Alts>,
    literals: HashMap<String, (String, bool)>,
}

enum Slot<T> {
    Busy,
    Done(T),
}

#[derive(Default)]
struct Memo {
    conditions: HashMap<String, Slot<Truth>>,
    refs: HashMap<String, Slot<Alts>>,
}

impl Tables {
    /// Evaluates every condition and every modelled resource's `Ref`, in document order so the
    /// place where a cycle is cut does not depend on hashing.
    pub fn compute(index: &Index<'_>, env: &StackEnv, secrets: &SecretLog) -> Self {
        let mut eval = Eval {
            index,
            env,
            secrets,
            frozen: None,
            memo: Memo::default(),
            depth: 0,
            copied: 0,
        };
        for name in &index.condition_order {
            eval.condition(name);
        }
        for id in &index.resource_order {
            if let Some(resource) = index.resources.get(id)
                && ref_property(resource).is_some()
            {
                eval.resource_ref(id, resource.span);
            }
        }
        let mut literals = HashMap::default();
        for name in &index.condition_order {
            if eval.condition(name) == Truth::Unknown {
                literals.insert((*name).to_owned(), eval.literal_of(name));
            }
        }
        Self {
            conditions: done(eval.memo.conditions),
            refs: done(eval.memo.refs),
            literals,
        }
    }

    pub fn condition(&self, name: &str) -> Truth {
        self.conditions.get(name).copied().unwrap_or(Truth::Unknown)
    }

    /// See [`Eval::literal`].
    pub fn literal(&self, name: &str) -> (String, bool) {
        (self.literals.get(name).cloned()).unwrap_or_else(|| (name.to_owned(), true))
    }
}

fn done<T>(memo: HashMap<String, Slot<T>>) -> HashMap<String, T> {
    (memo.into_iter())
        .filter_map(|(k, slot)| match slot {
            Slot::Done(v) => Some((k, v)),
            Slot::Busy => None,
        })
        .collect()
}

/// Counts a copy of a memoized `Ref` value against [`MAX_COPIED_BYTES`]; false past it.
fn charge(copied: &mut usize, alts: &Alts) -> bool {
    let size = (alts.items.iter())
        .map(|v| match &v.value {
            Some(Resolved::Str(t)) => text_size(t),
            _ => 0,
        })
        .fold(0, usize::saturating_add);
    *copied = copied.saturating_add(size);
    *copied <= MAX_COPIED_BYTES
}

fn too_much(span: Span) -> Alts {
    Alts::one(invalid(
        span,
        format!("more than {MAX_COPIED_BYTES} bytes of Ref values"),
    ))
}

/// One evaluation: the current nesting depth and, while the tables are being built, the memo.
pub(super) struct Eval<'r> {
    pub index: &'r Index<'r>,
    pub env: &'r StackEnv,
    /// Where every secret text made is recorded.
    pub secrets: &'r SecretLog,
    frozen: Option<&'r Tables>,
    memo: Memo,
    depth: usize,
    /// Bytes of `Ref` values copied so far, against [`MAX_COPIED_BYTES`].
    copied: usize,
}

/// Whether a parameter declaration has `NoEcho: true` (a string, as CloudFormation coerces it).
pub fn is_no_echo(declaration: &Node) -> bool {
    declaration
        .get("NoEcho")
        .and_then(Node::scalar_text)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The property whose value a resource's `Ref` returns, for the resources modelled.
fn ref_property(resource: &Node) -> Option<&'static str> {
    match resource.get("Type")?.as_str()? {
        "AWS::SES::EmailIdentity" => Some("EmailIdentity"),
        "AWS::SES::ConfigurationSet"
        | "AWS::PinpointEmail::Identity"
        | "AWS::PinpointEmail::ConfigurationSet" => Some("Name"),
        _ => None,
    }
}

/// The partition of a region, by its prefix.
/// <https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html>
pub(super) fn partition_of(region: &str) -> &'static str {
    const PREFIXES: [(&str, &str); 6] = [
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-isof-", "aws-iso-f"),
        ("eu-isoe-", "aws-iso-e"),
        ("us-iso-", "aws-iso"),
    ];
    PREFIXES
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map_or("aws", |(_, partition)| partition)
}

fn url_suffix(region: &str) -> &'static str {
    match partition_of(region) {
        "aws-cn" => "amazonaws.com.cn",
        "aws-iso" => "c2s.ic.gov",
        "aws-iso-b" => "sc2s.sgov.gov",
        _ => "amazonaws.com",
    }
}

pub(super) fn unknown(span: Span, reason: UnknownReason) -> Unknown {
    Unknown { span, reason }
}

pub(super) fn invalid(span: Span, reason: impl Into<String>) -> Resolved {
    Resolved::Unknown(unknown(
        span,
        UnknownReason::Invalid {
            reason: reason.into(),
        },
    ))
}

/// A string known to be a string but not its value.
pub(super) fn hole(span: Span, reason: UnknownReason) -> Resolved {
    Resolved::Str(Text::hole(unknown(span, reason)))
}

pub(super) fn text(s: &str) -> Text {
    let mut t = Text::default();
    t.push_str(s);
    t
}

impl<'r> Eval<'r> {
    pub fn frozen(
        index: &'r Index<'r>,
        env: &'r StackEnv,
        tables: &'r Tables,
        secrets: &'r SecretLog,
    ) -> Self {
        Self {
            index,
            env,
            secrets,
            frozen: Some(tables),
            memo: Memo::default(),
            depth: 0,
            copied: 0,
        }
    }

    /// Runs `f` one nesting level deeper, or returns `None` at [`MAX_DEPTH`].
    pub fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> Option<T> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        Some(out)
    }

    pub fn eval(&mut self, node: &Node) -> Alts {
        self.nested(|this| this.eval_value(node))
            .unwrap_or_else(|| {
                Alts::one(invalid(
                    node.span,
                    format!("nested more than {MAX_DEPTH} levels deep"),
                ))
            })
    }

    fn eval_value(&mut self, node: &Node) -> Alts {
        if let Some((function, _, arg)) = node.as_intrinsic() {
            // `Condition` is a condition reference only inside `Fn::And`/`Or`/`Not`; in a
            // value it is plain data (e.g. a resource's `Condition` key).
            if function != "Condition" {
                return self.intrinsic(function, arg, node);
            }
        }
        match &node.value {
            Value::Null => Alts::one(Resolved::Null),
            Value::Bool(b) => Alts::one(Resolved::Bool(*b)),
            Value::Number(n) => Alts::one(Resolved::Number(n.clone())),
            Value::String(s) => Alts::one(Resolved::Str(text(s))),
            Value::Seq(items) => {
                let mut list = Partial::new(Vec::with_capacity(items.len()));
                for item in items {
                    let alts = self.eval(item);
                    list.join(alts, |acc, v| acc.extend(v));
                }
                list.finish(|items| Some(Resolved::List(items)))
            }
            Value::Map(map) => {
                let mut out = Partial::new(Vec::with_capacity(map.len()));
                for (key, value) in map.iter() {
                    let alts = self.eval(value);
                    out.join(alts, |acc, v| {
                        if let Some(v) = v {
                            acc.push((key.to_owned(), v));
                        }
                    });
                }
                out.finish(|entries| Some(Resolved::Map(entries)))
            }
            Value::Tagged(tag, _) => Alts::one(Resolved::Unknown(unknown(
                node.span,
                UnknownReason::Unsupported {
                    function: format!("!{tag}"),
                },
            ))),
            Value::Unknown(reason) => {
                Alts::one(Resolved::Unknown(unknown(node.span, reason.clone())))
            }
        }
    }

    fn intrinsic(&mut self, function: &str, arg: &Node, node: &Node) -> Alts {
        let span = node.span;
        match function {
            "Ref" => match arg.as_str() {
                Some(name) => self.reference(name, span),
                None => Alts::one(invalid(span, "Ref needs a name")),
            },
            "Fn::If" => self.fn_if(arg, span),
            "Fn::Sub" => self.fn_sub(arg, span),
            "Fn::Join" => self.fn_join(arg, span),
            "Fn::Select" => self.fn_select(arg, span),
            "Fn::Split" => self.fn_split(arg, span),
            "Fn::FindInMap" => self.fn_find_in_map(arg, span),
            "Fn::Base64" => self.fn_base64(arg, span),
            "Fn::ImportValue" => self.fn_import_value(arg, span),
            "Fn::GetAtt" => self.fn_get_att(arg, span),
            "Fn::Length" => self.fn_length(arg, span),
            "Fn::ToJsonString" => self.fn_to_json_string(arg, span),
            _ => Alts::one(Resolved::Unknown(unknown(
                span,
                UnknownReason::Unsupported {
                    function: function.to_owned(),
                },
            ))),
        }
    }

    /// `Ref` (and `${Name}` in `Fn::Sub`): a pseudo parameter, a parameter or a resource.
    pub fn reference(&mut self, name: &str, span: Span) -> Alts {
        if let Some(alts) = self.pseudo(name, span) {
            return alts;
        }
        if let Some(declaration) = self.index.parameters.get(name) {
            return Alts::one(self.parameter(name, declaration, span));
        }
        if self.index.resources.contains_key(name) {
            return self.resource_ref(name, span);
        }
        Alts::one(invalid(span, format!("Ref to undefined {name}")))
    }

    fn pseudo(&self, name: &str, span: Span) -> Option<Alts> {
        let env = self.env;
        let region = env.region.as_deref();
        let known = match name {
            "AWS::NoValue" => return Some(Alts::no_value()),
            "AWS::AccountId" => env.account.clone(),
            "AWS::Region" => env.region.clone(),
            "AWS::Partition" => region.map(|r| partition_of(r).to_owned()),
            "AWS::URLSuffix" => region.map(|r| url_suffix(r).to_owned()),
            "AWS::StackName" => env.stack_name.clone(),
            "AWS::StackId" => None,
            "AWS::NotificationARNs" => {
                return Some(Alts::one(Resolved::Unknown(unknown(
                    span,
                    UnknownReason::Pseudo { name: name.into() },
                ))));
            }
            _ if name.starts_with("AWS::") => {
                return Some(Alts::one(invalid(
                    span,
                    format!("unknown pseudo parameter {name}"),
                )));
            }
            _ => return None,
        };
        Some(Alts::one(match known {
            Some(value) => Resolved::Str(text(&value)),
            None => hole(span, UnknownReason::Pseudo { name: name.into() }),
        }))
    }

    /// A string whose every byte is secret, recorded as such.
    pub fn secret(&self, value: String) -> Resolved {
        let t = Text::secret(value);
        self.secrets.record(&t);
        Resolved::Str(t)
    }

    /// A parameter's value: the override, else its `Default`; list types become lists. The
    /// value of a `NoEcho` parameter, and each item of it, is secret.
    fn parameter(&self, name: &str, declaration: &Node, span: Span) -> Resolved {
        let no_echo = is_no_echo(declaration);
        let string = |s: &str| match no_echo {
            true => self.secret(s.to_owned()),
            false => Resolved::Str(text(s)),
        };
        let ty = declaration.get("Type").and_then(Node::as_str).unwrap_or("");
        let missing = || UnknownReason::Parameter { name: name.into() };
        let ssm = ty.strip_prefix("AWS::SSM::Parameter::Value<");
        let inner = ssm.unwrap_or(ty);
        let is_list = inner.starts_with("CommaDelimitedList") || inner.starts_with("List<");
        let value = match self.env.parameters.get(name) {
            Some(value) => Some(value.clone()),
            // The `Default` of an SSM parameter type is the name of a Parameter Store entry read
            // at deploy time, not the value; a value supplied to the analyzer is taken as the
            // value itself.
            // <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html#aws-ssm-parameter-types>
            None if ssm.is_some() => None,
            None => declaration.get("Default").and_then(|d| match d.as_seq() {
                Some(items) if is_list => {
                    let items: Option<Vec<String>> = items.iter().map(Node::scalar_text).collect();
                    items.map(|items| items.join(","))
                }
                _ => d.scalar_text(),
            }),
        };
        match (value, is_list) {
            (Some(value), true) => Resolved::List(value.split(',').map(string).collect()),
            (Some(value), false) => string(&value),
            (None, true) => Resolved::Unknown(unknown(span, missing())),
            (None, false) => hole(span, missing()),
        }
    }

    /// A resource's `Ref` value, computed once per stack; a cycle resolves to `Invalid`.
    pub fn resource_ref(&mut self, id: &str, span: Span) -> Alts {
        if let Some(alts) = self.frozen.and_then(|t| t.refs.get(id)) {
            return match charge(&mut self.copied, alts) {
                true => alts.clone(),
                false => too_much(span),
            };
        }
        let not_modelled = || {
            Alts::one(hole(
                span,
                UnknownReason::Resource {
                    logical_id: id.into(),
                },
            ))
        };
        let Some(resource) = self.index.resources.get(id).copied() else {
            return Alts::one(invalid(span, format!("Ref to undefined {id}")));
        };
        let Some(property) = ref_property(resource) else {
            return not_modelled();
        };
        match self.memo.refs.get(id) {
            Some(Slot::Busy) => return Alts::one(invalid(span, "reference cycle")),
            Some(Slot::Done(alts)) => {
                return match charge(&mut self.copied, alts) {
                    true => alts.clone(),
                    false => too_much(span),
                };
            }
            None => {}
        }
        self.memo.refs.insert(id.to_owned(), Slot::Busy);
        let out = match resource.get_path(&["Properties", property]) {
            // CloudFormation generates a name when none is given.
            None => not_modelled(),
            Some(node) => self.eval(node).flat_map(|value| {
                Alts::one(match value {
                    Some(Resolved::Str(t)) => Resolved::Str(t),
                    Some(Resolved::Number(n)) => Resolved::Str(text(&n)),
                    Some(Resolved::Unknown(u)) => Resolved::Str(Text::hole(u)),
                    None => hole(
                        span,
                        UnknownReason::Resource {
                            logical_id: id.into(),
                        },
                    ),
                    Some(_) => invalid(node.span, format!("{id}.{property} is not a string")),
                })
            }),
        };
        self.memo
            .refs
            .insert(id.to_owned(), Slot::Done(out.clone()));
        out
    }

    /// The condition an undecided condition `name` stands for, and whether it holds when `name`
    /// does; computed once per stack.
    pub fn literal(&mut self, name: &str) -> (String, bool) {
        match self.frozen {
            Some(tables) => tables.literal(name),
            None => self.literal_of(name),
        }
    }

    /// The truth of a named condition, memoized; a cycle is `Unknown`.
    pub fn condition(&mut self, name: &str) -> Truth {
        if let Some(tables) = self.frozen
            && let Some(truth) = tables.conditions.get(name)
        {
            return *truth;
        }
        match self.memo.conditions.get(name) {
            Some(Slot::Busy) => return Truth::Unknown,
            Some(Slot::Done(truth)) => return *truth,
            None => {}
        }
        let Some(node) = self.index.conditions.get(name).copied() else {
            return Truth::Unknown;
        };
        self.memo.conditions.insert(name.to_owned(), Slot::Busy);
        let truth = self.truth(node);
        self.memo
            .conditions
            .insert(name.to_owned(), Slot::Done(truth));
        truth
    }

    /// `Fn::If [condition, then, else]`: an undecidable condition keeps both branches, each
    /// labelled with its assumption.
    fn fn_if(&mut self, arg: &Node, span: Span) -> Alts {
        let Some([condition, then, otherwise]) = arg.as_seq() else {
            return Alts::one(invalid(span, "Fn::If needs [condition, then, else]"));
        };
        let Some(name) = condition.as_str() else {
            return Alts::one(invalid(span, "Fn::If needs a condition name"));
        };
        if !self.index.conditions.contains_key(name) {
            return Alts::one(invalid(
                span,
                format!("Fn::If of undefined condition {name}"),
            ));
        }
        match self.condition(name) {
            Truth::True => self.eval(then),
            Truth::False => self.eval(otherwise),
            Truth::Unknown => {
                let (label, polarity) = self.literal(name);
                let mut out = Alts::empty();
                for (branch, value) in [(then, polarity), (otherwise, !polarity)] {
                    let alts = self.eval(branch);
                    let assumption = Assumption {
                        condition: label.clone(),
                        value,
                    };
                    out.extend_assuming(alts, &[assumption]);
                }
                out
            }
        }
    }
}
