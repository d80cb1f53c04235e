//! The world of a run as a picture (`sandtrap map`, and the map of the Markdown and HTML
//! reports): accounts and regions as groups, each region with the SES state known for it, every
//! Cognito sender as a node in the account and region of its stack, an edge to the SES identity
//! it mails through (in the SES account and region of its `SourceArn`), and the findings of the
//! run on the nodes and edges. Built from the typed facts and the run's diagnostics; drawn by
//! [`mermaid`], [`dot`] and [`svg`], or serialized as JSON.

pub mod dot;
pub mod mermaid;
mod model;
pub mod status;
pub mod svg;

pub use model::*;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::SesState;
use crate::diagnostic::Diagnostic;
use crate::join::facts::{Facts, IdentityVerdict, SenderFact, StateSource, TriggerSenderFact};
use crate::source::Files;

/// The version of the map's JSON (`sandtrap map --format json`).
pub const MAP_VERSION: u32 = 1;

/// Senders beyond which clean ones are collapsed, unless `--expand`.
pub const COLLAPSE_ABOVE: usize = 30;

/// Findings of the run by (file, resource).
type FindingIndex<'a> = BTreeMap<(&'a str, &'a str), Vec<&'a Diagnostic>>;

fn index_findings<'a>(diagnostics: &'a [Diagnostic], files: &'a Files) -> FindingIndex<'a> {
    let mut index: FindingIndex<'a> = BTreeMap::new();
    for d in diagnostics {
        let (Some(resource), Some(file)) = (d.resource.as_deref(), files.get(d.location.file))
        else {
            continue;
        };
        index
            .entry((file.name.as_str(), resource))
            .or_default()
            .push(d);
    }
    index
}

/// A sender of either kind, as the map places it.
struct Placed {
    node: SenderNode,
    account: Option<String>,
    region: Option<String>,
    /// (SES account, SES region, identity name, status, declared by) when mail goes through
    /// an SES identity.
    target: Option<Target>,
}

struct Target {
    account: Option<String>,
    region: Option<String>,
    name: Option<String>,
    status: &'static str,
    declared_in: Option<String>,
    verified: Option<bool>,
    verification_status: Option<String>,
    state: Option<SesState>,
    source: Option<StateSource>,
}

fn verdict_status(verdict: IdentityVerdict) -> &'static str {
    match verdict {
        IdentityVerdict::Declared
        | IdentityVerdict::SameStack
        | IdentityVerdict::SameDeployment => "declared",
        IdentityVerdict::OtherRegion => "elsewhere",
        IdentityVerdict::OtherLevel => "other-level",
        IdentityVerdict::NotDeclared => "missing",
        IdentityVerdict::Unknown => "unknown",
    }
}

fn findings(node: &mut SenderNode, index: &FindingIndex<'_>) {
    let mut found: Vec<&Diagnostic> = index
        .get(&(node.file.as_str(), node.resource.as_str()))
        .cloned()
        .unwrap_or_default();
    found.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.code.cmp(&b.code))
    });
    node.severity = found.first().map(|d| d.severity);
    for d in found {
        if !node.findings.contains(&d.code) {
            node.findings.push(d.code.clone());
        }
    }
}

fn place_sender(sender: &SenderFact, index: &FindingIndex<'_>) -> Placed {
    let mailer = if sender.custom_email_sender {
        "lambda"
    } else if sender.uses_ses {
        "ses"
    } else if sender.sending_account_known {
        "cognito"
    } else {
        "unknown"
    };
    let mut node = SenderNode {
        id: String::new(),
        fact: sender.id.clone(),
        kind: serde_name(&sender.kind),
        stack: sender.stack.clone(),
        file: sender.file.clone(),
        resource: sender.resource.clone(),
        cdk_path: sender.cdk_path.clone(),
        mailer: mailer.to_owned(),
        exposure: serde_name(&sender.exposure.level),
        severity: None,
        findings: Vec::new(),
    };
    findings(&mut node, index);
    let target = (mailer == "ses").then(|| Target {
        account: sender.ses.account.clone(),
        region: sender.ses.region.clone(),
        name: sender.identity.name.clone(),
        status: verdict_status(sender.identity.verdict),
        declared_in: sender.identity.declared_in.clone(),
        verified: sender
            .identity
            .live
            .as_ref()
            .map(|l| l.verified_for_sending.unwrap_or(false)),
        verification_status: sender.identity.live.as_ref().map(|l| {
            if l.exists {
                l.verification_status.clone().unwrap_or_default()
            } else {
                "NOT_FOUND".to_owned()
            }
        }),
        state: sender.ses.state,
        source: sender.ses.state_source,
    });
    Placed {
        node,
        account: sender.account.clone(),
        region: sender.pool_region.clone(),
        target,
    }
}

