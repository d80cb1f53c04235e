//! The Serverless Framework front end: a service file (`serverless.yml`, `serverless.yaml`,
//! `serverless.json`) read as the CloudFormation template the framework compiles from it, so the
//! CloudFormation front end's resolver and extractor judge it, every span pointing into the
//! service file. Its variables are resolved first ([`variables`]), then its `resources` and
//! what its `functions` add to the mail path are compiled ([`compile`]). Its region is
//! `--region`, else `provider.region`, else the framework's default `us-east-1`; its stage
//! `--param stage=...`, else `provider.stage`, else `dev`.
//!
//! When the framework's own output is beside the service
//! (`.serverless/cloudformation-template-update-stack.json`, written by `serverless package`
//! or `deploy`), discovery reads that instead, never both ([`packaged`]). A `serverless.ts` or
//! `serverless.js` service can only be read by running it: without packaged output the run says
//! so once ([`script_notice`]).

pub mod compile;
mod syntax;
pub mod variables;

use std::path::{Path, PathBuf};

use crate::load::LoadProblem;
use crate::source::Span;
use crate::tree::{Document, Node};

pub use variables::Options;

/// The service files the framework reads, in the order it looks for them.
pub const SERVICE_FILES: [&str; 3] = ["serverless.yml", "serverless.yaml", "serverless.json"];

/// The service files that are programs.
pub const SCRIPT_FILES: [&str; 5] = [
    "serverless.ts",
    "serverless.js",
    "serverless.mjs",
    "serverless.cjs",
    "serverless.mts",
];

/// Where `serverless package` writes the template it deploys, under the service directory.
pub const PACKAGED: &str = ".serverless/cloudformation-template-update-stack.json";

/// The framework's region when neither `--region` nor `provider.region` says one.
pub const DEFAULT_REGION: &str = "us-east-1";

fn file_name(path: &Path) -> Option<&str> {
    path.file_name().and_then(|n| n.to_str())
}

/// Whether `path` is named like a service file.
pub fn is_service_file(path: &Path) -> bool {
    file_name(path).is_some_and(|n| SERVICE_FILES.contains(&n))
}

/// Whether `path` is named like a service written as a program.
pub fn is_script(path: &Path) -> bool {
    file_name(path).is_some_and(|n| SCRIPT_FILES.contains(&n))
}

/// The packaged template beside a service file, when `serverless package` wrote one.
pub fn packaged(service: &Path) -> Option<PathBuf> {
    let dir = service.parent()?;
    let template = dir.join(PACKAGED);
    template.is_file().then_some(template)
}

/// Whether `path` is the service file the framework would read in its directory: the first
/// of [`SERVICE_FILES`], then [`SCRIPT_FILES`], that exists there.
pub fn is_chosen(path: &Path) -> bool {
    let (Some(dir), Some(name)) = (path.parent(), file_name(path)) else {
        return false;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    SERVICE_FILES
        .iter()
        .chain(SCRIPT_FILES.iter())
        .find(|f| dir.join(f).is_file())
        .is_none_or(|first| *first == name)
}

/// Whether a loaded service file is a service: a mapping with `service` and `provider`.
pub fn is_service(root: &Node) -> bool {
    root.get("service").is_some() && root.get("provider").is_some()
}

/// The notice for a service written as a program with no packaged output beside it.
pub fn script_notice(name: &str) -> LoadProblem {
    LoadProblem {
        kind: crate::load::ProblemKind::NotAnalyzed,
        span: Span::empty(0),
        message: format!(
            "`{name}` is a Serverless Framework service written as a program, which only the framework can read: run `serverless package` (it writes {PACKAGED}, which sandtrap reads instead)"
        ),
        related: None,
    }
}

/// A service's region: the value, where it was written, and its label; or why it is unknown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    pub name: Option<String>,
    pub span: Option<Span>,
    /// The related label of a diagnostic that depends on it.
    pub label: String,
    /// Why it is unknown.
    pub note: Option<String>,
}

/// A service file as the template the framework compiles from it.
pub struct Translated {
    pub document: Document,
    pub region: Region,
    pub stage: String,
    /// `SERVICE-STAGE`, the framework's stack name.
    pub stack_name: Option<String>,
    /// What could not be compiled, located in the service file.
    pub problems: Vec<LoadProblem>,
}

