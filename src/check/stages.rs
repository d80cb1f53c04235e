//! How long each stage of a run took: the language server logs it with every run, which is
//! how an edit's time is read in the field.

/// How long each stage of a run took, in order (the language server logs them).
#[derive(Clone, Debug, Default)]
pub struct Stages {
    pub stages: Vec<(&'static str, std::time::Duration)>,
    since: Option<std::time::Instant>,
}

impl Stages {
    pub(super) fn start() -> Self {
        Stages {
            stages: Vec::new(),
            since: Some(std::time::Instant::now()),
        }
    }

    /// Ends stage `name`, which began when the last one ended.
    pub(super) fn mark(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        if let Some(since) = self.since.replace(now) {
            self.stages.push((name, now - since));
        }
    }
}

impl std::fmt::Display for Stages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (n, (name, took)) in self.stages.iter().enumerate() {
            let separator = if n == 0 { "" } else { ", " };
            write!(f, "{separator}{name} {:.1} ms", took.as_secs_f64() * 1000.0)?;
        }
        Ok(())
    }
}