fn place_trigger(sender: &TriggerSenderFact, facts: &Facts, index: &FindingIndex<'_>) -> Placed {
    let mut node = SenderNode {
        id: String::new(),
        fact: sender.id.clone(),
        kind: "trigger".to_owned(),
        stack: sender.stack.clone(),
        file: sender.file.clone(),
        resource: sender.resource.clone(),
        cdk_path: None,
        mailer: "ses".to_owned(),
        exposure: serde_name(&sender.exposure.level),
        severity: None,
        findings: Vec::new(),
    };
    findings(&mut node, index);
    // A trigger's function is the resource of its findings only through the pool; they are
    // keyed by the pool's logical id, like the trigger sender itself.
    Placed {
        node,
        account: sender.ses.account.clone(),
        region: sender.pool_region.clone(),
        target: Some(Target {
            account: sender.ses.account.clone(),
            region: sender.ses.region.clone(),
            name: sender.identity.clone(),
            status: trigger_identity_status(sender, facts),
            declared_in: None,
            verified: None,
            verification_status: None,
            state: sender.ses.state,
            source: sender.ses.state_source,
        }),
    }
}

/// Whether the identity a trigger's grant names is declared by the run where it sends: the
/// join gives no verdict for trigger senders, so the map looks it up itself.
fn trigger_identity_status(sender: &TriggerSenderFact, facts: &Facts) -> &'static str {
    let Some(name) = sender.identity.as_deref() else {
        return "unknown";
    };
    if sender.ses.region.is_none() {
        return "unknown";
    }
    let declared = facts.identities.iter().any(|i| {
        i.name
            .as_deref()
            .is_some_and(|n| crate::join::ses::same_identity(n, name))
            && i.region == sender.ses.region
            && crate::join::compatible(i.account.as_deref(), sender.ses.account.as_deref())
    });
    if declared { "declared" } else { "missing" }
}

/// The kebab-case name serde gives a unit enum value.
fn serde_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn state_name(state: Option<SesState>) -> &'static str {
    match state {
        Some(SesState::Sandbox) => "sandbox",
        Some(SesState::Production) => "production",
        None => "unknown",
    }
}

fn source_name(source: Option<StateSource>) -> Option<String> {
    source.map(|s| serde_name(&s))
}

/// An (account, region) place; `None` where unknown.
type Key = (Option<String>, Option<String>);

/// What the senders say of the SES state of a place: state, who said it, senders mailing there.
type States = BTreeMap<Key, (Option<SesState>, Option<StateSource>, usize)>;