/// Translates the service file `document` (shown as `name`, in directory `dir`), with the
/// command line's `options`; `read` reads a file it includes (only inside `dir`).
pub fn translate(
    document: &Document,
    name: &str,
    dir: &Path,
    options: &Options,
    read: &dyn Fn(&Path) -> Option<String>,
) -> Translated {
    let resolver = variables::Resolver::new(&document.root, dir, options, read);
    let service = resolver.resolve(&document.root);
    let stage = resolver.stage().to_owned();
    let region = region(&document.root, &service, name, options);
    let stack_name = service
        .get("service")
        .and_then(|s| s.scalar_text().or_else(|| s.get("name")?.scalar_text()))
        .map(|service| format!("{service}-{stage}"));
    let compiled = compile::compile(&service);
    Translated {
        document: Document {
            root: compiled.root,
            comments: document.comments.clone(),
            loop_free: false,
        },
        region,
        stage,
        stack_name,
        problems: compiled.problems,
    }
}

/// `--region` › `provider.region` › `us-east-1`.
fn region(original: &Node, service: &Node, name: &str, options: &Options) -> Region {
    let file = name.rsplit('/').next().unwrap_or(name);
    if let Some(region) = &options.region {
        return Region {
            name: Some(region.clone()),
            span: None,
            label: "stack region from --region".to_owned(),
            note: None,
        };
    }
    let written = original.get_path(&["provider", "region"]);
    match (written, service.get_path(&["provider", "region"])) {
        (Some(written), Some(resolved)) => match resolved.as_str() {
            Some(region) if crate::config::is_region(region) => Region {
                name: Some(region.to_owned()),
                span: Some(written.span),
                label: format!("stack region from {file}"),
                note: None,
            },
            _ => Region {
                name: None,
                span: None,
                label: String::new(),
                note: Some(format!(
                    "`provider.region` of {name} is `{}`, known only when the framework runs: pass `--region`",
                    written
                        .scalar_text()
                        .unwrap_or_else(|| "a value that is not a region".to_owned())
                )),
            },
        },
        _ => Region {
            name: Some(DEFAULT_REGION.to_owned()),
            span: Some(
                original
                    .as_map()
                    .and_then(|m| m.entry("provider"))
                    .map_or(Span::empty(0), |e| e.key_span),
            ),
            label: format!(
                "stack region {DEFAULT_REGION}, the Serverless Framework's default: {file} sets no `provider.region`"
            ),
            note: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translated(service: &str, options: &Options) -> Translated {
        let document = crate::load::yaml::load(service).document.unwrap();
        let read = |_: &Path| None;
        translate(
            &document,
            "app/serverless.yml",
            Path::new("."),
            options,
            &read,
        )
    }

    #[test]
    fn the_region_is_the_flag_then_provider_region_then_the_default() {
        let literal = "service: s\nprovider:\n  name: aws\n  region: eu-central-1\n";
        let t = translated(literal, &Options::default());
        assert_eq!(t.region.name.as_deref(), Some("eu-central-1"));
        assert_eq!(&literal[t.region.span.unwrap().range()], "eu-central-1");
        let variable = "service: s\nprovider:\n  name: aws\n  region: ${opt:region, 'eu-west-1'}\n";
        assert_eq!(
            translated(variable, &Options::default())
                .region
                .name
                .as_deref(),
            Some("eu-west-1")
        );
        let flag = Options {
            region: Some("ap-south-1".into()),
            ..Options::default()
        };
        assert_eq!(
            translated(variable, &flag).region.name.as_deref(),
            Some("ap-south-1")
        );
        let absent = "service: s\nprovider:\n  name: aws\n";
        let t = translated(absent, &Options::default());
        assert_eq!(t.region.name.as_deref(), Some(DEFAULT_REGION));
        assert!(t.region.label.contains("default"), "{}", t.region.label);
        let unknown = "service: s\nprovider:\n  name: aws\n  region: ${env:AWS_REGION}\n";
        let t = translated(unknown, &Options::default());
        assert_eq!(t.region.name, None);
        assert!(t.region.note.unwrap().contains("${env:AWS_REGION}"));
    }

    #[test]
    fn stack_name_and_stage() {
        let t = translated(
            "service: auth\nprovider:\n  name: aws\n  stage: ${opt:stage, 'beta'}\n",
            &Options::default(),
        );
        assert_eq!(t.stage, "beta");
        assert_eq!(t.stack_name.as_deref(), Some("auth-beta"));
    }
}
