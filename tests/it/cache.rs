//! The analysis cache of repeated runs (`check::run_cached`, what the language server calls on
//! every edit): a cached run reports exactly what a fresh run reports, and analyzes again only
//! the files whose analysis could have changed.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use sandtrap::check::{self, Cache, CacheStats, CheckOptions, FileChange};
use sandtrap::join::MemoStats;

/// A pool that mails through SES in us-west-2 (sandbox by the config file) and an identity
/// stack, and a few templates with nothing to report.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        ".sandtrap.yaml",
        "ses:\n  sandbox:\n    - regions: [us-west-2]\n",
    );
    write(root, "auth/pool.yaml", &pool("example.com"));
    write(root, "mail/identity.yaml", &identity("example.com"));
    for n in 0..5 {
        write(
            root,
            &format!("svc{n}/template.yaml"),
            "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n",
        );
    }
    dir
}

fn pool(domain: &str) -> String {
    format!(
        "Metadata: {{sandtrap: {{region: us-west-2}}}}\nResources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      EmailConfiguration:\n        EmailSendingAccount: DEVELOPER\n        From: no-reply@{domain}\n        SourceArn: !Sub arn:aws:ses:${{AWS::Region}}:${{AWS::AccountId}}:identity/{domain}\n"
    )
}

/// A stack in us-west-2 declaring the SES identity `domain`.
fn identity(domain: &str) -> String {
    format!(
        "Metadata: {{sandtrap: {{region: us-west-2}}}}\nResources:\n  Identity:\n    Type: AWS::SES::EmailIdentity\n    Properties:\n      EmailIdentity: {domain}\n"
    )
}

/// A `samconfig.toml` deploying `pool.yaml` to `region`.
fn samconfig(region: &str) -> String {
    format!(
        "version = 0.1\n[default.deploy.parameters]\nregion = \"{region}\"\ntemplate_file = \"pool.yaml\"\n"
    )
}

fn write(root: &Path, name: &str, text: &str) {
    let path = root.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn options(root: &Path) -> CheckOptions {
    CheckOptions {
        paths: vec![root.to_path_buf()],
        cwd: root.to_path_buf(),
        ..CheckOptions::default()
    }
}

/// What a run reports, in a form two runs can be compared by.
fn report(outcome: &check::Outcome) -> Vec<String> {
    outcome
        .diagnostics
        .iter()
        .map(|d| {
            let file = outcome.files.get(d.location.file).unwrap();
            format!(
                "{} {}:{}-{} {} | {:?}",
                d.code, file.name, d.location.span.start, d.location.span.end, d.message, d.note
            )
        })
        .collect()
}

/// Runs with the cache and checks the result against a fresh run of the same options.
fn cached(options: &CheckOptions, cache: &mut Cache) -> (Vec<String>, CacheStats) {
    let outcome = check::run_cached(options, cache).unwrap();
    let fresh = check::run(options).unwrap();
    assert_eq!(report(&outcome), report(&fresh));
    assert_eq!(outcome.summary, fresh.summary);
    assert_eq!(
        serde_json::to_string(&outcome.facts_json()).unwrap(),
        serde_json::to_string(&fresh.facts_json()).unwrap()
    );
    (report(&outcome), cache.stats())
}

/// The analyses files of a cache directory (`analyses-*.bin`), sorted.
fn cache_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("analyses-")
        })
        .collect();
    files.sort();
    files
}

fn stats(reused: usize, analyzed: usize) -> CacheStats {
    CacheStats {
        reused,
        analyzed,
        ..CacheStats::default()
    }
}

#[test]
fn an_unchanged_tree_is_joined_again_without_reading_a_file() {
    let dir = project();
    let options = options(dir.path());
    let mut cache = Cache::new();
    let (first, s) = cached(&options, &mut cache);
    assert_eq!(s, stats(0, 7));
    assert!(first.iter().any(|d| d.starts_with("ST")), "{first:?}");
    let (second, s) = cached(&options, &mut cache);
    assert_eq!(s, stats(7, 0));
    assert_eq!(first, second);
}

#[test]
fn only_the_changed_file_is_analyzed_again_and_the_join_sees_it() {
    let dir = project();
    let root = dir.path();
    let options = options(root);
    let mut cache = Cache::new();
    let (before, _) = cached(&options, &mut cache);

    // The identity moves to another domain: the pool's identity is no longer declared.
    write(root, "mail/identity.yaml", &identity("other.example"));
    let (after, s) = cached(&options, &mut cache);
    assert_eq!(s, stats(6, 1));
    assert_ne!(before, after);

    // Rewritten with the same bytes (a checkout, `touch`): compared by content, kept.
    let text = fs::read_to_string(root.join("auth/pool.yaml")).unwrap();
    fs::remove_file(root.join("auth/pool.yaml")).unwrap();
    write(root, "auth/pool.yaml", &text);
    let (_, s) = cached(&options, &mut cache);
    assert_eq!(s, stats(7, 0));

    // A deleted file leaves the run and the cache; a new one joins both.
    fs::remove_file(root.join("svc0/template.yaml")).unwrap();
    write(root, "svc9/template.yaml", &pool("other.example"));
    let (_, s) = cached(&options, &mut cache);
    assert_eq!(s, stats(6, 1));
    assert_eq!(cache.len(), 7);
}

#[test]
fn an_editor_buffer_is_analyzed_by_its_text() {
    let dir = project();
    let root = dir.path();
    let mut options = options(root);
    let mut cache = Cache::new();
    cached(&options, &mut cache);
    let path = root.join("auth/pool.yaml");
    options.overrides = BTreeMap::from([(path.clone(), pool("typed.example"))]);
    let (typed, s) = cached(&options, &mut cache);
    assert_eq!(s, stats(6, 1));
    assert!(
        typed.iter().any(|d| d.contains("typed.example")),
        "{typed:?}"
    );
    let (_, s) = cached(&options, &mut cache);
    assert_eq!(s, stats(7, 0));
    // Closed without saving: the file on disk again.
    options.overrides.clear();
    let (_, s) = cached(&options, &mut cache);
    assert_eq!(s, stats(6, 1));
}

