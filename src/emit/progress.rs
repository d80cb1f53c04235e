//! The progress bar of a long human-format run, on standard error. Only the command line
//! creates one, and only when standard error is a terminal; the analysis just calls back.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Runs with more files than this show the bar at once; shorter ones only once they are slow.
const MANY_FILES: usize = 200;
const SLOW: Duration = Duration::from_millis(300);

/// A bar that appears only when the run turns out to be long.
pub struct Progress {
    enabled: bool,
    started: Instant,
    bar: OnceLock<ProgressBar>,
}

impl Progress {
    /// `enabled` is false for machine formats and when standard error is not a terminal; the
    /// bar then never draws.
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            started: Instant::now(),
            bar: OnceLock::new(),
        }
    }

    /// The callback for [`crate::check::run_with_progress`].
    pub fn update(&self, done: usize, total: usize) {
        if !self.enabled {
            return;
        }
        let bar = match self.bar.get() {
            Some(bar) => bar,
            None if total > MANY_FILES || self.started.elapsed() > SLOW => {
                self.bar.get_or_init(|| new_bar(total))
            }
            None => return,
        };
        bar.set_position(done as u64);
    }

    /// Removes the bar before the report is printed.
    pub fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }

    /// Whether the bar has been shown (for tests).
    pub fn shown(&self) -> bool {
        self.bar.get().is_some()
    }
}

fn new_bar(total: usize) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} checking {pos}/{len} files {wide_bar} {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disabled_bar_never_shows() {
        let progress = Progress::new(false);
        progress.update(0, 10_000);
        assert!(!progress.shown());
    }

    #[test]
    fn a_short_run_shows_no_bar_and_a_long_one_does() {
        let progress = Progress::new(true);
        progress.update(1, 5);
        assert!(!progress.shown());
        progress.update(1, 500);
        assert!(progress.shown());
        progress.finish();
    }
}
