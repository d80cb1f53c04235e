//! A flag that asks a run to stop: the language server raises it when a newer edit, `shutdown`,
//! `exit` or a closed input makes the run in progress pointless. The walk and the analysis of
//! files look at it between entries and between files, so a run over a huge tree ends soon
//! after it is raised.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Shared by whoever may cancel a run and the run itself; clones are the same flag.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the run to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}
