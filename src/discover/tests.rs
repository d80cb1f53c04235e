//! Discovery over the fixtures in `testdata/cdk` and `testdata/discover`, and over temporary
//! trees for what cannot be committed (an ignored `cdk.out` outside a git repository).

use std::ffi::OsStr;
use std::fmt::Write;
use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;

use super::*;
use crate::load::ProblemKind;

fn run(paths: &[&str]) -> Discovered {
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    discover(&paths).unwrap()
}

/// One line per target and problem, for snapshots.
fn listing(found: &Discovered) -> String {
    let mut out = String::new();
    for t in &found.targets {
        let env = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".into());
        let _ = write!(
            out,
            "{} [{}{}/{}]",
            t.name,
            if t.explicit { "explicit " } else { "" },
            env(&t.environment.account),
            env(&t.environment.region)
        );
        match &t.origin {
            Origin::Loose => out.push_str(" loose"),
            Origin::Stdin => out.push_str(" stdin"),
            Origin::Terraform => out.push_str(" terraform"),
            Origin::Cdk(s) => {
                let _ = write!(
                    out,
                    " cdk {} id={} name={}",
                    s.manifest, s.artifact_id, s.stack_name
                );
                if let Some(parent) = &s.nested_in {
                    let _ = write!(out, " nested_in={parent}");
                }
                if !s.parameters.is_empty() {
                    let _ = write!(out, " params={:?}", s.parameters);
                }
            }
        }
        out.push('\n');
    }
    for p in &found.problems {
        let _ = writeln!(
            out,
            "problem {} {:?} {:?}: {}",
            p.file.name,
            p.problem.kind,
            p.file.slice(p.problem.span),
            p.problem.message
        );
    }
    out
}

fn names(found: &Discovered) -> Vec<&str> {
    found.targets.iter().map(|t| t.name.as_str()).collect()
}

fn stack(target: &Target) -> &CdkStack {
    match &target.origin {
        Origin::Cdk(s) => s,
        other => panic!("{}: {other:?}", target.name),
    }
}

