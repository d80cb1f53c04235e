//! From one stack, whatever language it is written in, the typed facts the join needs: email
//! senders, SES identities, configuration sets and exports, each value kept with the span it
//! came from. The model is one for every front end: a sender's values are the [`Property`]s of
//! `property.rs`, read through [`Arguments`] by [`read_sender`]; what a resource is comes from
//! `kind.rs`. Each front end reads its own language into them: `crate::cloudformation::extract`,
//! `crate::terraform::extract`.
//!
//! Values stay partially known ([`Text`] with holes); deciding what they mean is the join's job.

mod kind;
mod property;
pub mod trigger;

pub use kind::{Language, RESOURCE_TYPES, ResourceKind, ResourceType, SenderKind, resource_type};
pub use property::{Base, Declaration, PROPERTIES, Path, Property, PropertyNames};
pub use trigger::TriggerSender;

use crate::source::Span;
use crate::value::{Assumption, Export, Part, Resolved, Text, Truth, Unknown, UnknownReason};

/// A property value: absent, or present with its (partially known) value and span.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Field {
    pub value: Option<Value>,
    pub span: Option<Span>,
    /// Where the value was written when not at `span`: a Terraform module's caller, a tfvars
    /// line. Diagnostics at the field show it as a related location.
    pub origin: Option<Origin>,
}

/// Where a value was written when elsewhere than the property that uses it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Origin {
    pub file: String,
    pub span: Span,
    /// `value passed here (module.auth["prod"])`, `value from terraform.tfvars`.
    pub label: String,
}

/// The value of a present property.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Value {
    Text(Text),
    Bool(bool),
    List(Vec<Text>),
    /// Present, but its shape is unknown (e.g. `Fn::GetAtt` where a list was expected).
    Unknown(Unknown),
}

impl Field {
    pub fn is_present(&self) -> bool {
        self.value.is_some()
    }

    pub fn text(&self) -> Option<&Text> {
        match &self.value {
            Some(Value::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// The whole value when it is a fully known string.
    pub fn known(&self) -> Option<String> {
        self.text().and_then(Text::known)
    }

    /// Every unknown piece of the value.
    pub fn unknowns(&self) -> Vec<&Unknown> {
        fn holes(t: &Text) -> impl Iterator<Item = &Unknown> {
            t.parts.iter().filter_map(|p| match p {
                Part::Hole(u) => Some(u),
                Part::Lit(_) | Part::Secret(_) => None,
            })
        }
        match &self.value {
            Some(Value::Text(t)) => holes(t).collect(),
            Some(Value::List(items)) => items.iter().flat_map(holes).collect(),
            Some(Value::Unknown(u)) => vec![u],
            Some(Value::Bool(_)) | None => Vec::new(),
        }
    }

    /// Three-valued truth of a boolean property (`"true"` strings count, as CloudFormation
    /// coerces them).
    pub fn truth(&self) -> Truth {
        match &self.value {
            Some(Value::Bool(true)) => Truth::True,
            Some(Value::Bool(false)) => Truth::False,
            Some(Value::Text(t)) => {
                match t.known().as_deref().map(str::to_ascii_lowercase).as_deref() {
                    Some("true") => Truth::True,
                    Some("false") => Truth::False,
                    _ => Truth::Unknown,
                }
            }
            None => Truth::False,
            Some(_) => Truth::Unknown,
        }
    }

    /// Whether a list property contains `item` (case-sensitive, as Cognito's enums are).
    pub fn contains(&self, item: &str) -> Truth {
        match &self.value {
            None => Truth::False,
            Some(Value::List(items)) => {
                if items.iter().any(|t| t.known().as_deref() == Some(item)) {
                    Truth::True
                } else if items.iter().all(|t| t.known().is_some()) {
                    Truth::False
                } else {
                    Truth::Unknown
                }
            }
            Some(Value::Text(t)) => match t.known() {
                Some(s) if s == item => Truth::True,
                Some(_) => Truth::False,
                None => Truth::Unknown,
            },
            Some(_) => Truth::Unknown,
        }
    }
}

/// A sender's values, one [`Field`] per [`Property`].
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Properties([Field; Property::ALL.len()]);

impl std::ops::Index<Property> for Properties {
    type Output = Field;

    fn index(&self, property: Property) -> &Field {
        &self.0[property as usize]
    }
}

impl std::ops::IndexMut<Property> for Properties {
    fn index_mut(&mut self, property: Property) -> &mut Field {
        &mut self.0[property as usize]
    }
}

/// One email sender, for one combination of conditions.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Sender {
    pub kind: SenderKind,
    /// The language it was written in (what `unresolved` calls its properties).
    pub language: Language,
    pub resource: String,
    pub resource_type: String,
    /// The logical id's key span.
    pub resource_span: Span,
    pub cdk_path: Option<String>,
    /// What the front end knows of where the resource came from (the `Fn::ForEach` iteration
    /// that made it), for a diagnostic's note.
    pub note: Option<String>,
    pub assumptions: Vec<Assumption>,
    pub properties: Properties,
    /// The email settings themselves (for pointing when a field is absent).
    pub email_configuration_span: Option<Span>,
    /// Combinations of conditions past the bound that were not checked (set on the first
    /// sender of a resource).
    pub unchecked_combinations: u64,
}

impl Sender {
    pub fn field(&self, property: Property) -> &Field {
        &self.properties[property]
    }
}

/// An SES identity declared by a resource.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Identity {
    pub resource: String,
    pub resource_type: String,
    pub resource_span: Span,
    pub name: Field,
    pub assumptions: Vec<Assumption>,
}

/// An SES configuration set declared by a resource.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ConfigurationSet {
    pub resource: String,
    pub resource_span: Span,
    pub name: Field,
}

