//! One world across every stack of the run: senders joined with the SES identities, configuration
//! sets and exports of all stacks and with the SES sandbox state of each account and region. The
//! result is the facts document ([`facts::Facts`], printed by `sandtrap facts`), which is what
//! rules read.

pub mod facts;
mod index;
pub mod live;
mod memo;
#[cfg(test)]
mod property_tests;
pub mod regions;
mod sender;
pub mod ses;
mod trigger;

use crate::config::ANY_REGION;
use crate::extract::StackFacts;
use crate::source::Span;
use crate::value::{Part, Text, UnknownReason};

pub use facts::{EnvSource, Facts, SesState, StateSource};
pub use memo::{Memo, MemoStats};

use std::sync::Arc;

use rayon::prelude::*;

/// The version of the facts document's schema (docs/facts.md).
pub const FACTS_VERSION: u32 = 1;

/// A stack of the run with its environment and extracted facts.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Stack {
    pub file: String,
    pub name: String,
    pub account: Option<String>,
    pub account_source: EnvSource,
    pub region: Option<String>,
    pub region_source: EnvSource,
    /// Where the environment was declared (a CDK manifest's `environment`), for related labels.
    pub environment_location: Option<(String, Span)>,
    /// Read from a CDK cloud assembly: its environment comes from the app's `env`, so advice
    /// names what a CDK user can change.
    pub cdk: bool,
    /// The source language of the stack, for advice in its words.
    pub language: crate::extract::Language,
    /// The label of `environment_location` when the front end names it (`region of provider
    /// `aws.west``); else it is the stack environment or the deploy configuration.
    pub environment_label: Option<String>,
    /// Which CloudFormation deployment creates the stack: a nested stack is created by its
    /// parent's, so it shares the parent's (the manifest and top-level artifact of a CDK
    /// stack; the file of a loose template).
    pub deployment: String,
    /// Why the deploy configuration left the region unknown, for the notes of region rules.
    pub region_note: Option<String>,
    /// A CDK stack's bootstrap lookup role, which `--aws` assumes to read its account.
    pub lookup_role: Option<Box<crate::discover::LookupRole>>,
    /// Shared, so that keeping a file's analysis for the next run (the language server's
    /// cache) and handing it to the join costs no copy.
    pub facts: std::sync::Arc<StackFacts>,
}

/// A statement about the SES state, from a flag or the config file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SesDeclaration {
    pub account: Option<String>,
    pub region: String,
    pub state: SesState,
    /// `Flag` or `Config`.
    pub source: StateSource,
    pub location: Option<(String, Span)>,
}

/// Everything the join needs besides the stacks.
#[derive(Clone, Debug, Default)]
pub struct JoinInputs {
    /// In precedence order: flags first, then the config file.
    pub ses: Vec<SesDeclaration>,
    /// With `--aws`: the state read from SES, which wins over `ses`.
    pub live: Option<live::LiveFacts>,
}

/// The state `declarations` give for `(account, region)`: the first source that says anything
/// wins; within it an entry naming the region beats one for every region (`*`), an
/// account-specific entry beats a generic one, and sandbox beats production. `region` is
/// [`ANY_REGION`] for the region a stack deploys to when that is unknown: only `*` entries
/// speak for it.
pub fn ses_state<'a>(
    declarations: &'a [SesDeclaration],
    account: Option<&str>,
    region: &str,
) -> Option<&'a SesDeclaration> {
    let matching = |d: &&SesDeclaration| {
        (d.region == region || d.region == ANY_REGION)
            && match (&d.account, account) {
                (None, _) => true,
                (Some(a), Some(b)) => a == b,
                (Some(_), None) => false,
            }
    };
    let first_source = declarations.iter().find(matching)?.source;
    declarations
        .iter()
        .filter(matching)
        .filter(|d| d.source == first_source)
        .max_by_key(|d| {
            (
                d.region != ANY_REGION,
                d.account.is_some(),
                d.state == SesState::Sandbox,
            )
        })
}