#[test]
fn two_stacks_in_two_regions() {
    let found = run(&["testdata/cdk/two-envs"]);
    insta::assert_snapshot!(listing(&found), @r"
    testdata/cdk/two-envs/Oregon.template.json [explicit 111111111111/us-west-2] cdk testdata/cdk/two-envs/manifest.json id=Oregon name=auth-oregon
    testdata/cdk/two-envs/Tokyo.template.json [explicit 111111111111/ap-northeast-1] cdk testdata/cdk/two-envs/manifest.json id=Tokyo name=Tokyo
    ");
    let oregon = &found.targets[0];
    let manifest = fs::read_to_string("testdata/cdk/two-envs/manifest.json").unwrap();
    let span = stack(oregon).environment_span.unwrap();
    assert_eq!(&manifest[span.range()], "\"aws://111111111111/us-west-2\"");
    assert_eq!(
        oregon.path.as_deref(),
        Some(Path::new("testdata/cdk/two-envs/Oregon.template.json"))
    );
}

#[test]
fn environment_agnostic_stack_with_parameters() {
    let found = run(&["testdata/cdk/agnostic/"]);
    insta::assert_snapshot!(listing(&found), @r#"testdata/cdk/agnostic/AuthStack.template.json [explicit ?/?] cdk testdata/cdk/agnostic/manifest.json id=AuthStack name=auth-dev params={"Env": "dev", "Port": "8080"}"#);
}

#[test]
fn stages_and_nested_stacks() {
    let found = run(&["testdata/cdk/staged"]);
    insta::assert_snapshot!(listing(&found), @r"
    testdata/cdk/staged/Parent.template.json [explicit 222222222222/eu-central-1] cdk testdata/cdk/staged/manifest.json id=Parent name=Parent
    testdata/cdk/staged/ParentChildA1B2C3D4.nested.template.json [explicit 222222222222/eu-central-1] cdk testdata/cdk/staged/manifest.json id=ParentChildA1B2C3D4 name=ParentChildA1B2C3D4 nested_in=Parent
    testdata/cdk/staged/Shared.template.json [explicit 222222222222/eu-west-1] cdk testdata/cdk/staged/manifest.json id=Shared name=Shared
    testdata/cdk/staged/assembly-Prod/ProdApp.template.json [explicit 333333333333/ap-southeast-2] cdk testdata/cdk/staged/assembly-Prod/manifest.json id=ProdApp name=Prod-App
    testdata/cdk/staged/assembly-Prod/ProdOther.template.json [explicit 333333333333/us-east-1] cdk testdata/cdk/staged/assembly-Prod/manifest.json id=ProdOther name=ProdOther
    testdata/cdk/staged/assembly-Prod/ProdOtherAuth9F8E7D6C.nested.template.json [explicit 333333333333/us-east-1] cdk testdata/cdk/staged/assembly-Prod/manifest.json id=ProdOtherAuth9F8E7D6C name=ProdOtherAuth9F8E7D6C nested_in=ProdOther
    testdata/cdk/staged/assembly-Prod/ProdOtherAuthInnerBBBB.nested.template.json [explicit 333333333333/us-east-1] cdk testdata/cdk/staged/assembly-Prod/manifest.json id=ProdOtherAuthInnerBBBB name=ProdOtherAuthInnerBBBB nested_in=ProdOtherAuth9F8E7D6C
    ");
    // A nested stack points at its top-level stack's environment in the manifest.
    let nested = &found.targets[1];
    let parent = &found.targets[0];
    assert_eq!(
        stack(nested).environment_span,
        stack(parent).environment_span
    );
}

#[test]
fn cycles_escapes_and_missing_pieces_are_located_problems() {
    let found = run(&["testdata/cdk/self-ref"]);
    insta::assert_snapshot!(listing(&found), @r#"
    testdata/cdk/self-ref/App.template.json [explicit 111111111111/us-east-1] cdk testdata/cdk/self-ref/manifest.json id=App name=App
    testdata/cdk/self-ref/assembly-Loop/LoopStack.template.json [explicit 111111111111/us-east-2] cdk testdata/cdk/self-ref/assembly-Loop/manifest.json id=LoopStack name=LoopStack
    problem testdata/cdk/self-ref/manifest.json Assembly "\"../agnostic/AuthStack.template.json\"": template `../agnostic/AuthStack.template.json` of stack `Escape` is outside the cloud assembly; skipped
    problem testdata/cdk/self-ref/manifest.json Assembly "\"NoTemplate\"": stack `NoTemplate` has no `properties.templateFile`
    problem testdata/cdk/self-ref/manifest.json Assembly "\".\"": nested assembly `Self` points back to an assembly already read (`.`); skipped
    problem testdata/cdk/self-ref/manifest.json Assembly "\"../agnostic\"": nested assembly `Outside` points outside the cloud assembly (`../agnostic`); skipped
    problem testdata/cdk/self-ref/manifest.json Assembly "\"assembly-Gone\"": directory `assembly-Gone` of nested assembly `Missing` does not exist
    problem testdata/cdk/self-ref/assembly-Loop/manifest.json Assembly "\"..\"": nested assembly `Back` points back to an assembly already read (`..`); skipped
    "#);
}

#[test]
fn broken_manifest_is_a_located_syntax_problem() {
    let found = run(&["testdata/cdk/broken"]);
    assert!(found.targets.is_empty(), "{:?}", found.targets);
    let [problem] = found.problems.as_slice() else {
        panic!("{:?}", found.problems)
    };
    assert_eq!(problem.file.name, "testdata/cdk/broken/manifest.json");
    assert_eq!(problem.problem.kind, ProblemKind::Syntax);
    assert_eq!(problem.file.slice(problem.problem.span), ",");
    assert_eq!(problem.file.position(problem.problem.span.start).line, 7);
    // Named as a file, the broken manifest is still read as a manifest.
    let found = run(&["testdata/cdk/broken/manifest.json"]);
    assert_eq!(found.problems.len(), 1);
    assert!(found.targets.is_empty());
}

#[test]
fn an_explicit_manifest_stands_for_its_assembly() {
    let by_file = run(&["testdata/cdk/two-envs/manifest.json"]);
    let by_dir = run(&["testdata/cdk/two-envs"]);
    assert_eq!(by_file.targets, by_dir.targets);
}

#[test]
fn an_explicit_template_of_an_assembly_keeps_its_stack() {
    let found = run(&[
        "testdata/cdk/two-envs/Tokyo.template.json",
        "testdata/cdk/two-envs/tree.json",
    ]);
    insta::assert_snapshot!(listing(&found), @r"
    testdata/cdk/two-envs/Tokyo.template.json [explicit 111111111111/ap-northeast-1] cdk testdata/cdk/two-envs/manifest.json id=Tokyo name=Tokyo
    testdata/cdk/two-envs/tree.json [explicit ?/?] loose
    ");
}

#[test]
fn walking_honours_ignore_files_and_skips_hidden_and_other_extensions() {
    let found = run(&["testdata/discover"]);
    insta::assert_snapshot!(listing(&found), @r"
    testdata/discover/examples/cdk.out/Example.template.json [111111111111/ap-northeast-1] cdk testdata/discover/examples/cdk.out/manifest.json id=Example name=Example
    testdata/discover/infra/UPPER.YML [?/?] loose
    testdata/discover/infra/stack.template [?/?] loose
    testdata/discover/package.json [?/?] loose
    testdata/discover/template.yaml [?/?] loose
    ");
    // The same tree named as `./testdata/discover/` displays the same way.
    assert_eq!(names(&run(&["./testdata/discover/"])), names(&found));
}

#[test]
fn explicit_paths_are_read_even_when_ignored_or_hidden() {
    let found = run(&[
        "testdata/discover/ignored.yaml",
        "testdata/discover/.hidden",
        "testdata/discover/vendor/vendored.yaml",
        "testdata/discover/README.md",
    ]);
    assert_eq!(
        names(&found),
        [
            "testdata/discover/.hidden/secret.yaml",
            "testdata/discover/README.md",
            "testdata/discover/ignored.yaml",
            "testdata/discover/vendor/vendored.yaml",
        ]
    );
    assert!(
        found
            .targets
            .iter()
            .filter(|t| t.name != "testdata/discover/.hidden/secret.yaml")
            .all(|t| t.explicit)
    );
    // An ignored directory named explicitly is walked too.
    assert_eq!(
        names(&run(&["testdata/discover/vendor"])),
        ["testdata/discover/vendor/vendored.yaml"]
    );
}

#[test]
fn a_missing_explicit_path_is_an_error() {
    let error = discover(&[PathBuf::from("testdata/does-not-exist.yaml")]).unwrap_err();
    assert_eq!(error.path, "testdata/does-not-exist.yaml");
    assert_eq!(error.source.kind(), std::io::ErrorKind::NotFound);
}

#[test]
fn a_walk_over_many_assemblies_never_lists_their_files_as_loose() {
    let found = run(&["testdata/cdk"]);
    assert!(
        found
            .targets
            .iter()
            .all(|t| matches!(t.origin, Origin::Cdk(_)))
    );
    assert_eq!(found.targets.len(), 2 + 1 + 7 + 2);
    // Each target once, whatever the overlap of the paths named.
    let again = run(&[
        "testdata/cdk",
        "testdata/cdk/staged",
        "testdata/cdk/two-envs/Tokyo.template.json",
    ]);
    assert_eq!(names(&again), names(&found));
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

#[test]
fn an_ignored_cdk_out_is_skipped_by_a_walk_but_read_when_named() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(&root.join(".gitignore"), "cdk.out\n");
    write(
        &root.join("cdk.out/manifest.json"),
        r#"{"version": "36.0.0", "artifacts": {"App": {"type": "aws:cloudformation:stack",
            "environment": "aws://111111111111/us-west-2", "properties": {"templateFile": "App.template.json"}}}}"#,
    );
    write(
        &root.join("cdk.out/App.template.json"),
        r#"{"Resources": {}}"#,
    );
    write(&root.join("app.yaml"), "Resources: {}\n");
    let walked = discover(&[root.to_path_buf()]).unwrap();
    assert_eq!(walked.targets.len(), 1);
    assert!(walked.targets[0].name.ends_with("app.yaml"));
    let named = discover(&[root.join("cdk.out")]).unwrap();
    assert_eq!(named.targets.len(), 1);
    assert_eq!(
        named.targets[0].environment.region.as_deref(),
        Some("us-west-2")
    );
    assert!(named.targets[0].name.ends_with("cdk.out/App.template.json"));
}

#[test]
fn an_assembly_dir_deep_in_a_walk_consumes_all_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let asm = dir.path().join("pkg/test/integ.foo.js.snapshot");
    write(
        &asm.join("manifest.json"),
        r#"{"version": "0.0.0", "artifacts": {"S": {"type": "aws:cloudformation:stack",
            "properties": {"templateFile": "S.template.json"}}}}"#,
    );
    write(&asm.join("S.template.json"), r#"{"Resources": {}}"#);
    write(&asm.join("Orphan.template.json"), r#"{"Resources": {}}"#);
    write(&asm.join("asset.abc/inner.yaml"), "Resources: {}\n");
    write(&asm.join("integ.json"), "{}");
    write(&dir.path().join("pkg/other.json"), "{}");
    let found = discover(&[dir.path().to_path_buf()]).unwrap();
    let loose: Vec<_> = found
        .targets
        .iter()
        .filter(|t| t.origin == Origin::Loose)
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(loose.len(), 1, "{loose:?}");
    assert!(loose[0].ends_with("pkg/other.json"));
    assert_eq!(found.targets.len(), 2);
}

#[test]
fn non_assembly_manifest_json_is_a_loose_candidate() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("public/manifest.json"),
        r#"{"name": "app", "icons": []}"#,
    );
    let found = discover(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(found.targets.len(), 1);
    assert_eq!(found.targets[0].origin, Origin::Loose);
    assert!(found.problems.is_empty());
}