/// Everything extracted from one stack.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StackFacts {
    pub senders: Vec<Sender>,
    pub identities: Vec<Identity>,
    pub configuration_sets: Vec<ConfigurationSet>,
    /// Pool triggers whose function may send mail through SES itself (`trigger.rs`).
    pub trigger_senders: Vec<TriggerSender>,
    pub exports: Vec<Export>,
    /// Each parameter's logical-id span, for "declared here" labels.
    pub parameters: Vec<(String, Span)>,
}

impl StackFacts {
    /// The facts as a stack of the join holds them, whichever front end read them: shared, and
    /// without the room their vectors kept to grow (they are kept until the run ends).
    pub fn into_shared(mut self) -> std::sync::Arc<StackFacts> {
        self.shrink_to_fit();
        std::sync::Arc::new(self)
    }

    /// Drops the room left to grow.
    fn shrink_to_fit(&mut self) {
        self.senders.shrink_to_fit();
        self.identities.shrink_to_fit();
        self.configuration_sets.shrink_to_fit();
        self.trigger_senders.shrink_to_fit();
        self.exports.shrink_to_fit();
        self.exports
            .iter_mut()
            .for_each(crate::value::Export::shrink_to_fit);
        self.parameters.shrink_to_fit();
    }
}

/// A resource's resolved properties as one front end read them: one variant of the values, and
/// the span in the source that each key path came from.
pub trait Arguments {
    fn language(&self) -> Language;
    /// The resolved properties.
    fn value(&self) -> &Resolved;
    /// Where the value at `keys` is written (or the nearest node on the way that stands for
    /// it); `None` when the source has nothing there.
    fn span(&self, keys: &[&str]) -> Option<Span>;
    /// The properties as a whole.
    fn whole_span(&self) -> Span;
    /// Where the value at `keys` was written when that is elsewhere (a module's caller).
    fn origin(&self, _keys: &[&str]) -> Option<Origin> {
        None
    }
}

/// What a sender is, before its values are read.
pub struct SenderHeader {
    pub kind: SenderKind,
    pub resource: String,
    pub resource_type: String,
    pub resource_span: Span,
    pub cdk_path: Option<String>,
    /// See [`Sender::note`].
    pub note: Option<String>,
    pub assumptions: Vec<Assumption>,
}

/// The sender of one variant of a resource's properties: every declared [`Property`] read at
/// its path in the resource's language. `None` when the resource sends nothing (a risk
/// configuration without a notify configuration).
pub fn read_sender(header: SenderHeader, args: &dyn Arguments) -> Option<Sender> {
    let language = args.language();
    let kind = header.kind;
    let email = kind.email_settings(language);
    if kind.needs_email_settings() && get(args.value(), email).is_none() {
        return None;
    }
    let mut properties = Properties::default();
    for property in Property::ALL {
        properties[property] = read_property(property, kind, args);
    }
    if !matches!(args.value(), Resolved::Map(_))
        && !matches!(
            Property::EmailSendingAccount.path(language, kind),
            Path::Fixed(_)
        )
    {
        // The properties as a whole are not a mapping once resolved (an intrinsic over them, a
        // bound hit): how the pool sends is unknown, which ST002 says, not `COGNITO_DEFAULT`.
        properties[Property::EmailSendingAccount] = Field {
            value: Some(convert(args.value())),
            span: Some(args.whole_span()),
            origin: None,
        };
    }
    Some(Sender {
        kind,
        language,
        resource: header.resource,
        resource_type: header.resource_type,
        resource_span: header.resource_span,
        cdk_path: header.cdk_path,
        note: header.note,
        assumptions: header.assumptions,
        properties,
        email_configuration_span: args.span(email),
        unchecked_combinations: 0,
    })
}