/// Builds the map of a run. `options.expand` keeps every sender even in a large run.
pub fn build(facts: &Facts, diagnostics: &[Diagnostic], files: &Files, options: MapOptions) -> Map {
    let index = index_findings(diagnostics, files);
    let mut placed: Vec<Placed> = facts
        .senders
        .iter()
        .map(|s| place_sender(s, &index))
        .chain(
            facts
                .trigger_senders
                .iter()
                .map(|t| place_trigger(t, facts, &index)),
        )
        .collect();
    // Condition variants of one resource are one node: the worst of them is what is drawn.
    dedup_variants(&mut placed);
    let states = ses_states(&placed);
    let total = placed.len();
    let collapse = !options.expand && total > COLLAPSE_ABOVE;
    let mut layout = Layout::default();
    for p in &placed {
        layout.groups.entry(p.key()).or_default();
    }
    for p in placed {
        if collapse && p.node.severity.is_none() {
            let entry = layout.clean.entry(p.key()).or_default();
            entry.0.insert(p.node.stack.clone());
            entry.1 += 1;
        } else {
            layout.add(p);
        }
    }

    let mut map = Map {
        version: MAP_VERSION,
        ..Map::default()
    };
    map.totals.senders = total;
    map.totals.identities = layout.identity_ids.len();
    map.totals.needs_production = needs_production(&states);
    for (key, (stacks, senders)) in &layout.clean {
        layout.groups.entry(key.clone()).or_default().collapsed = Some(CollapsedNode {
            id: String::new(),
            stacks: stacks.len(),
            senders: *senders,
        });
        map.collapsed.push(format!(
            "{senders} sender{} without findings in {} stack{} of {} drawn as one node",
            plural(*senders),
            stacks.len(),
            plural(stacks.len()),
            place_words(&key.0, &key.1),
        ));
    }
    map.accounts = accounts(layout.groups, &states);
    for lookup in &facts.lookups {
        let group = map
            .accounts
            .iter_mut()
            .filter(|a| a.account == lookup.account)
            .flat_map(|a| a.regions.iter_mut())
            .find(|r| r.region.as_deref() == Some(lookup.region.as_str()));
        if let Some(group) = group {
            group.live = lookup.live.clone();
            group.live_error = lookup.error.as_ref().map(|e| e.summary.clone());
        }
    }
    map.totals.regions = map.accounts.iter().map(|a| a.regions.len()).sum();
    map.edges = layout.edges;
    map.stacks = facts
        .stacks
        .iter()
        .map(|s| MapStack {
            name: s.name.clone(),
            file: s.file.clone(),
            account: s.account.clone(),
            region: s.region.clone(),
        })
        .collect();
    map
}

impl Placed {
    fn key(&self) -> Key {
        (self.account.clone(), self.region.clone())
    }
}

/// The SES state of every place a sender mails through. Sandbox wins a disagreement between
/// variants, as the join does.
fn ses_states(placed: &[Placed]) -> States {
    let mut states = States::new();
    for t in placed.iter().filter_map(|p| p.target.as_ref()) {
        let entry = states
            .entry((t.account.clone(), t.region.clone()))
            .or_insert((None, None, 0));
        if t.state.is_some() && (entry.0.is_none() || t.state == Some(SesState::Sandbox)) {
            entry.0 = t.state;
            entry.1 = t.source;
        }
        entry.2 += 1;
    }
    states
}

/// The places, with a known region, still in the sandbox or of unknown state.
fn needs_production(states: &States) -> Vec<Place> {
    states
        .iter()
        .filter_map(|((account, region), (state, _, senders))| {
            let region = region.as_ref()?;
            (*state != Some(SesState::Production)).then(|| Place {
                account: account.clone(),
                region: region.clone(),
                state: state_name(*state).to_owned(),
                senders: *senders,
            })
        })
        .collect()
}

/// Nodes and edges as they are placed, before the groups are ordered.
#[derive(Default)]
struct Layout {
    groups: BTreeMap<Key, RegionGroup>,
    edges: Vec<Edge>,
    identity_ids: BTreeMap<(Key, Option<String>), (String, usize)>,
    /// Collapsed senders by place: their stacks and how many.
    clean: BTreeMap<Key, (std::collections::BTreeSet<String>, usize)>,
    senders: usize,
}