#[test]
fn display_names() {
    assert_eq!(tidy("./x/y.yaml"), "x/y.yaml");
    assert_eq!(tidy(".//x"), "x");
    assert_eq!(tidy("./"), ".");
    assert_eq!(tidy("."), ".");
    assert_eq!(tidy("../x"), "../x");
    let cwd = Path::new("/home/u/repo");
    assert_eq!(
        display(Path::new("/home/u/repo/a/b.yaml"), Some(cwd)),
        "a/b.yaml"
    );
    assert_eq!(
        display(Path::new("/elsewhere/b.yaml"), Some(cwd)),
        "/elsewhere/b.yaml"
    );
    assert_eq!(display(Path::new("./a.yaml"), Some(cwd)), "a.yaml");
}

fn corpus() -> Option<PathBuf> {
    [
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
        PathBuf::from("/work/shared/corpus"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
}

/// Every cloud assembly of the corpus is read as one, and none of its files is also loose.
#[test]
fn corpus_assemblies_are_units() {
    let Some(corpus) = corpus() else { return };
    let found = discover(std::slice::from_ref(&corpus)).unwrap();
    let mut assembly_dirs = Vec::new();
    let mut manifests = 0;
    for entry in ignore::WalkBuilder::new(&corpus)
        .standard_filters(false)
        .build()
        .flatten()
    {
        if entry.file_name() == cdk::MANIFEST {
            manifests += 1;
            let text = fs::read_to_string(entry.path()).unwrap_or_default();
            if cdk::is_assembly_manifest(&text) {
                assembly_dirs.push(fs::canonicalize(entry.path().parent().unwrap()).unwrap());
            }
        }
    }
    let mut stacks = 0;
    let mut nested = 0;
    let mut loose = 0;
    let mut read_manifests = std::collections::BTreeSet::new();
    for target in &found.targets {
        match &target.origin {
            Origin::Cdk(s) => {
                read_manifests.insert(s.manifest.clone());
                if s.nested_in.is_some() {
                    nested += 1;
                } else {
                    stacks += 1;
                }
            }
            _ => {
                loose += 1;
                let path = fs::canonicalize(target.path.as_ref().unwrap()).unwrap();
                assert!(
                    !assembly_dirs.iter().any(|d| path.starts_with(d)),
                    "{} is inside an assembly",
                    target.name
                );
            }
        }
    }
    // Every template the corpus index files as a CDK template is a stack or a nested stack.
    let index = fs::read_to_string(corpus.join("index.tsv")).unwrap_or_default();
    let cdk_templates = index
        .lines()
        .filter(|l| l.contains("\tcdk-template\t"))
        .count();
    if cdk_templates > 0 {
        assert_eq!(stacks + nested, cdk_templates);
    }
    assert!(read_manifests.len() <= assembly_dirs.len());
    assert!(loose > 0 && manifests >= assembly_dirs.len());
    // A few corpus manifests are schema test cases with a stack but no template: located problems.
    assert!(
        found
            .problems
            .iter()
            .all(|p| p.problem.kind == ProblemKind::Assembly)
    );
    assert!(stacks > 0);
}

/// `cdk.out` with stacks `A` then `B`, a nested template no template links to, and the asset
/// manifest of `B` at `asset_file` (relative to `cdk.out`).
fn assembly_with_asset_manifest(root: &Path, asset_file: &str) -> PathBuf {
    let out = root.join("cdk.out");
    fs::create_dir_all(&out).unwrap();
    let manifest = format!(
        r#"{{"version": "36.0.0", "artifacts": {{
  "A": {{"type": "aws:cloudformation:stack", "environment": "aws://111111111111/us-east-1",
         "properties": {{"templateFile": "A.template.json"}}}},
  "B": {{"type": "aws:cloudformation:stack", "environment": "aws://222222222222/eu-west-1",
         "properties": {{"templateFile": "B.template.json"}}, "dependencies": ["B.assets"]}},
  "B.assets": {{"type": "cdk:asset-manifest", "properties": {{"file": "{asset_file}"}}}}
}}}}"#
    );
    fs::write(out.join("manifest.json"), manifest).unwrap();
    for name in [
        "A.template.json",
        "B.template.json",
        "Child.nested.template.json",
    ] {
        fs::write(out.join(name), r#"{"Resources": {}}"#).unwrap();
    }
    out
}