#[test]
fn the_run_inputs_and_the_deploy_configuration_invalidate_what_they_affect() {
    let dir = project();
    let root = dir.path();
    let mut options = options(root);
    let mut cache = Cache::new();
    let (before, _) = cached(&options, &mut cache);

    // A `samconfig.toml` beside the pool gives it another region (deploy configuration beats
    // the template's metadata): that template is analyzed again.
    write(root, "auth/samconfig.toml", &samconfig("eu-west-1"));
    let (with_region, s) = cached(&options, &mut cache);
    assert_eq!(s, stats(6, 1));
    assert_ne!(before, with_region);
    // Edited in place, it is read again too.
    write(root, "auth/samconfig.toml", &samconfig("ap-northeast-1"));
    let (edited, s) = cached(&options, &mut cache);
    assert_eq!(s, stats(6, 1));
    assert_ne!(edited, with_region);
    // Another file in that directory (an editor's swap file) changes nothing.
    write(root, "auth/.pool.yaml.swp", "x");
    let (_, s) = cached(&options, &mut cache);
    assert_eq!(s, stats(7, 0));

    // The config file and the flags are read by every file's analysis.
    write(
        root,
        ".sandtrap.yaml",
        "ses:\n  production:\n    - regions: [us-west-2]\n",
    );
    let (_, s) = cached(&options, &mut cache);
    assert_eq!(s, stats(0, 7));
    options.region = Some("eu-west-1".to_owned());
    let (_, s) = cached(&options, &mut cache);
    assert_eq!(s, stats(0, 7));
    let (_, s) = cached(&options, &mut cache);
    assert_eq!(s, stats(7, 0));
}

fn joined(joined: usize, kept: usize) -> MemoStats {
    MemoStats { joined, kept }
}

/// The join runs again only for the stacks an edit can change: the edited stack, unless the
/// edit changed what other stacks' senders read of it (an identity, an export, its region),
/// which joins every stack; the rules evaluate again only the facts the join made anew. Every
/// step reports what a fresh run reports (`cached`).
#[test]
fn an_edit_joins_again_only_the_stacks_it_can_change() {
    let dir = project();
    let root = dir.path();
    write(root, "auth2/pool.yaml", &pool("example.com"));
    let pool_path = root.join("auth/pool.yaml");
    let mut options = options(root);
    let mut cache = Cache::new();
    let (first, _) = cached(&options, &mut cache);
    // The two pools and the identity's stack; the queues have nothing to join.
    assert_eq!(cache.join_stats(), joined(3, 0));

    // Typing in one pool (another sender address of the same domain, then a second pool).
    let typed = pool("example.com").replace("no-reply@", "hello@");
    options.overrides = BTreeMap::from([(pool_path.clone(), typed.clone())]);
    let (edited, _) = cached(&options, &mut cache);
    assert_eq!(cache.join_stats(), joined(1, 2));
    // The rules evaluate the edited stack's facts again, and keep the others' findings.
    let rules = cache.rules_stats();
    assert!(rules.evaluated >= 1 && rules.kept >= 1, "{rules:?}");
    let second = "  Second:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      EmailConfiguration:\n        EmailSendingAccount: DEVELOPER\n        From: a@missing.example\n        SourceArn: arn:aws:ses:us-west-2:111111111111:identity/missing.example\n";
    options.overrides = BTreeMap::from([(pool_path.clone(), format!("{typed}{second}"))]);
    let (two, _) = cached(&options, &mut cache);
    assert_eq!(cache.join_stats(), joined(1, 2));
    assert!(two.len() > edited.len(), "{two:?}");

    // The identity moves to another domain: both pools read it, everything is joined.
    write(root, "mail/identity.yaml", &identity("other.example"));
    let (moved, _) = cached(&options, &mut cache);
    assert_eq!(cache.join_stats(), joined(3, 0));
    assert_ne!(moved, two);

    // A region is part of what the others read too.
    options.overrides = BTreeMap::from([(pool_path, typed.replace("us-west-2}", "eu-west-1}"))]);
    cached(&options, &mut cache);
    assert_eq!(cache.join_stats(), joined(3, 0));
    // Nothing changed: nothing joined, nothing evaluated.
    cached(&options, &mut cache);
    assert_eq!(cache.join_stats(), joined(0, 3));
    let rules = cache.rules_stats();
    assert!(rules.evaluated == 0 && rules.kept >= 2, "{rules:?}");
    options.overrides.clear();
    write(root, "mail/identity.yaml", &identity("example.com"));
    let (back, _) = cached(&options, &mut cache);
    assert_eq!(back, first);
}

/// With a file watcher's reports, a run reuses the last run's files and looks at no file but
/// the changed ones; a report that can change what is found walks again.
#[test]
fn the_watchers_reports_decide_what_is_looked_at() {
    let dir = project();
    let root = dir.path();
    let options = options(root);
    let mut cache = Cache::new();
    cached(&options, &mut cache);
    let changed = |path: &str, content_only| FileChange {
        path: root.join(path),
        content_only,
    };

    write(root, "auth/pool.yaml", &pool("other.example"));
    cache.watched(vec![changed("auth/pool.yaml", true)]);
    let (edited, s) = cached(&options, &mut cache);
    assert_eq!(s, stats(6, 1));
    assert!(
        edited.iter().any(|d| d.contains("other.example")),
        "{edited:?}"
    );
    // Reported as nothing changed: not even looked at. The files the last run reused as they
    // were are taken as they are; the one it analyzed is looked up.
    cache.watched(Vec::new());
    let (_, s) = cached(&options, &mut cache);
    assert_eq!(
        s,
        CacheStats {
            taken: 6,
            ..stats(7, 0)
        }
    );

    // A new file: discovery runs again and finds it.
    write(root, "svc9/template.yaml", &pool("example.com"));
    cache.watched(vec![changed("svc9/template.yaml", false)]);
    let (added, s) = cached(&options, &mut cache);
    assert_eq!(s, stats(7, 1));
    assert!(added.iter().any(|d| d.contains("svc9")), "{added:?}");
    // A deleted one leaves.
    fs::remove_file(root.join("svc9/template.yaml")).unwrap();
    cache.watched(vec![changed("svc9/template.yaml", false)]);
    let (_, s) = cached(&options, &mut cache);
    assert_eq!(s, stats(7, 0));
}