/// Whether two possibly unknown values (accounts, regions) can be the same: unknown matches any.
pub(crate) fn compatible(a: Option<&str>, b: Option<&str>) -> bool {
    a.is_none() || b.is_none() || a == b
}

/// The related label of a stack's environment location: the CDK manifest's `environment`, or the
/// deploy configuration file the region was read from ("stack region from samconfig.toml").
pub(crate) fn environment_label(stack: &Stack) -> String {
    if let Some(label) = &stack.environment_label {
        return label.clone();
    }
    match (&stack.environment_location, stack.region_source) {
        (Some((file, _)), EnvSource::DeployConfig) => {
            let name = file.rsplit('/').next().unwrap_or(file);
            format!("stack region from {name}")
        }
        _ => "stack environment".to_owned(),
    }
}

pub(crate) fn span_fact(file: &str, span: Span) -> facts::SpanFact {
    facts::SpanFact {
        file: file.to_owned(),
        start: span.start,
        end: span.end,
        via: None,
    }
}

/// The span of a field, with where its value was written when that is elsewhere.
pub(crate) fn field_span(file: &str, field: &crate::extract::Field) -> Option<facts::SpanFact> {
    let mut fact = span_fact(file, field.span?);
    fact.via = field.origin.as_ref().map(|origin| {
        Box::new(facts::ViaFact {
            file: origin.file.clone(),
            start: origin.span.start,
            end: origin.span.end,
            label: origin.label.clone(),
        })
    });
    Some(fact)
}

/// Replaces `Fn::ImportValue` holes with the value another stack of the same account and region
/// exports under that name, when exactly one does.
pub(crate) fn substitute_imports(
    text: &Text,
    stacks: &[&Stack],
    run: &index::RunIndex,
    account: Option<&str>,
    region: Option<&str>,
) -> Text {
    let mut parts = Vec::new();
    for part in &text.parts {
        let Part::Hole(unknown) = part else {
            parts.push(part.clone());
            continue;
        };
        // `Fn::ImportValue` reads an export of the same account and region; a CDK cross-region
        // reference reads what a writer in another region wrote for this region.
        let (name, cross_region) = match &unknown.reason {
            UnknownReason::Import { name } => (name.known(), false),
            UnknownReason::CrossRegionImport { name } => (Some(name.clone()), true),
            _ => (None, false),
        };
        let Some(name) = name else {
            parts.push(part.clone());
            continue;
        };
        // The exports of that name only (indexed once per run), with the same account and
        // region rules as a scan of every export.
        let found: Vec<&Text> = run
            .exports(&name)
            .iter()
            .filter_map(|&(s, e)| {
                let stack = stacks.get(s)?;
                Some((stack, stack.facts.exports.get(e)?))
            })
            .filter(|(s, _)| compatible(s.account.as_deref(), account))
            .filter(|(s, _)| cross_region || compatible(s.region.as_deref(), region))
            .map(|(_, e)| e)
            .filter(|e| match (&e.reader_region, cross_region) {
                (None, false) => true,
                (Some(reader), true) => compatible(Some(reader), region),
                _ => false,
            })
            .filter_map(|e| match e.value.first().and_then(|v| v.value.as_ref()) {
                Some(crate::value::Resolved::Str(t)) => Some(t),
                _ => None,
            })
            .collect();
        match found.as_slice() {
            [one] => parts.extend(one.parts.iter().cloned()),
            _ => parts.push(part.clone()),
        }
    }
    Text { parts }
}

/// Builds the facts document of a run.
pub fn facts_document(stacks: &[&Stack], inputs: &JoinInputs) -> Facts {
    facts_document_with(stacks, inputs, None)
}