const ASSETS: &str = r#"{"files": {"x": {"source": {"path": "Child.nested.template.json"}}}}"#;

fn nested_parent(found: &Discovered) -> Option<String> {
    found.targets.iter().find_map(|t| match &t.origin {
        Origin::Cdk(s) if s.artifact_id == "Child" => s.nested_in.clone(),
        _ => None,
    })
}

#[test]
fn asset_manifests_are_read_only_inside_the_assembly() {
    let dir = tempfile::tempdir().unwrap();
    // Inside: it links the nested template to `B`.
    let out = assembly_with_asset_manifest(dir.path(), "B.assets.json");
    fs::write(out.join("B.assets.json"), ASSETS).unwrap();
    let found = discover(std::slice::from_ref(&out)).unwrap();
    assert_eq!(nested_parent(&found).as_deref(), Some("B"));
    // Outside (an absolute path, or `..`): never opened, so the template falls back to the
    // first stack.
    let other = tempfile::tempdir().unwrap();
    fs::write(other.path().join("assets.json"), ASSETS).unwrap();
    let outside = other.path().join("assets.json");
    for file in [outside.to_str().unwrap(), "../assets.json"] {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("assets.json"), ASSETS).unwrap();
        let out = assembly_with_asset_manifest(root.path(), file);
        let found = discover(&[out]).unwrap();
        assert_eq!(nested_parent(&found).as_deref(), Some("A"), "{file}");
    }
}

