//! Fuzzes CDK cloud assembly discovery and the run over it: the input is `manifest.json` of an
//! assembly directory that also holds a stack template, a nested assembly (`stage/`) and a
//! nested stack template, so fuzzed manifests can point at real files, at themselves, at each
//! other and outside the tree.
#![no_main]

use std::fs;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sandtrap::check::{self, CheckOptions};
use sandtrap::discover;

const TEMPLATE: &str = r#"{"Parameters":{"Domain":{"Type":"String","Default":"example.com"}},
"Resources":{"Pool":{"Type":"AWS::Cognito::UserPool","Properties":{"EmailConfiguration":
{"EmailSendingAccount":"DEVELOPER","From":{"Fn::Sub":"no-reply@${Domain}"},
"SourceArn":{"Fn::Sub":"arn:aws:ses:us-east-1:${AWS::AccountId}:identity/${Domain}"}}}},
"Nested":{"Type":"AWS::CloudFormation::Stack","Metadata":{"aws:asset:path":"Nested.nested.template.json"}}},
"Outputs":{"Out":{"Value":"x","Export":{"Name":"Shared"}}}}"#;

const STAGE_MANIFEST: &str = r#"{"version":"36.0.0","artifacts":{"Inner":{"type":"aws:cloudformation:stack",
"environment":"aws://123456789012/eu-west-1","properties":{"templateFile":"Inner.template.json"}},
"Back":{"type":"cdk:cloud-assembly","properties":{"directoryName":".."}}}}"#;

/// The assembly directory; its fixed files are written once.
fn root() -> Option<&'static PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().ok()?.keep();
        fs::write(dir.join("Stack.template.json"), TEMPLATE).ok()?;
        fs::write(dir.join("Nested.nested.template.json"), TEMPLATE).ok()?;
        fs::create_dir_all(dir.join("stage")).ok()?;
        fs::write(dir.join("stage/manifest.json"), STAGE_MANIFEST).ok()?;
        fs::write(dir.join("stage/Inner.template.json"), TEMPLATE).ok()?;
        Some(dir)
    })
    .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let Some(root) = root() else {
        return;
    };
    if fs::write(root.join("manifest.json"), data).is_err() {
        return;
    }
    let _ = discover::discover(&[root.clone()]);
    let options = CheckOptions {
        paths: vec![root.clone()],
        cwd: root.clone(),
        ..CheckOptions::default()
    };
    let _ = check::run(&options);
});