/// An editor's runs with nothing changed on disk take the analyses the last run reused as they
/// were, and look up only the others: the buffers, the files analyzed last time. Opening,
/// editing or closing a buffer, or a change on disk, looks every file up again. Every step
/// reports what a fresh run reports (`cached`).
#[test]
fn a_run_with_nothing_changed_on_disk_takes_the_last_runs_analyses() {
    let dir = project();
    let root = dir.path();
    let mut options = options(root);
    let mut cache = Cache::new();
    // A run after the watcher said nothing changed on disk: what it reports (which must
    // name `word`) and how many files it took, reused and analyzed.
    let quiet = |options: &CheckOptions, cache: &mut Cache, word: &str, counts| {
        cache.watched(Vec::new());
        let (report, s) = cached(options, cache);
        let (taken, reused, analyzed) = counts;
        assert_eq!(
            s,
            CacheStats {
                taken,
                ..stats(reused, analyzed)
            }
        );
        assert!(report.iter().any(|d| d.contains(word)), "{report:?}");
        report
    };
    cached(&options, &mut cache);
    // The first run analyzed every file: each is looked up once more, then taken.
    quiet(&options, &mut cache, "ST101", (0, 7, 0));
    quiet(&options, &mut cache, "ST101", (7, 7, 0));

    // A buffer opened: every file looked up (the buffer's file is read from its text).
    let pool_path = root.join("auth/pool.yaml");
    let typing = |options: &mut CheckOptions, domain: &str| {
        options.overrides.insert(pool_path.clone(), pool(domain));
    };
    typing(&mut options, "typed.example");
    quiet(&options, &mut cache, "typed.example", (0, 6, 1));
    // Typing in it: the others are taken, the buffer analyzed again.
    typing(&mut options, "typed2.example");
    quiet(&options, &mut cache, "typed2", (6, 6, 1));
    // Not typing: the buffer is looked up (and reused), never taken, whatever comes next.
    quiet(&options, &mut cache, "typed2", (6, 7, 0));
    quiet(&options, &mut cache, "typed2", (6, 7, 0));
    typing(&mut options, "typed3.example");
    quiet(&options, &mut cache, "typed3", (6, 6, 1));
    // Another file opened with other text than on disk: not taken as it was.
    let queue = root.join("svc0/template.yaml");
    options.overrides.insert(queue, pool("opened.example"));
    quiet(&options, &mut cache, "opened", (0, 6, 1));

    // A change on disk the watcher reports: every file looked up.
    write(root, "mail/identity.yaml", &identity("typed3.example"));
    cache.watched(vec![FileChange {
        path: root.join("mail/identity.yaml"),
        content_only: true,
    }]);
    let (_, s) = cached(&options, &mut cache);
    assert_eq!(s, stats(6, 1));
    // Both buffers closed: their files are read from disk again.
    options.overrides.clear();
    let closed = quiet(&options, &mut cache, "example.com", (0, 5, 2));
    assert!(!closed.iter().any(|d| d.contains("opened")), "{closed:?}");
    // Other run inputs: every file analyzed again.
    quiet(&options, &mut cache, "example.com", (5, 7, 0));
    options.region = Some("eu-west-1".to_owned());
    quiet(&options, &mut cache, "eu-west-1", (0, 0, 7));
}

/// The paths the tests name exist (a typo would make them vacuous).
#[test]
fn the_project_is_what_the_tests_think() {
    let dir = project();
    let found: Vec<PathBuf> = walk(dir.path());
    assert_eq!(found.len(), 8, "{found:?}");
}