#[cfg(unix)]
#[test]
fn a_manifest_that_links_outside_its_assembly_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    fs::create_dir(&outside).unwrap();
    fs::write(
        outside.join("manifest.json"),
        r#"{"version": "36.0.0", "artifacts": {"S": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "t.json"}}}}"#,
    )
    .unwrap();
    fs::write(outside.join("t.json"), r#"{"Resources": {}}"#).unwrap();
    let out = dir.path().join("cdk.out");
    fs::create_dir(&out).unwrap();
    std::os::unix::fs::symlink(outside.join("manifest.json"), out.join("manifest.json")).unwrap();
    let outside = fs::canonicalize(&outside).unwrap();
    for (found, walked) in [
        (discover(std::slice::from_ref(&out)).unwrap(), true),
        // Named, the link is still read, but as a loose file: not as an assembly.
        (discover(&[out.join("manifest.json")]).unwrap(), false),
    ] {
        let shown = listing(&found);
        assert!(
            found
                .targets
                .iter()
                .all(|t| !matches!(t.origin, Origin::Cdk(_))),
            "{shown}"
        );
        if walked {
            assert!(found.targets.is_empty(), "{shown}");
        }
    }
    // Walking the parent reads `outside` as the assembly it is, and only that.
    let found = discover(&[dir.path().to_path_buf()]).unwrap();
    assert!(
        found
            .targets
            .iter()
            .all(|t| fs::canonicalize(t.path.as_ref().unwrap())
                .unwrap()
                .starts_with(&outside)),
        "{}",
        listing(&found)
    );
}

