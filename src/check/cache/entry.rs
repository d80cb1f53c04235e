//! What an entry of the cache says of itself: its key, the target it was made for, and
//! whether it is what sandtrap keeps on disk.

use std::path::Path;
use std::sync::Arc;

use super::respell;
use super::{Entry, FileOutcome, Key, Read, key};
use crate::discover::{Origin, Target};

impl Entry {
    pub(in crate::check) fn key(&self) -> Key {
        key(&self.target)
    }

    pub(in crate::check) fn target(&self) -> &Target {
        &self.target
    }

    /// Whether the analysis holds for `target` in a run in `cwd`: made for it, or for the same
    /// file spelled otherwise ([`respell::same_place`]) or found the other way (walked, or
    /// named) when that did not decide it ([`FileOutcome::by_name`]).
    pub(super) fn made_for(&self, target: &Target, cwd: &Path) -> bool {
        // Every field, so that a field added to `Target` is decided here.
        let Target {
            name,
            path,
            explicit,
            origin,
            environment,
        } = &self.target;
        (*explicit == target.explicit || !self.outcome.by_name)
            && *name == target.name
            && respell::same_place(path.as_deref(), target.path.as_deref(), cwd)
            && *origin == target.origin
            && *environment == target.environment
    }

    pub(in crate::check) fn into_outcome(self) -> Arc<FileOutcome> {
        self.outcome
    }

    /// The analysis, shared.
    pub(in crate::check) fn outcome(&self) -> Arc<FileOutcome> {
        Arc::clone(&self.outcome)
    }

    /// Whether the entry may be kept on disk, and is what sandtrap keeps there: what
    /// [`Entry::storable_once_written`] says, its analysis naming the file by the target's path.
    pub(in crate::check) fn storable(&self) -> bool {
        self.storable_once_written() && self.outcome.spells(self.target.path.as_deref())
    }

    /// Whether the entry may be kept on disk once written in its target's spelling (an entry
    /// given another spelling since it was made names the file the first way: `respell.rs`,
    /// `as_written`): the analysis of a file on disk (never an editor buffer or standard
    /// input), of one file (its stacks and text its own), without the value of a `NoEcho`
    /// parameter (a secret is never written anywhere).
    pub(in crate::check) fn storable_once_written(&self) -> bool {
        let outcome = &self.outcome;
        let own = |file: &str| file == outcome.source.name;
        matches!(self.read, Read::File(_))
            && matches!(self.target.origin, Origin::Loose | Origin::Cdk(_))
            && (self.target.path.as_deref()).is_some_and(|p| !crate::serverless::is_service_file(p))
            && outcome.secrets.is_empty()
            && outcome.stacks.iter().all(|s| own(&s.file))
    }
}