fn walk(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(root).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The cache on disk (`--cache-dir`, `.sandtrap_cache/`): a run that reads it reports byte for
/// byte what a run without it reports, whatever the cache directory holds.
mod on_disk {
    use super::*;
    use crate::support;

    /// `sandtrap check --format json` of `path` with the cache in `cache` (`None`: without).
    fn check(path: &str, cache: Option<&Path>) -> String {
        let dir = cache.map(|c| c.to_string_lossy().into_owned());
        let mut args = vec!["check", "--format", "json", "--exit-zero"];
        match &dir {
            Some(dir) => args.extend(["--cache-dir", dir.as_str()]),
            None => args.push("--no-cache"),
        }
        args.push(path);
        let run = support::run(&args, "");
        assert_eq!(run.stderr, "", "{args:?}");
        run.stdout
    }

    /// `sandtrap check --format json` of `path`, run in `root`, with the cache in `cache`
    /// (`None`: without).
    fn json_check(root: &Path, cache: Option<&Path>, path: &str) -> String {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_sandtrap"));
        command
            .current_dir(root)
            .args(["check", "--format", "json", "--exit-zero"]);
        match cache {
            Some(cache) => command.arg("--cache-dir").arg(cache),
            None => command.arg("--no-cache"),
        };
        let out = command.arg(path).output().unwrap();
        assert!(out.status.success() && out.stderr.is_empty(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    }

    /// A cache file's contents and inode: whether a run wrote it again.
    #[cfg(unix)]
    fn written(file: &Path) -> (u64, u64) {
        use std::hash::{Hash, Hasher};
        use std::os::unix::fs::MetadataExt as _;
        let mut hasher = std::hash::DefaultHasher::new();
        fs::read(file).unwrap().hash(&mut hasher);
        (hasher.finish(), fs::symlink_metadata(file).unwrap().ino())
    }

    /// Every fixture, cold and warm: the same report as without the cache.
    #[test]
    fn every_fixture_reports_the_same_with_the_cache_cold_and_warm() {
        let cache = tempfile::tempdir().unwrap();
        for path in ["testdata", "examples"] {
            let without = check(path, None);
            assert!(without.contains("\"code\""), "{path}: {without}");
            assert_eq!(check(path, Some(cache.path())), without, "{path}, cold");
            assert_eq!(check(path, Some(cache.path())), without, "{path}, warm");
        }
        assert_eq!(
            fs::read_to_string(cache.path().join(".gitignore")).unwrap(),
            "*\n"
        );
        assert!(
            fs::read_to_string(cache.path().join("CACHEDIR.TAG"))
                .unwrap()
                .starts_with("Signature: 8a477f597d28d172789f06886806bc55")
        );
    }

    /// A pre-commit run names files relative to the project (`auth/pool.yaml`) where a check of
    /// the project walked `.` (and found `./auth/pool.yaml`): it uses the check's entries
    /// as they are, reading and writing no other, and reports what it reports without them.
    #[cfg(unix)]
    #[test]
    fn a_pre_commit_run_uses_the_entries_of_a_check_of_the_project() {
        let dir = project();
        let root = dir.path();
        let cache = tempfile::tempdir().unwrap();
        let run = |cached: bool, path: &str| json_check(root, cached.then(|| cache.path()), path);
        assert_eq!(run(true, "."), run(false, "."));
        let [file] = cache_files(cache.path()).try_into().unwrap();
        let written = || written(&file);
        let before = written();
        // (`./auth/pool.yaml` is another name, shown in its diagnostics: another analysis.)
        for path in ["auth/pool.yaml", "mail/identity.yaml"] {
            let expected = run(false, path);
            assert!(
                expected.contains("\"code\"") || path.contains("mail"),
                "{expected}"
            );
            assert_eq!(run(true, path), expected, "{path}");
            assert_eq!(
                written(),
                before,
                "{path}: the cache file was written again"
            );
        }
    }

    /// A check of `.` and a check of the project's absolute path (what the language server
    /// walks) name the same files by the same names, their paths spelled apart: each reuses
    /// the other's analyses (`respelled_entries_are_reused_and_written_in_the_new_spelling`
    /// counts them), the cache file written again only when the spelling changes, and reports
    /// what it reports without them; a file changed since is analyzed again.
    #[cfg(unix)]
    #[test]
    fn a_check_of_the_absolute_path_uses_the_entries_of_a_check_of_dot() {
        let dir = project();
        let root = dir.path().canonicalize().unwrap();
        write(&root, "auth/samconfig.toml", &samconfig("us-west-2"));
        let absolute = root.to_string_lossy().into_owned();
        let cache = tempfile::tempdir().unwrap();
        let run = |cached: bool, path: &str| json_check(&root, cached.then(|| cache.path()), path);
        let expected = run(false, ".");
        assert!(expected.contains("\"code\""), "{expected}");
        assert_eq!(run(false, &absolute), expected);
        assert_eq!(run(true, "."), expected);
        let [file] = cache_files(cache.path()).try_into().unwrap();
        let written = || written(&file);
        // The file takes the spelling of the run that used it last: written again when the
        // spelling changes, not after.
        let mut last = written();
        for (path, changes) in [
            (&*absolute, true),
            (&*absolute, false),
            (".", true),
            (".", false),
        ] {
            assert_eq!(run(true, path), expected, "{path}");
            let now = written();
            assert_eq!(now != last, changes, "{path}");
            last = now;
        }
        // A file changed since is analyzed again, whichever spelling made its entry.
        write(&root, "mail/identity.yaml", &identity("other.example"));
        let changed = run(false, ".");
        assert_ne!(changed, expected);
        assert_eq!(run(true, &absolute), changed);
        assert_eq!(run(true, "."), changed);
        assert_eq!(cache_files(cache.path()), [file]);
    }

    /// Makes a hostile cache file at the path given.
    type Hostile<'a> = Box<dyn Fn(&Path) + 'a>;

    /// The on-save editor run (`--stdin-filename F --project-root DIR -`) shares the entries
    /// of a plain check of the project, and reports what it reports without them, after every
    /// step: a buffer edited, a file on disk edited, a file removed.
    #[test]
    fn the_on_save_run_reads_the_cache_of_a_plain_check() {
        let dir = project();
        let root = dir.path();
        let project = root.to_string_lossy().into_owned();
        let cache = tempfile::tempdir().unwrap();
        let cache_dir = cache.path().to_string_lossy().into_owned();
        let edited = root
            .join("mail/identity.yaml")
            .to_string_lossy()
            .into_owned();
        // The tests run in the crate root: the config file is named, as an editor in the
        // project's root would find it.
        let config = root.join(".sandtrap.yaml").to_string_lossy().into_owned();
        let run = |buffer: Option<&str>, cached: bool| {
            let mut args = vec!["check", "--format", "json", "--exit-zero"];
            args.extend(["--config", config.as_str()]);
            match cached {
                true => args.extend(["--cache-dir", cache_dir.as_str()]),
                false => args.push("--no-cache"),
            }
            match buffer {
                Some(_) => {
                    args.extend(["--stdin-filename", edited.as_str(), "--project-root"]);
                    args.extend([project.as_str(), "-"]);
                }
                None => args.push(project.as_str()),
            }
            let run = support::run(&args, buffer.unwrap_or_default());
            assert_eq!(run.stderr, "");
            run.stdout
        };
        let on_save = |buffer: &str, cached: bool| run(Some(buffer), cached);
        let check = |_: &str, cache: Option<&Path>| run(None, cache.is_some());
        assert_eq!(check(&project, Some(cache.path())), check(&project, None));
        let [file] = cache_files(cache.path()).try_into().unwrap();
        let steps: [(&str, &dyn Fn()); 3] = [
            ("a buffer edited", &|| {}),
            ("a file on disk edited", &|| {
                write(root, "auth/pool.yaml", &pool("other.example"))
            }),
            ("a file removed", &|| {
                fs::remove_file(root.join("svc1/template.yaml")).unwrap()
            }),
        ];
        for (n, (what, step)) in steps.iter().enumerate() {
            step();
            let buffer = identity(if n % 2 == 0 {
                "other.example"
            } else {
                "example.com"
            });
            let expected = on_save(&buffer, false);
            assert!(expected.contains("\"code\""), "{what}: {expected}");
            assert_eq!(on_save(&buffer, true), expected, "{what}");
            assert_eq!(
                check(&project, Some(cache.path())),
                check(&project, None),
                "{what}"
            );
        }
        // One cache file for both kinds of run.
        assert_eq!(cache_files(cache.path()), [file]);
    }

    /// Truncated, corrupt, swapped, linked, huge, foreign: ignored, never a panic or another
    /// report, and written anew so the next run uses it again.
    #[test]
    fn a_hostile_cache_directory_is_ignored_and_rewritten() {
        let dir = project();
        let root = dir.path();
        let project = root.to_string_lossy().into_owned();
        let cache = tempfile::tempdir().unwrap();
        let expected = check(&project, None);
        assert_eq!(check(&project, Some(cache.path())), expected);
        let [pack] = cache_files(cache.path()).try_into().unwrap();
        let good = fs::read(&pack).unwrap();
        // A run with another region writes a second file: another set of run inputs.
        let other = {
            let mut args = vec!["check", "--format", "json", "--region", "eu-west-1"];
            let dir = cache.path().to_string_lossy().into_owned();
            args.extend(["--cache-dir", dir.as_str(), project.as_str()]);
            support::run(&args, "");
            let files = cache_files(cache.path());
            let other = files.into_iter().find(|f| *f != pack).unwrap();
            fs::read(other).unwrap()
        };
        let secret = root.join("secret.txt");
        fs::write(&secret, "not a cache").unwrap();
        let mut flipped = good.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x01;
        let mut version = good.clone();
        // The version string sits in the header, after the magic and the header's length.
        let at = version.windows(5).position(|w| w == b"0.1.0").unwrap_or(13);
        version[at] = b'9';
        let hostile: Vec<(&str, Hostile)> = vec![
            ("empty", Box::new(|p: &Path| fs::write(p, b"").unwrap())),
            (
                "truncated",
                Box::new(|p: &Path| fs::write(p, &good[..good.len() / 3]).unwrap()),
            ),
            (
                "one byte flipped",
                Box::new(|p: &Path| fs::write(p, &flipped).unwrap()),
            ),
            (
                "another version",
                Box::new(|p: &Path| fs::write(p, &version).unwrap()),
            ),
            (
                "other run inputs",
                Box::new(|p: &Path| fs::write(p, &other).unwrap()),
            ),
            (
                "garbage",
                Box::new(|p: &Path| fs::write(p, vec![0xa5; 100_000]).unwrap()),
            ),
            (
                "huge",
                Box::new(|p: &Path| {
                    let file = fs::File::create(p).unwrap();
                    file.set_len(1 << 30).unwrap();
                }),
            ),
            (
                "a directory",
                Box::new(|p: &Path| fs::create_dir(p).unwrap()),
            ),
            #[cfg(unix)]
            (
                "a symbolic link",
                Box::new(|p: &Path| std::os::unix::fs::symlink(&secret, p).unwrap()),
            ),
        ];
        for (what, make) in &hostile {
            if pack.is_dir() {
                fs::remove_dir_all(&pack).unwrap();
            } else {
                fs::remove_file(&pack).unwrap();
            }
            make(&pack);
            assert_eq!(check(&project, Some(cache.path())), expected, "{what}");
            // Written anew (a directory where the file goes stays: nothing is written there).
            if *what != "a directory" {
                let written = fs::symlink_metadata(&pack).unwrap();
                assert!(written.is_file(), "{what}: {written:?}");
                assert!(written.len() < 1 << 20, "{what}");
                // ...and used: the next run leaves it as it is.
                let bytes = fs::read(&pack).unwrap();
                assert_eq!(check(&project, Some(cache.path())), expected, "{what}");
                assert_eq!(fs::read(&pack).unwrap(), bytes, "{what}: written again");
            }
        }
        // The link's target was never written through.
        assert_eq!(fs::read_to_string(&secret).unwrap(), "not a cache");
    }

    /// A cache directory that is a symbolic link is neither read nor written; one that cannot
    /// be written is left alone, and the run goes on.
    #[cfg(unix)]
    #[test]
    fn a_linked_or_read_only_cache_directory_is_left_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = project();
        let project = dir.path().to_string_lossy().into_owned();
        let expected = check(&project, None);
        let elsewhere = tempfile::tempdir().unwrap();
        let link = dir.path().join("linked-cache");
        std::os::unix::fs::symlink(elsewhere.path(), &link).unwrap();
        assert_eq!(check(&project, Some(&link)), expected);
        assert_eq!(fs::read_dir(elsewhere.path()).unwrap().count(), 0);

        let read_only = tempfile::tempdir().unwrap();
        fs::set_permissions(read_only.path(), fs::Permissions::from_mode(0o555)).unwrap();
        assert_eq!(
            check(&project, Some(&read_only.path().join("cache"))),
            expected
        );
        fs::set_permissions(read_only.path(), fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// The default place is the project root (here: the config file's directory), and the
    /// directory ignores itself.
    #[test]
    fn the_cache_goes_to_the_project_root_and_ignores_itself() {
        let dir = project();
        let root = dir.path();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_sandtrap"))
            .current_dir(root.join("auth"))
            .env_remove("SANDTRAP_CACHE_DIR")
            .env_remove("SANDTRAP_NO_CACHE")
            .args(["check", "--format", "json", "."])
            .output()
            .unwrap();
        assert!(out.status.code().is_some(), "{out:?}");
        assert!(root.join(".sandtrap_cache/.gitignore").is_file());
        assert_eq!(cache_files(&root.join(".sandtrap_cache")).len(), 1);
        // Standard input alone has nothing to keep: no directory is made.
        let stdin_only = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sandtrap"))
            .current_dir(stdin_only.path())
            .env_remove("SANDTRAP_CACHE_DIR")
            .env_remove("SANDTRAP_NO_CACHE")
            .args([
                "check",
                "--format",
                "json",
                "--stdin-filename",
                "pool.yaml",
                "-",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(pool("x.example").as_bytes())
            .unwrap();
        child.wait().unwrap();
        assert!(!stdin_only.path().join(".sandtrap_cache").exists());
    }

    /// A cache file is signed with a key kept outside the project, in the user's own cache
    /// directory: one made under another key (another machine, or planted in the project by a
    /// pull request) is never read, only replaced; without a user cache directory nothing is
    /// written.
    #[cfg(unix)]
    #[test]
    fn a_cache_file_signed_with_another_key_is_not_read() {
        let dir = project();
        let root = dir.path();
        let project = root.to_string_lossy().into_owned();
        let cache = tempfile::tempdir().unwrap();
        let run = |user_cache: Option<&Path>| {
            let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_sandtrap"));
            command
                .env_remove("SANDTRAP_NO_CACHE")
                .env_remove("XDG_CACHE_HOME")
                .args(["check", "--format", "json", "--exit-zero", "--cache-dir"])
                .arg(cache.path())
                .arg(&project);
            match user_cache {
                Some(dir) => command.env("XDG_CACHE_HOME", dir),
                None => command.env_remove("HOME"),
            };
            let out = command.output().unwrap();
            assert!(out.status.success(), "{out:?}");
            String::from_utf8(out.stdout).unwrap()
        };
        let expected = check(&project, None);
        let (mine, theirs) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        assert_eq!(run(Some(theirs.path())), expected);
        let [theirs_file] = cache_files(cache.path()).try_into().unwrap();
        let planted = fs::read(&theirs_file).unwrap();
        // Under my key the same run inputs name another file (a name is keyed too: it cannot
        // confirm a guessed `--param` value), and the planted one is never read.
        let planted_as_mine = cache.path().join("planted");
        assert_eq!(run(Some(mine.path())), expected);
        let files = cache_files(cache.path());
        let [pack] = files
            .iter()
            .filter(|f| **f != theirs_file)
            .cloned()
            .collect::<Vec<_>>()
            .try_into()
            .unwrap();
        assert_eq!(fs::read(&theirs_file).unwrap(), planted);
        // Theirs planted under my file's name: not read but replaced, then read as it is.
        fs::copy(&theirs_file, &planted_as_mine).unwrap();
        fs::rename(&planted_as_mine, &pack).unwrap();
        assert_eq!(run(Some(mine.path())), expected);
        use std::os::unix::fs::MetadataExt as _;
        let inode = || fs::symlink_metadata(&pack).unwrap().ino();
        let written = (fs::read(&pack).unwrap(), inode());
        assert_ne!(written.0, planted);
        assert_eq!(run(Some(mine.path())), expected);
        // A rewrite is a new file renamed into place: the same inode means it was only read.
        assert_eq!((fs::read(&pack).unwrap(), inode()), written);
        assert!(mine.path().join("sandtrap/cache-key").is_file());
        // No user cache directory, no key: the cache is left as it is.
        assert_eq!(run(None), expected);
        assert_eq!((fs::read(&pack).unwrap(), inode()), written);
    }
}

/// The walk a process kept on disk (`walk-*.bin` beside the analyses): used while no directory
/// it entered and no ignore file it read has moved, walked again the moment one has, never
/// kept for a walk that met a symbolic link, and ignored (then rewritten) when tampered with.
#[test]
fn a_kept_walk_is_used_until_what_it_read_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    let source = project();
    for entry in walk(source.path()) {
        let name = entry.strip_prefix(source.path()).unwrap();
        write(
            &root,
            &name.to_string_lossy(),
            &fs::read_to_string(&entry).unwrap(),
        );
    }
    write(&root, ".gitignore", "build/\n");
    write(&root, "build/pool.yaml", &pool("elsewhere.example"));
    // A Serverless service, not packaged yet (`.serverless/` is there, empty).
    write(
        &root,
        "api/serverless.yml",
        "service: api\nprovider:\n  name: aws\n",
    );
    fs::create_dir_all(root.join("api/.serverless")).unwrap();
    let cache_dir = tempfile::tempdir().unwrap();
    let run = |kept: bool, what: &str| {
        let mut cache = Cache::on_disk(cache_dir.path().to_path_buf());
        let (report, stats) = cached(&options(&root), &mut cache);
        assert_eq!(stats.walk_kept, kept, "{what}: {report:#?}");
        report
    };
    let walk_file = || -> Option<PathBuf> {
        let mut files = fs::read_dir(cache_dir.path())
            .unwrap()
            .map(|e| e.unwrap().path());
        files.find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("walk-")
        })
    };
    // Directories changed within two seconds may change again unseen: nothing is kept.
    run(false, "a fresh tree");
    assert_eq!(walk_file(), None, "a walk of a fresh tree was kept");
    let settle = || std::thread::sleep(std::time::Duration::from_millis(2100));
    settle();
    let before = run(false, "a settled tree: walked, and kept");
    assert!(walk_file().is_some());
    assert_eq!(run(true, "nothing changed"), before);
    // A template edited in place moves no directory: the walk is kept, the edit is read.
    write(&root, "auth/pool.yaml", &pool("example.org"));
    assert_ne!(run(true, "a template edited"), before);
    // Packaged: the packaged template stands for the service, in a directory no walk enters.
    write(
        &root,
        "api/.serverless/cloudformation-template-update-stack.json",
        "{\"Resources\": {\"Queue\": {\"Type\": \"AWS::SQS::Queue\"}}}",
    );
    run(false, "a service packaged");
    // A file created moves its directory.
    write(&root, "mail/second.yaml", &identity("example.org"));
    run(false, "a file created");
    settle();
    run(false, "walked and kept again");
    run(true, "kept");
    // An ignore file edited in place, in the tree or above it.
    fs::write(root.join(".gitignore"), "build/\nsvc0/\n").unwrap();
    run(false, ".gitignore edited");
    settle();
    run(false, "kept again");
    fs::write(dir.path().join(".ignore"), "svc1/\n").unwrap();
    run(false, "an ignore file above the root");
    settle();
    let plain = run(false, "kept again");
    // The deploy configuration beside a template, under a kept walk (whose check of each
    // directory's stamp stands for the deploy lookup's own): created, it moves its directory;
    // edited in place, it moves no directory, and is read again all the same.
    write(&root, "auth/samconfig.toml", &samconfig("eu-west-1"));
    let with_region = run(false, "a samconfig.toml created");
    assert_ne!(with_region, plain);
    settle();
    run(false, "walked and kept again");
    assert_eq!(run(true, "a samconfig.toml, the walk kept"), with_region);
    write(&root, "auth/samconfig.toml", &samconfig("ap-northeast-1"));
    let edited = run(true, "a samconfig.toml edited in place");
    assert_ne!(edited, with_region);
    // Tampered with: ignored, walked again, and written anew.
    let good = fs::read(walk_file().unwrap()).unwrap();
    let [analyses] = cache_files(cache_dir.path()).try_into().unwrap();
    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x01;
    for (what, bytes) in [
        ("truncated", good[..good.len() / 2].to_vec()),
        ("one byte flipped", flipped),
        ("an analyses file", fs::read(&analyses).unwrap()),
    ] {
        fs::write(walk_file().unwrap(), bytes).unwrap();
        run(false, what);
        assert_eq!(
            fs::read(walk_file().unwrap()).unwrap(),
            good,
            "{what}: not rewritten"
        );
        run(true, what);
    }
    // A symbolic link met: the walk depends on where it leads, and is not kept.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(root.join("svc2"), root.join("linked")).unwrap();
        fs::remove_file(walk_file().unwrap()).unwrap();
        settle();
        run(false, "a link in the tree");
        assert_eq!(walk_file(), None, "a walk that met a link was kept");
    }
}

/// A run of a few files (pre-commit) reads only their entries of the cache file, not the
/// project's; when it writes the file again it keeps the entries it did not read, so the next
/// run of the whole project still finds them. An entry that fails its signature costs its own
/// analysis only.
/// A cache of many large entries (each pool's text is kept, padded to 64 KB here) is read a
/// span of entries at a time: every entry is found in whichever span holds it, and one entry
/// spoiled in the middle of the file costs its own analysis only.
#[test]
fn a_large_cache_is_read_a_span_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let padding = format!("Description: {}\n", "x".repeat(64 * 1024));
    let pools = 48usize;
    for n in 0..pools {
        let text = format!("{padding}{}", pool(&format!("d{n}.example.com")));
        write(root, &format!("pool{n:02}/template.yaml"), &text);
    }
    let cache_dir = tempfile::tempdir().unwrap();
    let run = || {
        let mut cache = Cache::on_disk(cache_dir.path().to_path_buf());
        let (report, stats) = cached(&options(root), &mut cache);
        (report, (stats.reused, stats.analyzed))
    };
    let (first, counts) = run();
    assert_eq!(counts, (0, pools));
    assert!(first.len() >= pools, "{first:?}");
    let [file] = cache_files(cache_dir.path()).try_into().unwrap();
    let bytes = fs::read(&file).unwrap();
    assert!(
        bytes.len() > 3 << 20,
        "{} bytes: a single span",
        bytes.len()
    );
    assert_eq!(run(), (first.clone(), (pools, 0)));
    let mut spoiled = bytes;
    let middle = spoiled.len() / 2;
    spoiled[middle] ^= 0x01;
    fs::write(&file, &spoiled).unwrap();
    assert_eq!(run(), (first.clone(), (pools - 1, 1)));
    assert_eq!(run(), (first, (pools, 0)));
}

/// One project, its root spelled two ways (`/p` and `/p/.`: the same files, by the same names,
/// at paths spelled apart): each run reuses every analysis the other kept, names the files by
/// its own spelling, and writes the cache file in it once.
#[test]
fn respelled_entries_are_reused_and_written_in_the_new_spelling() {
    let dir = project();
    let root = dir.path();
    let cache_dir = tempfile::tempdir().unwrap();
    let plain = options(root);
    let dotted = CheckOptions {
        paths: vec![root.join(".")],
        ..options(root)
    };
    let file = || -> PathBuf {
        let [file] = cache_files(cache_dir.path()).try_into().unwrap();
        file
    };
    let run = |options: &CheckOptions| {
        let mut cache = Cache::on_disk(cache_dir.path().to_path_buf());
        let outcome = check::run_cached(options, &mut cache).unwrap();
        let fresh = check::run(options).unwrap();
        assert_eq!(report(&outcome), report(&fresh));
        // As spelled (`Path`'s own comparison skips a `.` inside a path).
        let paths = |outcome: &check::Outcome| -> Vec<Option<std::ffi::OsString>> {
            (outcome.files.iter())
                .map(|(_, f)| f.path.as_ref().map(|p| p.as_os_str().to_owned()))
                .collect()
        };
        assert_eq!(
            paths(&outcome),
            paths(&fresh),
            "the files are named by this run's spelling"
        );
        (cache.stats(), fs::read(file()).unwrap())
    };
    let (s, mut bytes) = run(&plain);
    assert_eq!((s.reused, s.analyzed), (0, 7));
    for (options, respells) in [
        (&dotted, true),
        (&dotted, false),
        (&plain, true),
        (&plain, false),
    ] {
        let (s, now) = run(options);
        assert_eq!((s.reused, s.analyzed), (7, 0));
        assert_eq!(
            now != bytes,
            respells,
            "the file is written when the spelling changes"
        );
        bytes = now;
    }
}

#[test]
fn a_run_of_one_file_reads_its_entry_and_keeps_the_projects() {
    let dir = project();
    let root = dir.path();
    let cache_dir = tempfile::tempdir().unwrap();
    let run = |options: &CheckOptions| {
        let mut cache = Cache::on_disk(cache_dir.path().to_path_buf());
        let (report, stats) = cached(options, &mut cache);
        (report, stats, cache.len())
    };
    let analyses_file = || -> PathBuf {
        let [file] = cache_files(cache_dir.path()).try_into().unwrap();
        file
    };
    let analyses = || fs::read(analyses_file()).unwrap();
    // Run from outside the project, the walk names its files by their absolute paths, as the
    // one-file run names the file it is given (a pre-commit hook in the project names both
    // `auth/pool.yaml`; a test cannot run there).
    let elsewhere = tempfile::tempdir().unwrap();
    let whole = CheckOptions {
        cwd: elsewhere.path().to_path_buf(),
        config: Some(root.join(".sandtrap.yaml")),
        ..options(root)
    };
    let one = CheckOptions {
        paths: vec![root.join("auth/pool.yaml")],
        ..whole.clone()
    };
    let (before, s, _) = run(&whole);
    assert_eq!((s.reused, s.analyzed), (0, 7));
    // Only the pool's entry is read.
    let (_, s, read) = run(&one);
    assert_eq!((s.reused, s.analyzed, read), (1, 0, 1));
    // Edited: analyzed, and the file written again with the six entries it did not read.
    write(root, "auth/pool.yaml", &pool("other.example"));
    let (_, s, read) = run(&one);
    assert_eq!((s.reused, s.analyzed, read), (0, 1, 1));
    let (after, s, _) = run(&whole);
    assert_eq!((s.reused, s.analyzed), (7, 0));
    assert_ne!(before, after);
    // A run of the project with one file changed copies the six it read unchanged: the next
    // run reads them all.
    write(root, "svc2/template.yaml", "Resources: {}\n");
    let (_, s, _) = run(&whole);
    assert_eq!((s.reused, s.analyzed), (6, 1));
    let (_, s, _) = run(&whole);
    assert_eq!((s.reused, s.analyzed), (7, 0));
    // A file deleted: a run of one other file keeps its entry (it looks at no other file)...
    fs::remove_file(root.join("svc1/template.yaml")).unwrap();
    write(root, "auth/pool.yaml", &pool("example.com"));
    let kept = analyses();
    let (_, s, _) = run(&one);
    assert_eq!((s.reused, s.analyzed), (0, 1));
    // ...and the next run of the project leaves it out.
    write(root, "svc0/template.yaml", "Resources: {}\n");
    let (_, s, _) = run(&whole);
    assert_eq!((s.reused, s.analyzed), (5, 1));
    assert!(
        analyses().len() < kept.len(),
        "the deleted file's entry was kept"
    );
    // The last entry's last byte flipped: that file alone is analyzed again.
    let mut bytes = analyses();
    *bytes.last_mut().unwrap() ^= 0x01;
    fs::write(analyses_file(), &bytes).unwrap();
    let (_, s, _) = run(&whole);
    assert_eq!((s.reused, s.analyzed), (5, 1));
    let (_, s, _) = run(&whole);
    assert_eq!((s.reused, s.analyzed), (6, 0));
    // Bytes that do not decode are a problem of a file named, not of one walked: the walked
    // analysis is not used for the file named.
    fs::write(root.join("svc2/binary.yaml"), b"\xff\xfe not text\n").unwrap();
    let (walked, s, _) = run(&whole);
    assert_eq!((s.reused, s.analyzed), (6, 1));
    assert!(
        !walked.iter().any(|d| d.contains("binary.yaml")),
        "{walked:?}"
    );
    let named = CheckOptions {
        paths: vec![root.join("svc2/binary.yaml")],
        ..options(root)
    };
    let (report, s, _) = run(&named);
    assert_eq!((s.reused, s.analyzed), (0, 1));
    assert!(report.iter().any(|d| d.starts_with("ST001")), "{report:?}");
}

/// The cache file is written when nothing of the run needs the entries any more: a command
/// line run's (made for it alone) while its join, rules and report go on, and before the run
/// returns; an editor's when the server, having told the client the diagnostics, asks for it.
/// Either way the next process reads every entry.
#[test]
fn the_cache_file_is_written_after_the_run_that_changed_it() {
    let dir = project();
    let options = options(dir.path());
    let cache_dir = tempfile::tempdir().unwrap();
    let fresh = || Cache::on_disk(cache_dir.path().to_path_buf());

    // A run of its own: written by the time it returns.
    let (first, s) = cached(&options, &mut fresh());
    assert_eq!(s, stats(0, 7));
    assert_eq!(cache_files(cache_dir.path()).len(), 1);
    let (again, s) = cached(&options, &mut fresh());
    assert_eq!((again.clone(), s), (first.clone(), stats(7, 0)));

    // An editor's first run: its changes wait for `write_disk`.
    fs::remove_file(&cache_files(cache_dir.path())[0]).unwrap();
    let mut editor = Cache::starting_from(cache_dir.path().to_path_buf());
    let (report, s) = cached(&options, &mut editor);
    assert_eq!((report, s), (first.clone(), stats(0, 7)));
    assert!(editor.unwritten());
    assert_eq!(cache_files(cache_dir.path()), Vec::<PathBuf>::new());
    editor.write_disk();
    assert!(!editor.unwritten());
    assert_eq!(cache_files(cache_dir.path()).len(), 1);
    // Written once: asking again writes nothing.
    let written = fs::metadata(&cache_files(cache_dir.path())[0]).unwrap();
    fs::remove_file(&cache_files(cache_dir.path())[0]).unwrap();
    editor.write_disk();
    assert_eq!(cache_files(cache_dir.path()), Vec::<PathBuf>::new());
    assert!(written.len() > 0);
    editor.forget_disk();

    // A server that writes its first run's entries leaves them for the command line.
    let mut editor = Cache::starting_from(cache_dir.path().to_path_buf());
    let (report, s) = cached(&options, &mut editor);
    assert_eq!((report, s), (first.clone(), stats(0, 7)));
    editor.write_disk();
    let (report, s) = cached(&options, &mut fresh());
    assert_eq!((report, s), (first, stats(7, 0)));
}
