//! What a join keeps for the next one over almost the same stacks (the language server joins
//! the whole workspace after every edit). A sender's facts depend on its own stack and on what
//! the join reads of the others: their environments, identities, exports, configuration sets
//! and parameters, never their senders. So when every stack that changed kept all of that as
//! it was (an edit of a pool, a function, a comment), the other stacks' parts of the document
//! hold as they are, the run's index too, and only the changed stacks are joined again; any
//! other change joins everything. Either way the document is the one a fresh join makes.
//!
//! A stack is unchanged when its facts are the very ones the memo joined (the analysis cache
//! hands the same shared facts to every run until the file changes) and its environment is
//! equal; the memo holds those facts, so their address cannot be taken by other facts.

use std::sync::Arc;

use super::index::RunIndex;
use super::{JoinInputs, Joined, SesDeclaration, Stack, join_all, join_stack};
use crate::extract::StackFacts;

/// The last join, for the next one. Keep one per workspace; see [`super::facts_document_with`].
#[derive(Debug, Default)]
pub struct Memo {
    /// The SES declarations the entries were joined with.
    ses: Vec<SesDeclaration>,
    /// Per stack, in the run's order: the stack joined, and what it gave.
    stacks: Vec<Stack>,
    joined: Vec<Joined>,
    index: Option<RunIndex>,
    last: MemoStats,
}

/// How the last join used the memo.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoStats {
    /// Stacks joined again.
    pub joined: usize,
    /// Stacks whose earlier part of the document was kept.
    pub kept: usize,
}

impl Memo {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn stats(&self) -> MemoStats {
        self.last
    }

    /// Each stack's part of the document, joined again only where needed.
    pub(super) fn update(&mut self, stacks: &[&Stack], inputs: &JoinInputs) -> &[Joined] {
        // `changed` answers only with the index of the last join, which still holds.
        match (self.changed(stacks, inputs), &self.index) {
            (Some(changed), Some(run)) => {
                for &index in &changed {
                    if let (Some(slot), Some(out), Some(stack)) = (
                        self.joined.get_mut(index),
                        self.stacks.get_mut(index),
                        stacks.get(index),
                    ) {
                        *slot = join_stack(stacks, run, index, inputs);
                        *out = (*stack).clone();
                    }
                }
                self.last = MemoStats {
                    joined: changed.len(),
                    kept: stacks.len() - changed.len(),
                };
            }
            _ => {
                let run = RunIndex::new(stacks);
                self.joined = join_all(stacks, &run, inputs);
                self.stacks = stacks.iter().map(|s| (*s).clone()).collect();
                self.index = Some(run);
                self.ses.clone_from(&inputs.ses);
                self.last = MemoStats {
                    joined: stacks.len(),
                    kept: 0,
                };
            }
        }
        &self.joined
    }

    /// The stacks to join again, when the others' parts still hold; `None` when everything
    /// must be joined (a first run, other inputs, a stack added, removed or moved, or a change
    /// in what other stacks' senders read).
    fn changed(&self, stacks: &[&Stack], inputs: &JoinInputs) -> Option<Vec<usize>> {
        if self.index.is_none() || self.ses != inputs.ses || self.stacks.len() != stacks.len() {
            return None;
        }
        let mut changed = Vec::new();
        for (index, (before, now)) in self.stacks.iter().zip(stacks).enumerate() {
            let same_environment = same_environment(before, now);
            if same_environment && Arc::ptr_eq(&before.facts, &now.facts) {
                continue;
            }
            if !same_environment || !same_for_others(&before.facts, &now.facts) {
                return None;
            }
            changed.push(index);
        }
        Some(changed)
    }
}

/// Whether two stacks have the same everything but their facts. Every field is named: a field
/// added to [`Stack`] must be decided here.
fn same_environment(a: &Stack, b: &Stack) -> bool {
    let Stack {
        file,
        name,
        account,
        account_source,
        region,
        region_source,
        environment_location,
        cdk,
        language,
        environment_label,
        deployment,
        region_note,
        lookup_role,
        facts: _,
    } = a;
    *file == b.file
        && *name == b.name
        && *account == b.account
        && *account_source == b.account_source
        && *region == b.region
        && *region_source == b.region_source
        && *environment_location == b.environment_location
        && *cdk == b.cdk
        && *language == b.language
        && *environment_label == b.environment_label
        && *deployment == b.deployment
        && *region_note == b.region_note
        && *lookup_role == b.lookup_role
}

/// Whether two stacks' facts are the same in everything the join of another stack's senders
/// may read: all but their own senders.
fn same_for_others(a: &StackFacts, b: &StackFacts) -> bool {
    let StackFacts {
        senders: _,
        trigger_senders: _,
        identities,
        configuration_sets,
        exports,
        parameters,
    } = a;
    *identities == b.identities
        && *configuration_sets == b.configuration_sets
        && *exports == b.exports
        && *parameters == b.parameters
}