/// One property of a sender, where its language writes it.
fn read_property(property: Property, kind: SenderKind, args: &dyn Arguments) -> Field {
    let language = args.language();
    let Some(keys) = property.keys(language, kind) else {
        return match property.path(language, kind) {
            Path::Fixed(text) => Field {
                value: Some(Value::Text(Text::lit(text))),
                span: None,
                origin: None,
            },
            _ => Field::default(),
        };
    };
    match property.path(language, kind) {
        Path::PresentAs(_, text) => match get(args.value(), &keys) {
            None => Field::default(),
            Some(_) => Field {
                value: Some(Value::List(vec![Text::lit(text)])),
                span: args.span(&keys).or(Some(args.whole_span())),
                origin: args.origin(&keys),
            },
        },
        Path::At(path) => {
            let item = path
                .iter()
                .position(|k| *k == "*")
                .map(|star| &path[star + 1..]);
            field_at(args, &keys, item)
        }
        Path::Fixed(_) | Path::Absent => Field::default(),
    }
}

/// The value at `keys` with its span; with `item`, a list whose items are read at those keys.
pub fn field_at(args: &dyn Arguments, keys: &[&str], item: Option<&[&str]>) -> Field {
    let Some(value) = get(args.value(), keys) else {
        return Field::default();
    };
    let value = match (item, value) {
        (Some(item), Resolved::List(items)) => Value::List(
            items
                .iter()
                .map(|entry| match entry {
                    Resolved::Map(_) => match get(entry, item) {
                        Some(Resolved::Str(t)) => t.clone(),
                        Some(other) => hole_of(other),
                        None => Text::default(),
                    },
                    other => hole_of(other),
                })
                .collect(),
        ),
        (_, value) => convert(value),
    };
    Field {
        value: Some(value),
        span: args.span(keys).or(Some(args.whole_span())),
        origin: args.origin(keys),
    }
}

/// The value at `keys`: a mapping's entry (the last of duplicates), a list's item by number.
pub fn get<'a>(value: &'a Resolved, keys: &[&str]) -> Option<&'a Resolved> {
    keys.iter().try_fold(value, |v, key| match v {
        Resolved::Map(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
        Resolved::List(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// One sender per distinct set of facts: variants that differ only in their assumptions are
/// one cause, labelled with the assumptions they all share (a condition that varies among them
/// does not change the outcome, so it drops out).
///
/// What rules read of a `From` is its domain (which identity covers it); variants whose `From`
/// differs only before the `@` are one cause, shown with the first one's address.
pub(crate) fn merge_same_cause(senders: &mut Vec<Sender>) {
    let mut merged: Vec<(Sender, Sender)> = Vec::with_capacity(senders.len());
    for sender in senders.drain(..) {
        let key = cause(&sender);
        match merged.iter_mut().find(|(k, _)| *k == key) {
            Some((_, m)) => m.assumptions.retain(|a| sender.assumptions.contains(a)),
            None => merged.push((key, sender)),
        }
    }
    *senders = merged.into_iter().map(|(_, s)| s).collect();
}

/// A sender as rules see it: without its assumptions, and with only the domain of its `From`.
fn cause(sender: &Sender) -> Sender {
    let mut key = sender.clone();
    key.assumptions.clear();
    if let Some(from) = key.field(Property::From).known() {
        let address = from.rsplit_once('<').map_or(from.as_str(), |(_, a)| a);
        if let Some((_, domain)) = address.trim_end_matches('>').rsplit_once('@') {
            key.properties[Property::From].value =
                Some(Value::Text(Text::lit(domain.trim().to_ascii_lowercase())));
        }
    }
    key
}

fn hole_of(value: &Resolved) -> Text {
    match value {
        Resolved::Unknown(u) => Text {
            parts: vec![Part::Hole(u.clone())],
        },
        _ => Text {
            parts: vec![Part::Hole(Unknown {
                span: Span::default(),
                reason: UnknownReason::Invalid {
                    reason: "unexpected value".into(),
                },
            })],
        },
    }
}

fn convert(value: &Resolved) -> Value {
    match value {
        Resolved::Str(t) => Value::Text(t.clone()),
        Resolved::Number(n) => Value::Text(Text::lit(n.clone())),
        Resolved::Bool(b) => Value::Bool(*b),
        Resolved::Null => Value::Text(Text::default()),
        Resolved::List(items) => Value::List(
            items
                .iter()
                .map(|item| match item {
                    Resolved::Str(t) => t.clone(),
                    Resolved::Number(n) => Text::lit(n.clone()),
                    Resolved::Bool(b) => Text::lit(b.to_string()),
                    other => hole_of(other),
                })
                .collect(),
        ),
        Resolved::Map(_) => Value::Unknown(Unknown {
            span: Span::default(),
            reason: UnknownReason::Invalid {
                reason: "a mapping where a value was expected".into(),
            },
        }),
        Resolved::Unknown(u) => Value::Unknown(u.clone()),
    }
}