/// [`facts_document`], joining again only the stacks that changed since the run `memo` kept
/// when what every sender reads of the other stacks is the same (`memo.rs`); the document is
/// the one a fresh join makes.
pub fn facts_document_with(
    stacks: &[&Stack],
    inputs: &JoinInputs,
    memo: Option<&mut Memo>,
) -> Facts {
    let mut facts = Facts {
        version: FACTS_VERSION,
        ..Facts::default()
    };
    // A live lookup answers for the whole run: nothing of it is kept.
    let memo = memo.filter(|_| inputs.live.is_none());
    let fresh;
    let joined: &[Joined] = match memo {
        Some(memo) => memo.update(stacks, inputs),
        None => {
            fresh = join_all(stacks, &index::RunIndex::new(stacks), inputs);
            &fresh
        }
    };
    for joined in joined {
        facts.stacks.push(Arc::clone(&joined.stack));
        facts.senders.extend(joined.senders.iter().cloned());
        facts
            .trigger_senders
            .extend(joined.trigger_senders.iter().cloned());
        facts.identities.extend(joined.identities.iter().cloned());
        facts
            .configuration_sets
            .extend(joined.configuration_sets.iter().cloned());
    }
    if let Some(live) = &inputs.live {
        facts.lookups = live::lookups(live, &facts.senders);
    }
    facts
}

/// What the join makes of one stack: its part of each collection of the document.
#[derive(Clone, Debug, Default)]
pub(crate) struct Joined {
    stack: Arc<facts::StackFact>,
    senders: Vec<Arc<facts::SenderFact>>,
    trigger_senders: Vec<Arc<facts::TriggerSenderFact>>,
    identities: Vec<Arc<facts::IdentityFact>>,
    configuration_sets: Vec<Arc<facts::ConfigurationSetFact>>,
}

/// Stacks with senders joined by one task at least: such a stack's join is a few
/// microseconds. A run with no more (a pre-commit run of a few files) is joined on the calling
/// thread, without waking the pool.
const STACKS_PER_TASK: usize = 64;

/// Every stack of `stacks` joined with the run, in order. The stacks with senders, most of a
/// join's work, are joined in parallel; each reads the run only through `run` and `inputs`,
/// which nothing changes meanwhile, so the document is the one a join in order makes. The
/// others (their own facts copied, a few hundred bytes each) are joined on the calling thread:
/// spread over the pool's threads, the copies of 50,000 stacks without a sender held 9 MB more
/// at the run's peak.
fn join_all(stacks: &[&Stack], run: &index::RunIndex, inputs: &JoinInputs) -> Vec<Joined> {
    let join = |index| join_stack(stacks, run, index, inputs);
    let with_senders: Vec<usize> = (0..stacks.len())
        .filter(|&index| {
            let facts = &stacks[index].facts;
            !facts.senders.is_empty() || !facts.trigger_senders.is_empty()
        })
        .collect();
    if with_senders.len() <= STACKS_PER_TASK {
        return (0..stacks.len()).map(join).collect();
    }
    let joined: Vec<Joined> = (with_senders.par_iter())
        .with_min_len(STACKS_PER_TASK)
        .map(|&index| join(index))
        .collect();
    let mut joined = with_senders.iter().copied().zip(joined).peekable();
    (0..stacks.len())
        .map(|index| match joined.next_if(|(at, _)| *at == index) {
            Some((_, done)) => done,
            None => join(index),
        })
        .collect()
}