#[test]
fn walker_errors_are_problems_of_the_directory() {
    let dir = Path::new("/repo/locked");
    let err = ignore::Error::WithPath {
        path: dir.to_path_buf(),
        err: Box::new(ignore::Error::Io(std::io::Error::from(
            std::io::ErrorKind::PermissionDenied,
        ))),
    };
    let problem = super::walk::walk_problem(&err, Path::new("/repo"), Some(Path::new("/repo")));
    assert_eq!(problem.file.name, "locked");
    assert_eq!(problem.problem.kind, ProblemKind::Unreadable);
    assert_eq!(
        problem.problem.message,
        "cannot read directory: permission denied"
    );
}

/// Duplicates are found without resolving every path: spellings of one path by their
/// components, links by the file they lead to, whichever walker thread met them first.
#[test]
fn one_file_reached_twice_is_one_target() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for n in 0..40 {
        write(&root.join(format!("d{n}/t.yaml")), "Resources: {}\n");
    }
    write(&root.join("a/pool.yaml"), "Resources: {}\n");
    std::os::unix::fs::symlink("../a/pool.yaml", root.join("d0/link.yaml")).unwrap();
    let walked = discover(&[root.to_path_buf()]).unwrap();
    // 40 + pool.yaml; the link is the same file as pool.yaml, whose name sorts first.
    assert_eq!(walked.targets.len(), 41, "{:?}", names(&walked));
    assert!(names(&walked).iter().any(|n| n.ends_with("a/pool.yaml")));
    assert!(!names(&walked).iter().any(|n| n.ends_with("link.yaml")));
    // The same walk again lists the same targets in the same order.
    assert_eq!(
        names(&discover(&[root.to_path_buf()]).unwrap()),
        names(&walked)
    );

    // Spellings of one path named explicitly, and a named link beside its file.
    let pool = root.join("a/pool.yaml");
    let dotted = root.join("a/./pool.yaml");
    let climbing = root.join("d1/../a/pool.yaml");
    let found = discover(&[pool.clone(), dotted, climbing, root.join("d0/link.yaml")]).unwrap();
    assert_eq!(found.targets.len(), 1, "{:?}", names(&found));

    // A directory named beside one inside it: each file once.
    let overlapping = discover(&[root.to_path_buf(), root.join("d3")]).unwrap();
    assert_eq!(names(&overlapping), names(&walked));
}