impl Layout {
    /// Draws a sender, its identity (one node per name and place) and the edge between them.
    fn add(&mut self, mut p: Placed) {
        p.node.id = format!("s{}", self.senders);
        self.senders += 1;
        if let Some(t) = &p.target {
            let place = (t.account.clone(), t.region.clone());
            let next = self.identity_ids.len();
            let group = self.groups.entry(place.clone()).or_default();
            // One node per name and place; its position in the group is kept with its id, so
            // placing a sender is a lookup, not a scan of the group's identities.
            let (id, slot) = self
                .identity_ids
                .entry((place, t.name.clone()))
                .or_insert_with(|| {
                    group.identities.push(IdentityNode {
                        id: format!("i{next}"),
                        name: t.name.clone(),
                        status: t.status.to_owned(),
                        declared_by: Vec::new(),
                        verified: t.verified,
                        verification_status: t.verification_status.clone(),
                    });
                    (format!("i{next}"), group.identities.len() - 1)
                })
                .clone();
            if let Some(identity) = group.identities.get_mut(slot) {
                identity.status = better_status(&identity.status, t.status).to_owned();
                if let Some(stack) = &t.declared_in
                    && !identity.declared_by.contains(stack)
                {
                    identity.declared_by.push(stack.clone());
                }
                identity.verified = identity.verified.or(t.verified);
                if identity.verification_status.is_none() {
                    identity.verification_status = t.verification_status.clone();
                }
            }
            self.edges.push(Edge {
                from: p.node.id.clone(),
                to: id,
                status: t.status.to_owned(),
                severity: p.node.severity,
                label: edge_label(t.status, &p.node),
            });
        }
        let key = p.key();
        self.groups.entry(key).or_default().senders.push(p.node);
    }
}

/// The groups by account, known accounts first (sorted), then the unknown one; the same for the
/// regions of an account. Ids and SES states are filled in here.
fn accounts(groups: BTreeMap<Key, RegionGroup>, states: &States) -> Vec<AccountGroup> {
    let mut entries: Vec<(Key, RegionGroup)> = groups.into_iter().collect();
    entries.sort_by(|((a1, r1), _), ((a2, r2), _)| {
        (a1.is_none(), a1, r1.is_none(), r1).cmp(&(a2.is_none(), a2, r2.is_none(), r2))
    });
    let mut out: Vec<AccountGroup> = Vec::new();
    let mut collapsed = 0;
    for ((account, region), mut group) in entries {
        if out.last().is_none_or(|last| last.account != account) {
            out.push(AccountGroup {
                id: format!("a{}", out.len()),
                account: account.clone(),
                regions: Vec::new(),
            });
        }
        let Some(current) = out.last_mut() else {
            continue;
        };
        group.id = format!("{}r{}", current.id, current.regions.len());
        let (state, source, _) = states
            .get(&(account.clone(), region.clone()))
            .copied()
            .unwrap_or((None, None, 0));
        group.ses_state = state_name(state).to_owned();
        group.ses_state_source = source_name(source);
        if let Some(node) = &mut group.collapsed {
            node.id = format!("c{collapsed}");
            collapsed += 1;
        }
        group.region = region;
        current.regions.push(group);
    }
    out
}

/// Keeps one node per (file, resource, kind): the variant with the most severe finding.
fn dedup_variants(placed: &mut Vec<Placed>) {
    let mut seen: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    let mut keep: Vec<Placed> = Vec::with_capacity(placed.len());
    for p in placed.drain(..) {
        let key = (
            p.node.file.clone(),
            p.node.resource.clone(),
            p.node.kind.clone(),
        );
        match seen.get(&key) {
            Some(&at) => {
                if p.node.severity > keep[at].node.severity {
                    keep[at] = p;
                }
            }
            None => {
                seen.insert(key, keep.len());
                keep.push(p);
            }
        }
    }
    *placed = keep;
}

/// Of two statuses of one identity seen from different senders, the one the run knows best.
fn better_status<'a>(a: &'a str, b: &'a str) -> &'a str {
    let rank = |s: &str| match s {
        "declared" => 0,
        "other-level" => 1,
        "elsewhere" => 2,
        "missing" => 3,
        _ => 4,
    };
    if rank(b) < rank(a) { b } else { a }
}

fn edge_label(status: &str, node: &SenderNode) -> String {
    let status = match status {
        "declared" => "declared",
        "elsewhere" => "declared in another region",
        "other-level" => "declared at another level",
        "missing" => "not declared",
        _ => "unknown",
    };
    match node.findings.first() {
        Some(code) => format!("{code} · {status}"),
        None => status.to_owned(),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
