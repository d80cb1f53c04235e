//! `--aws`: the live SES lookup against the in-process stub (`live/stub.rs`), by running the
//! real binary with offline credentials; and, without the feature, the error `--aws` gives.

#[cfg(feature = "aws")]
pub mod stub;

#[cfg(feature = "aws")]
mod with_feature {
    use std::path::PathBuf;
    use std::process::Command;
    use std::sync::OnceLock;

    use sandtrap::cli::Exit;
    use serde_json::Value;

    use super::stub::{CALLER_ACCOUNT, Stub};
    use crate::support::{self, Run, codes};

    /// The stub every fixture and documentation example shares.
    pub fn shared() -> &'static Stub {
        static STUB: OnceLock<Stub> = OnceLock::new();
        STUB.get_or_init(Stub::start)
    }

    /// Which AWS config files the process sees.
    #[derive(Clone, Copy)]
    pub enum Credentials {
        /// A `default` profile (access key `test`) and a `no-ses` profile (access key `denied`).
        Profiles,
        /// Empty config files and nothing in the environment.
        None,
    }

    /// Offline AWS config files, written once under the test target directory.
    fn config_dir() -> &'static PathBuf {
        static DIR: OnceLock<PathBuf> = OnceLock::new();
        DIR.get_or_init(|| {
            let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("live-aws-config");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(
                dir.join("credentials"),
                "[default]\naws_access_key_id = test\naws_secret_access_key = test\n\n\
                 [no-ses]\naws_access_key_id = denied\naws_secret_access_key = test\n\n\
                 [dev-account]\naws_access_key_id = ASIA222222222222\naws_secret_access_key = test\n",
            )
            .unwrap();
            std::fs::write(
                dir.join("config"),
                "[default]\nregion = us-east-1\n\n[profile no-ses]\nregion = us-east-1\n\n\
                 [profile dev-account]\nregion = us-east-1\n",
            )
            .unwrap();
            std::fs::write(dir.join("empty"), "").unwrap();
            dir
        })
    }

    /// Runs the binary with `args` and `--aws-endpoint-url` of `stub`, offline: no environment
    /// but the AWS config files chosen and instance metadata disabled.
    pub fn run_against(stub: &Stub, args: &[&str], credentials: Credentials) -> Run {
        let dir = config_dir();
        let (config, creds) = match credentials {
            Credentials::Profiles => (dir.join("config"), dir.join("credentials")),
            Credentials::None => (dir.join("empty"), dir.join("empty")),
        };
        let output = Command::new(env!("CARGO_BIN_EXE_sandtrap"))
            .args(args)
            .args(["--aws-endpoint-url", &stub.url])
            .current_dir(support::root())
            .env_clear()
            .env("AWS_CONFIG_FILE", config)
            .env("AWS_SHARED_CREDENTIALS_FILE", creds)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("NO_COLOR", "1")
            .env("SANDTRAP_NO_CACHE", "1")
            .output()
            .unwrap();
        Run {
            exit: match output.status.code() {
                Some(0) => Exit::Clean,
                Some(1) => Exit::Findings,
                _ => Exit::Usage,
            },
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }

    /// A fixture's or documentation example's run (their arguments hold `--aws`).
    pub fn run(args: &[&str]) -> Run {
        run_against(shared(), args, Credentials::Profiles)
    }

    fn report(run: &Run) -> Value {
        serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr))
    }

    /// A template with one self-sign-up pool per (logical id, SourceArn).
    fn template(region: &str, pools: &[(&str, &str)]) -> String {
        let mut text = format!("Metadata:\n  sandtrap:\n    region: {region}\nResources:\n");
        for (id, arn) in pools {
            text.push_str(&format!(
                "  {id}:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      \
                 AutoVerifiedAttributes: [email]\n      UsernameAttributes: [email]\n      \
                 EmailConfiguration:\n        EmailSendingAccount: DEVELOPER\n        \
                 SourceArn: {arn}\n"
            ));
        }
        text
    }

    fn arn(region: &str, account: &str, identity: &str) -> String {
        format!("arn:aws:ses:{region}:{account}:identity/{identity}")
    }

    /// `check --format json --aws` of one template, against a stub of its own.
    fn check(stub: &Stub, text: &str, extra: &[&str], credentials: Credentials) -> Value {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("template.yaml");
        std::fs::write(&path, text).unwrap();
        let path = path.to_string_lossy().into_owned();
        let mut args = vec![
            "check",
            "--format",
            "json",
            "--config",
            "testdata/rules/empty.sandtrap.yaml",
            "--aws",
        ];
        args.extend_from_slice(extra);
        args.push(&path);
        report(&run_against(stub, &args, credentials))
    }

    fn diagnostics<'a>(report: &'a Value, code: &str) -> Vec<&'a Value> {
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == code)
            .collect()
    }

    #[test]
    fn tokyo_in_production_and_oregon_in_the_sandbox_without_any_ses_flag() {
        let run = run(&[
            "check",
            "--format",
            "json",
            "--config",
            "testdata/rules/empty.sandtrap.yaml",
            "--aws",
            "examples/cdk.out",
        ]);
        assert_eq!(run.exit, Exit::Findings, "{}", run.stderr);
        let report = report(&run);
        let st101 = diagnostics(&report, "ST101");
        assert_eq!(st101.len(), 1, "{report:#}");
        assert_eq!(st101[0]["severity"], "error");
        assert_eq!(
            st101[0]["file"],
            "examples/cdk.out/Auth-Staging.template.json"
        );
        assert!(st101[0]["message"].as_str().unwrap().contains("us-west-2"));
        let tokyo: Vec<_> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["file"] == "examples/cdk.out/Auth-Prod.template.json")
            .collect();
        assert!(tokyo.is_empty(), "{tokyo:#?}");
        assert!(diagnostics(&report, "ST004").is_empty(), "{report:#}");
    }

    #[test]
    fn facts_record_the_live_values_and_their_source() {
        let run = run(&[
            "facts",
            "--config",
            "testdata/rules/empty.sandtrap.yaml",
            "--aws",
            "examples/cdk.out",
        ]);
        assert_eq!(run.exit, Exit::Clean, "{}", run.stderr);
        let facts = report(&run);
        let senders = facts["senders"].as_array().unwrap();
        let oregon = senders
            .iter()
            .find(|s| s["ses"]["region"] == "us-west-2")
            .unwrap();
        assert_eq!(oregon["ses"]["state"], "sandbox");
        assert_eq!(oregon["ses"]["state_source"], "live");
        assert_eq!(oregon["ses"]["live"]["production_access"], false);
        assert_eq!(oregon["ses"]["live"]["max_24_hour_send"], 200.0);
        assert_eq!(oregon["ses"]["live"]["review_status"], "PENDING");
        assert_eq!(oregon["identity"]["live"]["verified_for_sending"], true);
        assert_eq!(oregon["identity"]["live"]["verification_status"], "SUCCESS");
        let tokyo = senders
            .iter()
            .find(|s| s["ses"]["region"] == "ap-northeast-1")
            .unwrap();
        assert_eq!(tokyo["ses"]["state"], "production");
        assert_eq!(tokyo["ses"]["live"]["enforcement_status"], "HEALTHY");
        let lookups = facts["lookups"].as_array().unwrap();
        assert_eq!(lookups.len(), 2);
        assert!(lookups.iter().all(|l| l["error"].is_null()));
    }

    #[test]
    fn live_state_wins_over_flags() {
        let stub = Stub::start();
        let text = template(
            "us-west-2",
            &[("Pool", &arn("us-west-2", CALLER_ACCOUNT, "example.com"))],
        );
        let report = check(
            &stub,
            &text,
            &["--ses-production", "us-west-2"],
            Credentials::Profiles,
        );
        let st101 = diagnostics(&report, "ST101");
        assert_eq!(st101.len(), 1, "{report:#}");
        assert_eq!(st101[0]["severity"], "error");
    }

    #[test]
    fn unknown_account_is_the_callers_and_each_question_is_asked_once() {
        let stub = Stub::start();
        let sub =
            "!Sub arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/example.com";
        let text = template("us-west-2", &[("A", sub), ("B", sub), ("C", sub)]);
        let report = check(&stub, &text, &[], Credentials::Profiles);
        assert_eq!(diagnostics(&report, "ST101").len(), 3, "{report:#}");
        assert_eq!(
            stub.count("GetAccount", "us-west-2"),
            1,
            "{:?}",
            stub.counts()
        );
        assert_eq!(stub.count("GetEmailIdentity", "us-west-2"), 1);
        assert_eq!(stub.count("GetCallerIdentity", "us-west-2"), 1);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.yaml");
        std::fs::write(&path, &text).unwrap();
        let facts = report_of(&run_against(
            &stub,
            &[
                "facts",
                "--config",
                "testdata/rules/empty.sandtrap.yaml",
                "--aws",
                &path.to_string_lossy(),
            ],
            Credentials::Profiles,
        ));
        assert_eq!(facts["senders"][0]["ses"]["account"], CALLER_ACCOUNT);
        assert_eq!(facts["senders"][0]["ses"]["account_source"], "caller");
    }

    fn report_of(run: &Run) -> Value {
        report(run)
    }

    #[test]
    fn unverified_and_missing_identities_fail_the_deploy() {
        let stub = Stub::start();
        let text = template(
            "us-east-1",
            &[
                (
                    "Pending",
                    &arn("us-east-1", CALLER_ACCOUNT, "pending.example.com"),
                ),
                (
                    "Missing",
                    &arn("us-east-1", CALLER_ACCOUNT, "missing@example.com"),
                ),
                ("Fine", &arn("us-east-1", CALLER_ACCOUNT, "example.com")),
            ],
        );
        let report = check(&stub, &text, &[], Credentials::Profiles);
        let st212 = diagnostics(&report, "ST212");
        assert_eq!(st212.len(), 2, "{report:#}");
        let messages: Vec<&str> = st212
            .iter()
            .map(|d| d["message"].as_str().unwrap())
            .collect();
        assert!(
            messages.iter().any(|m| m.contains(
                "`pending.example.com` is not verified for sending in us-east-1 (status PENDING)"
            )),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`missing@example.com` does not exist in us-east-1")),
            "{messages:?}"
        );
        assert!(st212.iter().all(|d| d["severity"] == "error"));
        assert!(
            diagnostics(&report, "ST101").is_empty(),
            "production: {report:#}"
        );
    }

    #[test]
    fn paused_and_shut_down_regions() {
        let stub = Stub::start();
        for (region, expected) in [
            ("eu-west-1", "sending is paused"),
            ("eu-central-1", "shut down"),
        ] {
            let text = template(
                region,
                &[("Pool", &arn(region, CALLER_ACCOUNT, "example.com"))],
            );
            let report = check(&stub, &text, &[], Credentials::Profiles);
            let st213 = diagnostics(&report, "ST213");
            assert_eq!(st213.len(), 1, "{region}: {report:#}");
            assert!(
                st213[0]["message"].as_str().unwrap().contains(expected),
                "{st213:#?}"
            );
        }
    }

    fn one_st004(report: &Value) -> String {
        let st004 = diagnostics(report, "ST004");
        assert_eq!(st004.len(), 1, "{report:#}");
        assert_eq!(st004[0]["severity"], "warning");
        st004[0]["message"].as_str().unwrap().to_owned()
    }

    #[test]
    fn access_denied_is_one_warning_per_region_naming_the_actions() {
        let stub = Stub::start();
        let text = template(
            "us-west-2",
            &[
                ("A", &arn("us-west-2", CALLER_ACCOUNT, "a.example.com")),
                ("B", &arn("us-west-2", CALLER_ACCOUNT, "b.example.com")),
            ],
        );
        let report = check(
            &stub,
            &text,
            &["--aws-profile", "no-ses"],
            Credentials::Profiles,
        );
        let message = one_st004(&report);
        assert!(
            message.contains(
                "access denied (ses:GetAccount, ses:GetEmailIdentity; AccessDeniedException"
            ),
            "{message}"
        );
        let st004 = &diagnostics(&report, "ST004")[0];
        assert_eq!(st004["resource"], "A", "at the first sender's SourceArn");
        // The state is unknown again: ST101 falls back to a warning.
        let st101 = diagnostics(&report, "ST101");
        assert_eq!(st101.len(), 2);
        assert!(st101.iter().all(|d| d["severity"] == "warning"));
        assert!(
            !report.to_string().contains("Signature"),
            "no request detail leaks"
        );
    }

    #[test]
    fn identity_lookup_denied_while_account_lookup_works() {
        let stub = Stub::start();
        let text = template(
            "eu-north-1",
            &[("Pool", &arn("eu-north-1", CALLER_ACCOUNT, "example.com"))],
        );
        let report = check(&stub, &text, &[], Credentials::Profiles);
        let message = one_st004(&report);
        assert!(message.contains("(ses:GetEmailIdentity;"), "{message}");
        assert!(!message.contains("ses:GetAccount"), "{message}");
    }

    #[test]
    fn throttling_is_reported_quickly() {
        let stub = Stub::start();
        let text = template(
            "sa-east-1",
            &[("Pool", &arn("sa-east-1", CALLER_ACCOUNT, "example.com"))],
        );
        let report = check(&stub, &text, &[], Credentials::Profiles);
        let message = one_st004(&report);
        assert!(
            message.contains(
                "throttled (ses:GetAccount, ses:GetEmailIdentity; TooManyRequestsException"
            ),
            "{message}"
        );
        // Two attempts per request, no more.
        assert_eq!(
            stub.count("GetAccount", "sa-east-1"),
            2,
            "{:?}",
            stub.counts()
        );
    }

    #[test]
    fn a_slow_endpoint_times_out() {
        let stub = Stub::start();
        let text = template(
            "ca-central-1",
            &[("Pool", &arn("ca-central-1", CALLER_ACCOUNT, "example.com"))],
        );
        // The stub answers after 3 s: a report that says it timed out did not wait for it.
        let report = check(&stub, &text, &["--aws-timeout", "1"], Credentials::Profiles);
        let message = one_st004(&report);
        assert!(
            message
                .contains("timed out (ses:GetAccount, ses:GetEmailIdentity; no answer within 1s"),
            "{message}"
        );
    }

    #[test]
    fn another_account_is_not_asked() {
        let stub = Stub::start();
        let text = template(
            "us-west-2",
            &[("Pool", &arn("us-west-2", "222222222222", "example.com"))],
        );
        let report = check(&stub, &text, &[], Credentials::Profiles);
        let message = one_st004(&report);
        assert!(message.contains("account 222222222222"), "{message}");
        assert!(
            message.contains(&format!("credentials are for account {CALLER_ACCOUNT}")),
            "{message}"
        );
        assert_eq!(stub.count("GetAccount", "us-west-2"), 0);
        assert_eq!(stub.count("GetEmailIdentity", "us-west-2"), 0);
    }

    #[test]
    fn missing_credentials_name_sts() {
        let stub = Stub::start();
        let text = template(
            "us-west-2",
            &[("Pool", &arn("us-west-2", CALLER_ACCOUNT, "example.com"))],
        );
        let report = check(&stub, &text, &[], Credentials::None);
        let message = one_st004(&report);
        assert!(
            message.contains("no usable AWS credentials (sts:GetCallerIdentity;"),
            "{message}"
        );
        assert!(
            stub.counts().is_empty(),
            "nothing was sent: {:?}",
            stub.counts()
        );
    }

    #[test]
    fn no_lookup_without_a_source_arn() {
        let stub = Stub::start();
        let report = check(
            &stub,
            "Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties: {}\n",
            &[],
            Credentials::Profiles,
        );
        assert!(codes(&report).iter().all(|c| c != "ST004"));
        assert!(stub.counts().is_empty(), "{:?}", stub.counts());
    }

    const APP: &str = "testdata/live/multi-account/cdk.out";

    /// Every output a run can print, as text, with `--aws` against `stub`.
    fn every_output(stub: &Stub, extra: &[&str]) -> Vec<(String, Run)> {
        let mut runs = Vec::new();
        let base = ["--config", "testdata/rules/empty.sandtrap.yaml", "--aws"];
        let mut commands: Vec<Vec<&str>> = [
            "human", "concise", "json", "sarif", "junit", "github", "gitlab", "markdown", "html",
        ]
        .iter()
        .map(|format| vec!["check", "--format", format])
        .collect();
        commands.push(vec!["facts"]);
        commands.push(vec!["map", "--format", "json"]);
        commands.push(vec!["status", "--format", "human"]);
        commands.push(vec!["status", "--format", "json"]);
        commands.push(vec!["status", "--format", "markdown"]);
        for command in commands {
            let mut args = command.clone();
            args.extend_from_slice(&base);
            args.extend_from_slice(extra);
            args.push(APP);
            runs.push((
                command.join(" "),
                run_against(stub, &args, Credentials::Profiles),
            ));
        }
        runs
    }

    /// Dev (222222222222) and Prod (444444444444) stages, each in Oregon and Tokyo, read with
    /// one caller credential (account 111111111111) through each account's CDK lookup role.
    #[test]
    fn every_account_of_a_cdk_app_is_read_through_its_lookup_role() {
        let stub = Stub::start();
        let run = run_against(
            &stub,
            &[
                "check",
                "--format",
                "json",
                "--config",
                "testdata/rules/empty.sandtrap.yaml",
                "--aws",
                APP,
            ],
            Credentials::Profiles,
        );
        let report = report(&run);
        let st101: Vec<(String, String)> = diagnostics(&report, "ST101")
            .iter()
            .map(|d| {
                (
                    d["severity"].as_str().unwrap().to_owned(),
                    d["file"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            st101,
            [(
                "error".to_owned(),
                format!("{APP}/assembly-Dev/Dev-Auth-Oregon.template.json")
            )],
            "{}",
            run.stdout
        );
        assert!(diagnostics(&report, "ST004").is_empty(), "{}", run.stdout);
        // One AssumeRole per account, of its lookup role, session `sandtrap`, the manifest's
        // external id passed on.
        let mut assumed = stub.assume_role_requests();
        assumed.sort();
        assert_eq!(assumed.len(), 2, "{assumed:?}");
        assert!(
            assumed[0].contains(
                "RoleArn=arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-"
            ),
            "{}",
            assumed[0]
        );
        assert!(
            assumed[1].contains(
                "RoleArn=arn:aws:iam::444444444444:role/cdk-hnb659fds-lookup-role-444444444444-"
            ),
            "{}",
            assumed[1]
        );
        assert!(
            assumed
                .iter()
                .all(|a| a.contains("RoleSessionName=sandtrap"))
        );
        assert!(
            assumed[1].contains("ExternalId=ext-id-NeverPrinted"),
            "{}",
            assumed[1]
        );
        assert!(!assumed[0].contains("ExternalId"), "{}", assumed[0]);
        assert_eq!(stub.count("GetAccount", "us-west-2"), 2);
        assert_eq!(stub.count("GetAccount", "ap-northeast-1"), 2);

        let status = run_against(
            &stub,
            &[
                "status",
                "--format",
                "json",
                "--config",
                "testdata/rules/empty.sandtrap.yaml",
                "--aws",
                APP,
            ],
            Credentials::Profiles,
        );
        let status: Value = serde_json::from_str(&status.stdout).unwrap();
        let rows: Vec<(&str, &str, &str, &str)> = status["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["account"].as_str().unwrap(),
                    r["region"].as_str().unwrap(),
                    r["ses_state"].as_str().unwrap(),
                    r["source"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("222222222222", "ap-northeast-1", "production", "live"),
                ("222222222222", "us-west-2", "sandbox", "live"),
                ("444444444444", "ap-northeast-1", "production", "live"),
                ("444444444444", "us-west-2", "production", "live"),
            ]
        );
        let human = run_against(
            &stub,
            &[
                "status",
                "--config",
                "testdata/rules/empty.sandtrap.yaml",
                "--aws",
                APP,
            ],
            Credentials::Profiles,
        );
        assert_eq!(human.exit, Exit::Clean, "{}", human.stderr);
        let lines: Vec<&str> = human.stdout.lines().collect();
        assert!(
            lines[0].starts_with("account       region          SES         source"),
            "{}",
            human.stdout
        );
        assert!(
            lines[2].starts_with(
                "222222222222  us-west-2       sandbox     live    yes      HEALTHY      0/200"
            ),
            "{}",
            human.stdout
        );
        assert!(
            lines[2].ends_with("example.com (SUCCESS)"),
            "{}",
            human.stdout
        );
        assert!(
            human
                .stdout
                .contains("SES production access is needed (or unknown) in 1 of the 4"),
            "{}",
            human.stdout
        );
    }

    #[test]
    fn a_denied_role_is_st004_naming_the_account_and_role_and_the_rest_stays_live() {
        let stub = Stub::start();
        let dir = tempfile::tempdir().unwrap();
        let audit = dir.path().join("audit.yaml");
        std::fs::write(
            &audit,
            template(
                "us-west-2",
                &[(
                    "AuditPool",
                    &arn("us-west-2", "555555555555", "audit.example.com"),
                )],
            ),
        )
        .unwrap();
        let audit = audit.to_string_lossy().into_owned();
        let args = [
            "check",
            "--format",
            "json",
            "--config",
            "testdata/rules/empty.sandtrap.yaml",
            "--aws",
            "--account",
            "555555555555",
            "--aws-role-arn",
            "arn:aws:iam::{account}:role/sandtrap-denied-reader",
            APP,
            &audit,
        ];
        let run = run_against(&stub, &args, Credentials::Profiles);
        let report = report(&run);
        let st004 = diagnostics(&report, "ST004");
        assert_eq!(st004.len(), 1, "{}", run.stdout);
        let message = st004[0]["message"].as_str().unwrap();
        assert!(
            message.contains("account 555555555555 in us-west-2"),
            "{message}"
        );
        assert!(
            message.contains("arn:aws:iam::555555555555:role/sandtrap-denied-reader"),
            "{message}"
        );
        let help = st004[0]["help"].as_str().unwrap();
        assert!(help.contains("trust policy"), "{help}");
        assert!(help.contains("111111111111"), "{help}");
        // The CDK accounts kept their live answers (and the lookup role was tried first there,
        // the user's role never).
        let st101: Vec<&str> = diagnostics(&report, "ST101")
            .iter()
            .map(|d| d["severity"].as_str().unwrap())
            .collect();
        assert_eq!(
            st101,
            ["warning", "error"],
            "the audit pool, then Dev/Oregon: {}",
            run.stdout
        );
        let assumed = stub.assume_role_requests();
        assert_eq!(assumed.len(), 3, "{assumed:?}");
        assert_eq!(assumed.iter().filter(|a| a.contains("denied")).count(), 1);
    }

    #[test]
    fn an_unbootstrapped_account_says_how_to_bootstrap_it() {
        let stub = Stub::start();
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("cdk.out");
        copy_dir(&support::root().join(APP), &app);
        let manifest = app.join("assembly-Dev/manifest.json");
        let text = std::fs::read_to_string(&manifest)
            .unwrap()
            .replace("lookup-role", "lookup-role-denied");
        std::fs::write(&manifest, text).unwrap();
        let app = app.to_string_lossy().into_owned();
        let run = run_against(
            &stub,
            &[
                "check",
                "--format",
                "json",
                "--config",
                "testdata/rules/empty.sandtrap.yaml",
                "--aws",
                &app,
            ],
            Credentials::Profiles,
        );
        let report = report(&run);
        let st004 = diagnostics(&report, "ST004");
        assert_eq!(st004.len(), 2, "{}", run.stdout);
        for d in &st004 {
            let help = d["help"].as_str().unwrap();
            assert!(help.contains("cdk bootstrap aws://222222222222/"), "{help}");
            assert!(
                d["message"]
                    .as_str()
                    .unwrap()
                    .contains("cdk-hnb659fds-lookup-role-denied-222222222222")
            );
        }
        // Dev's state is unknown now: a warning, not a guess; Prod is still live.
        let st101: Vec<&str> = diagnostics(&report, "ST101")
            .iter()
            .map(|d| d["severity"].as_str().unwrap())
            .collect();
        assert_eq!(st101, ["warning", "warning"], "{}", run.stdout);
    }

    /// A profile named for an account in `.sandtrap.yaml` reads it when no CDK role does; one
    /// whose credentials are of another account is refused.
    #[test]
    fn a_profile_named_for_an_account_reads_it() {
        let stub = Stub::start();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dev.yaml");
        std::fs::write(
            &path,
            template(
                "us-west-2",
                &[("DevPool", &arn("us-west-2", "222222222222", "example.com"))],
            ),
        )
        .unwrap();
        let path = path.to_string_lossy().into_owned();
        for (profile, severity, st004) in [("dev-account", "error", 0), ("default", "warning", 1)] {
            let config = dir.path().join(format!("{profile}.sandtrap.yaml"));
            std::fs::write(
                &config,
                format!("aws:\n  profiles: {{\"222222222222\": {profile}}}\n"),
            )
            .unwrap();
            let config = config.to_string_lossy().into_owned();
            let run = run_against(
                &stub,
                &[
                    "check",
                    "--format",
                    "json",
                    "--config",
                    &config,
                    "--aws",
                    "--account",
                    "222222222222",
                    &path,
                ],
                Credentials::Profiles,
            );
            let report = report(&run);
            let st101 = diagnostics(&report, "ST101");
            assert_eq!(st101[0]["severity"], severity, "{profile}: {}", run.stdout);
            assert_eq!(
                diagnostics(&report, "ST004").len(),
                st004,
                "{profile}: {}",
                run.stdout
            );
            if st004 == 1 {
                let message = diagnostics(&report, "ST004")[0]["message"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                assert!(
                    message.contains("through `default`")
                        && message.contains("for account 111111111111, not 222222222222"),
                    "{message}"
                );
            }
        }
        assert!(stub.assume_role_requests().is_empty());
    }

    fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &to.join(entry.file_name()));
            } else {
                std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
            }
        }
    }

    #[test]
    fn no_output_prints_a_credential_token_or_external_id() {
        let stub = Stub::start();
        for extra in [
            &[][..],
            &["--aws-role-arn", "arn:aws:iam::{account}:role/denied"][..],
        ] {
            for (command, run) in every_output(&stub, extra) {
                for text in [&run.stdout, &run.stderr] {
                    for secret in [
                        super::stub::SECRET_MARK,
                        "ASIA",
                        "ext-id-NeverPrinted",
                        "aws_secret_access_key",
                    ] {
                        assert!(
                            !text.contains(secret),
                            "`{command}` printed `{secret}`:\n{text}"
                        );
                    }
                }
                assert!(
                    !run.stdout.is_empty(),
                    "{command} printed nothing: {}",
                    run.stderr
                );
            }
        }
    }
}

#[cfg(feature = "aws")]
pub use with_feature::run;

#[cfg(not(feature = "aws"))]
#[test]
fn aws_without_the_feature_says_how_to_get_it() {
    let run = crate::support::run(&["check", "--aws", "examples/cdk.out"], "");
    assert_eq!(run.exit, sandtrap::cli::Exit::Usage);
    assert!(run.stderr.contains("built without it"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("cargo install --locked --path . --features aws"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}
