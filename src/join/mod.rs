//! One world across every stack of the run: senders joined with the SES identities, configuration
//! sets and exports of all stacks and with the SES sandbox state of each account and region. The
//! result is the facts document (plain JSON, `sandtrap facts`), which is what rules read.

pub mod live;
pub mod regions;
mod sender;
pub mod ses;
mod trigger;

use serde_json::{Value as Json, json};

use crate::config::ANY_REGION;
use crate::extract::StackFacts;
use crate::resolve::{Part, Text, UnknownReason};
use crate::source::Span;

pub use sender::analyze as analyze_sender;

/// The version of the facts document's schema (docs/facts.md).
pub const FACTS_VERSION: u32 = 1;

/// Where a piece of the stack environment came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvSource {
    CdkManifest,
    Flag,
    Config,
    /// `samconfig.toml`/`samconfig.yaml` or `serverless.yml` beside the template.
    DeployConfig,
    TemplateMetadata,
    Environment,
    Unknown,
}

impl EnvSource {
    pub fn as_str(self) -> &'static str {
        match self {
            EnvSource::CdkManifest => "cdk-manifest",
            EnvSource::Flag => "flag",
            EnvSource::Config => "config",
            EnvSource::DeployConfig => "deploy-config",
            EnvSource::TemplateMetadata => "template-metadata",
            EnvSource::Environment => "environment-variable",
            EnvSource::Unknown => "unknown",
        }
    }
}

/// A stack of the run with its environment and extracted facts.
#[derive(Clone, Debug)]
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
    /// Which CloudFormation deployment creates the stack: a nested stack is created by its
    /// parent's, so it shares the parent's (the manifest and top-level artifact of a CDK
    /// stack; the file of a loose template).
    pub deployment: String,
    /// Why the deploy configuration left the region unknown, for the notes of region rules.
    pub region_note: Option<String>,
    pub facts: StackFacts,
}

/// SES sandbox state of an account and region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SesState {
    Sandbox,
    Production,
}

/// A statement about the SES state, from a flag or the config file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SesDeclaration {
    pub account: Option<String>,
    pub region: String,
    pub state: SesState,
    /// `flag` or `config`.
    pub source: &'static str,
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
    match (&stack.environment_location, stack.region_source) {
        (Some((file, _)), EnvSource::DeployConfig) => {
            let name = file.rsplit('/').next().unwrap_or(file);
            format!("stack region from {name}")
        }
        _ => "stack environment".to_owned(),
    }
}

pub(crate) fn span_json(file: &str, span: Span) -> Json {
    json!({"file": file, "start": span.start, "end": span.end})
}

/// Replaces `Fn::ImportValue` holes with the value another stack of the same account and region
/// exports under that name, when exactly one does.
pub(crate) fn substitute_imports(
    text: &Text,
    stacks: &[Stack],
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
        let found: Vec<&Text> = stacks
            .iter()
            .filter(|s| compatible(s.account.as_deref(), account))
            .filter(|s| cross_region || compatible(s.region.as_deref(), region))
            .flat_map(|s| s.facts.exports.iter())
            .filter(|e| match (&e.reader_region, cross_region) {
                (None, false) => true,
                (Some(reader), true) => compatible(Some(reader), region),
                _ => false,
            })
            .filter(|e| e.name.known().as_deref() == Some(name.as_str()))
            .filter_map(|e| match e.value.first().and_then(|v| v.value.as_ref()) {
                Some(crate::resolve::Resolved::Str(t)) => Some(t),
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
pub fn facts_document(stacks: &[Stack], inputs: &JoinInputs) -> Json {
    let mut senders = Vec::new();
    let mut identities = Vec::new();
    let mut configuration_sets = Vec::new();
    let mut trigger_senders = Vec::new();
    let mut stack_docs = Vec::new();
    for (index, stack) in stacks.iter().enumerate() {
        stack_docs.push(json!({
            "name": stack.name,
            "file": stack.file,
            "account": stack.account,
            "account_source": stack.account_source.as_str(),
            "region": stack.region,
            "region_source": stack.region_source.as_str(),
            "partition": stack.region.as_deref().map(regions::partition),
        }));
        for (n, sender) in stack.facts.senders.iter().enumerate() {
            senders.push(sender::analyze(stacks, index, n, sender, inputs));
        }
        for (n, trigger) in stack.facts.trigger_senders.iter().enumerate() {
            trigger_senders.push(trigger::analyze(stacks, index, n, trigger, inputs));
        }
        for identity in &stack.facts.identities {
            let name = identity.name.known();
            let mut spans = serde_json::Map::new();
            spans.insert(
                "resource".into(),
                span_json(&stack.file, identity.resource_span),
            );
            if let Some(span) = identity.name.span {
                spans.insert("name".into(), span_json(&stack.file, span));
            }
            identities.push(json!({
                "stack": stack.name,
                "file": stack.file,
                "resource": identity.resource,
                "resource_type": identity.resource_type,
                "name": name,
                "kind": name.as_deref().map(ses::identity_kind),
                "account": stack.account,
                "region": stack.region,
                "spans": spans,
            }));
        }
        for set in &stack.facts.configuration_sets {
            configuration_sets.push(json!({
                "stack": stack.name,
                "file": stack.file,
                "resource": set.resource,
                "name": set.name.known(),
                "account": stack.account,
                "region": stack.region,
                "spans": {"resource": span_json(&stack.file, set.resource_span)},
            }));
        }
    }
    let lookups = inputs
        .live
        .as_ref()
        .map(|l| live::lookups(l, &senders))
        .unwrap_or_default();
    json!({
        "version": FACTS_VERSION,
        "stacks": stack_docs,
        "senders": senders,
        "lookups": lookups,
        "identities": identities,
        "configuration_sets": configuration_sets,
        "trigger_senders": trigger_senders,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(
        account: Option<&str>,
        region: &str,
        state: SesState,
        source: &'static str,
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
            decl(None, "us-west-2", SesState::Production, "flag"),
            decl(
                Some("111111111111"),
                "us-west-2",
                SesState::Sandbox,
                "config",
            ),
        ];
        let got = ses_state(&decls, Some("111111111111"), "us-west-2").map(|d| d.state);
        assert_eq!(got, Some(SesState::Production));
        let decls = vec![
            decl(None, "us-west-2", SesState::Production, "config"),
            decl(
                Some("111111111111"),
                "us-west-2",
                SesState::Sandbox,
                "config",
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
            decl(None, "us-west-2", SesState::Production, "config"),
            decl(None, "us-west-2", SesState::Sandbox, "config"),
        ];
        assert_eq!(
            ses_state(&decls, None, "us-west-2").map(|d| d.state),
            Some(SesState::Sandbox)
        );
    }
}