/// Joins stack `index` of `stacks` with the run (`run` indexes it).
fn join_stack(
    stacks: &[&Stack],
    run: &index::RunIndex,
    index: usize,
    inputs: &JoinInputs,
) -> Joined {
    let Some(stack) = stacks.get(index) else {
        return Joined::default();
    };
    Joined {
        stack: Arc::new(stack_fact(stack)),
        senders: (stack.facts.senders.iter().enumerate())
            .filter_map(|(n, sender)| sender::analyze(stacks, run, index, n, sender, inputs))
            .map(Arc::new)
            .collect(),
        trigger_senders: (stack.facts.trigger_senders.iter().enumerate())
            .filter_map(|(n, trigger)| trigger::analyze(stacks, index, n, trigger, inputs))
            .map(Arc::new)
            .collect(),
        identities: (stack.facts.identities.iter())
            .map(|i| Arc::new(identity_fact(stack, i)))
            .collect(),
        configuration_sets: (stack.facts.configuration_sets.iter())
            .map(|c| Arc::new(configuration_set_fact(stack, c)))
            .collect(),
    }
}

fn stack_fact(stack: &Stack) -> facts::StackFact {
    facts::StackFact {
        name: stack.name.clone(),
        file: stack.file.clone(),
        account: stack.account.clone(),
        account_source: stack.account_source,
        region: stack.region.clone(),
        region_source: stack.region_source,
        partition: stack
            .region
            .as_deref()
            .map(|r| regions::partition(r).to_owned()),
    }
}

fn identity_fact(stack: &Stack, identity: &crate::extract::Identity) -> facts::IdentityFact {
    let name = identity.name.known();
    facts::IdentityFact {
        stack: stack.name.clone(),
        file: stack.file.clone(),
        resource: identity.resource.clone(),
        resource_type: identity.resource_type.clone(),
        kind: name.as_deref().map(ses::identity_kind),
        name,
        account: stack.account.clone(),
        region: stack.region.clone(),
        spans: facts::IdentitySpans {
            resource: span_fact(&stack.file, identity.resource_span),
            name: identity.name.span.map(|span| span_fact(&stack.file, span)),
        },
    }
}

fn configuration_set_fact(
    stack: &Stack,
    set: &crate::extract::ConfigurationSet,
) -> facts::ConfigurationSetFact {
    facts::ConfigurationSetFact {
        stack: stack.name.clone(),
        file: stack.file.clone(),
        resource: set.resource.clone(),
        name: set.name.known(),
        account: stack.account.clone(),
        region: stack.region.clone(),
        spans: facts::ResourceSpans {
            resource: span_fact(&stack.file, set.resource_span),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(
        account: Option<&str>,
        region: &str,
        state: SesState,
        source: StateSource,
    ) -> SesDeclaration {
        SesDeclaration {
            account: account.map(str::to_owned),
            region: region.to_owned(),
            state,
            source,
            location: None,
        }
    }

    #[test]
    fn flags_beat_config_and_specific_beats_generic() {
        let decls = vec![
            decl(None, "us-west-2", SesState::Production, StateSource::Flag),
            decl(
                Some("111111111111"),
                "us-west-2",
                SesState::Sandbox,
                StateSource::Config,
            ),
        ];
        let got = ses_state(&decls, Some("111111111111"), "us-west-2").map(|d| d.state);
        assert_eq!(got, Some(SesState::Production));
        let decls = vec![
            decl(None, "us-west-2", SesState::Production, StateSource::Config),
            decl(
                Some("111111111111"),
                "us-west-2",
                SesState::Sandbox,
                StateSource::Config,
            ),
        ];
        assert_eq!(
            ses_state(&decls, Some("111111111111"), "us-west-2").map(|d| d.state),
            Some(SesState::Sandbox)
        );
        assert_eq!(
            ses_state(&decls, Some("222222222222"), "us-west-2").map(|d| d.state),
            Some(SesState::Production)
        );
        assert_eq!(ses_state(&decls, None, "eu-west-1"), None);
    }

    #[test]
    fn sandbox_wins_a_tie() {
        let decls = vec![
            decl(None, "us-west-2", SesState::Production, StateSource::Config),
            decl(None, "us-west-2", SesState::Sandbox, StateSource::Config),
        ];
        assert_eq!(
            ses_state(&decls, None, "us-west-2").map(|d| d.state),
            Some(SesState::Sandbox)
        );
    }
}
