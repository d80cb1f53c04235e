//! The analysis cache of repeated runs (`check::run_cached`, what the language server calls on
//! every edit): a cached run reports exactly what a fresh run reports, and analyzes again only
//! the files whose analysis could have changed.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use sandtrap::check::{self, Cache, CacheStats, CheckOptions};

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

fn stats(reused: usize, analyzed: usize) -> CacheStats {
    CacheStats { reused, analyzed }
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