/// `absolute` joins the walk's plain spellings as bytes: the same path as component by
/// component, for every spelling and working directory, plain or not.
#[test]
fn absolute_is_the_same_path_whichever_way_it_is_made() {
    let by_components = |path: &Path, cwd: &Path| -> PathBuf {
        cwd.join(path)
            .components()
            .filter(|c| *c != std::path::Component::CurDir)
            .collect()
    };
    let paths = [
        "a.yaml",
        "./a.yaml",
        "././a/b.yaml",
        "a/b/c.yaml",
        "a//b.yaml",
        "a/./b.yaml",
        "a/",
        "a/.",
        ".",
        "./",
        "..",
        "../x.yaml",
        "a/../b.yaml",
        "/abs/t.yaml",
        ".hidden/t.yaml",
        "a/.b/c",
        "...",
        "a/..b",
    ];
    let cwds = [
        "/",
        "/repo",
        "/repo/",
        "/repo/./x",
        "//repo",
        "/repo/..",
        "/r e/p",
    ];
    for cwd in cwds.map(Path::new) {
        for path in paths.map(Path::new) {
            let fast = absolute(path, Some(cwd));
            let slow = by_components(path, cwd);
            assert_eq!(fast, slow, "{path:?} in {cwd:?}");
            assert_eq!(fast.as_os_str(), slow.as_os_str(), "{path:?} in {cwd:?}");
        }
    }
}

#[test]
fn a_path_is_ruled_out_only_when_its_name_cannot_be_the_buffers() {
    let shares = |path: &str, buffer: &str| may_share_name(Path::new(path), Path::new(buffer));
    assert!(shares("/w/a/stack.yaml", "/w/b/stack.yaml"));
    assert!(
        shares("/w/a/x-stack.yaml", "/w/b/stack.yaml"),
        "a suffix is looked at again"
    );
    assert!(!shares("/w/a/stack.json", "/w/b/stack.yaml"));
    assert!(!shares("/w/a/stack.yaml", "/w/b/other.yaml"));
    assert!(!shares("stack.yaml", "/w/b/other.yaml"));
    // Paths that end otherwise than in a name are left to `Path::file_name`.
    for (path, buffer) in [
        ("/w/a/stack.yaml/", "/w/b/stack.yaml"),
        ("/w/a/stack.yaml/.", "/w/b/stack.yaml"),
        ("/w/a/other.yaml", "/w/b/stack.yaml/"),
        ("/w/a/other.yaml", "/w/b/.."),
        ("", "/w/b/stack.yaml"),
    ] {
        assert!(shares(path, buffer), "{path} and {buffer}");
    }
    // Whenever the names are the same, the path is never ruled out.
    for (path, buffer) in [
        ("/a/b.yaml", "b.yaml"),
        ("b.yaml", "/x/b.yaml"),
        ("/a/b", "/c/b"),
    ] {
        let same = Path::new(path).file_name() == Path::new(buffer).file_name();
        assert!(same && shares(path, buffer), "{path} and {buffer}");
    }
}

/// A path `may_be_named` rules out never has that file name.
#[test]
fn a_path_ruled_out_by_its_bytes_has_another_name() {
    let piece = prop::sample::select(vec![
        "", ".", "..", "t.yaml", "xt.yaml", "t.yaml.", "a", "é.yaml",
    ]);
    let separator = prop::sample::select(vec!["/", "//", "/./"]);
    let path = (
        prop::sample::select(vec!["", "./", "/", "../"]),
        prop::collection::vec((piece.clone(), separator), 0..4),
        piece,
        prop::sample::select(vec!["", "/", "/.", "/.."]),
    )
        .prop_map(|(start, parts, last, end)| {
            let mut path = start.to_owned();
            for (piece, separator) in parts {
                path.push_str(piece);
                path.push_str(separator);
            }
            path.push_str(last);
            path.push_str(end);
            path
        });
    let name = prop::sample::select(vec![None, Some("t.yaml"), Some("é.yaml"), Some("a")]);
    proptest!(|(path in path, name in name)| {
        let path = Path::new(&path);
        let name = name.map(OsStr::new);
        if !may_be_named(path, name) {
            prop_assert_ne!(path.file_name(), name, "{:?}", path);
        }
    });
    assert!(!may_be_named(
        Path::new("a/b.yaml"),
        Some(OsStr::new("t.yaml"))
    ));
    assert!(may_be_named(
        Path::new("a/xt.yaml"),
        Some(OsStr::new("t.yaml"))
    ));
    assert!(may_be_named(
        Path::new("a/t.yaml/."),
        Some(OsStr::new("t.yaml"))
    ));
}
