//! `sandtrap lsp` at the protocol level: a client drives the server in-process over
//! `Connection::memory()`, on a copy of `testdata/lsp/workspace`.

mod client;
mod start_cache;

use std::time::{Duration, Instant};

use lsp_server::{Message, Request, RequestId};
use sandtrap::lsp;
use serde_json::{Value, json};

use client::{Client, TIMEOUT, fixture};

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    let mut codes: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    codes.sort_unstable();
    codes
}

fn find<'a>(diagnostics: &'a [Value], code: &str) -> &'a Value {
    diagnostics
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {diagnostics:#?}"))
}

fn default_client() -> Client {
    Client::start(json!({}), Value::Null, Duration::from_millis(150)).0
}

#[test]
fn initialize_negotiates_utf16_by_default_and_utf8_when_offered() {
    let (client, result) = Client::start(json!({}), Value::Null, Duration::from_millis(50));
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(result["serverInfo"]["name"], "sandtrap");
    assert_eq!(result["capabilities"]["hoverProvider"], true);
    client.stop();

    let offered = json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}});
    let (client, result) = Client::start(offered, Value::Null, Duration::from_millis(50));
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    client.stop();
}

#[test]
fn columns_follow_the_negotiated_encoding() {
    // Wide characters before the ARN on its line: UTF-8 counts bytes, UTF-16 code units.
    let flow = "      EmailConfiguration: {\"x-é🚀\": 1, EmailSendingAccount: DEVELOPER, \
                SourceArn: !Sub \"arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/example.com\", \
                From: noreply@example.com}\n";
    let prefix = &flow[..flow.find("!Sub").unwrap()];
    for (capabilities, expected) in [
        (json!({}), prefix.encode_utf16().count()),
        (
            json!({"general": {"positionEncodings": ["utf-8"]}}),
            prefix.len(),
        ),
    ] {
        let (mut client, _) = Client::start(capabilities, Value::Null, Duration::from_millis(50));
        let text = client.read("pool.yaml");
        let cut = text.find("      EmailConfiguration:").unwrap();
        let text = format!("{}{flow}", &text[..cut]);
        client.open("pool.yaml", &text);
        let diagnostics = client.diagnostics("pool.yaml");
        let start = &find(&diagnostics, "ST101")["range"]["start"];
        assert_eq!(start["line"], 13, "{start}");
        assert_eq!(start["character"], expected, "{start}");
        client.stop();
    }
}

#[test]
fn open_publishes_diagnostics_with_codes_links_and_related_information() {
    let mut client = default_client();
    let text = client.read("pool.yaml");
    client.open("pool.yaml", &text);
    let diagnostics = client.diagnostics("pool.yaml");
    assert_eq!(codes(&diagnostics), ["ST101", "ST207"]);
    let st101 = find(&diagnostics, "ST101");
    assert_eq!(st101["severity"], 1);
    assert_eq!(st101["source"], "sandtrap");
    assert_eq!(
        st101["codeDescription"]["href"],
        format!("{}rules/ST101/", sandtrap::site::DOCS_URL)
    );
    assert_eq!(
        st101["range"]["start"],
        json!({"line": 15, "character": 19})
    );
    assert!(
        st101["message"]
            .as_str()
            .unwrap()
            .contains("which is in the sandbox")
    );
    // The related location is the SES declaration in the configuration file.
    let related = st101["relatedInformation"].as_array().unwrap();
    assert!(
        related
            .iter()
            .any(|r| r["location"]["uri"] == client.uri(".sandtrap.yaml").as_str()),
        "{related:#?}"
    );
    assert_eq!(find(&diagnostics, "ST207")["severity"], 3);
    client.stop();
}

/// A logical id with line breaks and terminal escapes reaches the editor printable, in the
/// message and in every related message.
#[test]
fn messages_quote_hostile_text_escaped() {
    let mut client = default_client();
    let text = client.read("pool.json").replace(
        "\"JsonPool\"",
        "\"UserPool\\n::error::x\\u001b]0;pwned\\u0007\\u202e\"",
    );
    assert!(text.contains("pwned"), "{text}");
    client.open("pool.json", &text);
    let diagnostics = client.diagnostics("pool.json");
    let messages: Vec<&str> = diagnostics
        .iter()
        .flat_map(|d| {
            let related = d["relatedInformation"].as_array().into_iter().flatten();
            std::iter::once(&d["message"]).chain(related.map(|r| &r["message"]))
        })
        .filter_map(Value::as_str)
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("pwned")),
        "{messages:#?}"
    );
    for message in messages {
        assert!(
            !message.contains(['\u{1b}', '\u{7}', '\u{202e}'])
                && message.lines().all(|l| !l.starts_with("::")),
            "{message:?}"
        );
    }
    client.stop();
}

/// A workspace folder of `/`: the walk stops at its bound with a message that names it and how
/// to narrow the workspace.
#[test]
fn a_root_workspace_is_walked_up_to_its_bound() {
    let mut client = Client::start_at(std::path::Path::new("/"), json!({"walkLimit": 2000}));
    let message = client.message().expect("no message about the bound");
    assert!(
        message.contains("2000") && message.contains("walkLimit") && message.contains(".ignore"),
        "{message}"
    );
    assert!(client.end(true));
}

/// `exit` (after `shutdown`) or a closed input while the first run walks `/` with the default
/// bound: the server ends at once instead of finishing the walk and the analysis.
#[test]
fn a_root_workspace_never_delays_exit() {
    let root = std::path::Path::new("/");
    let client = Client::start_at(root, Value::Null);
    client.wait_log("checking [\"/\"]");
    assert!(client.end(true));
    let client = Client::start_at(root, Value::Null);
    client.wait_log("checking [\"/\"]");
    assert!(!client.end(false), "a closed input is no clean shutdown");
}

#[test]
fn json_templates_get_diagnostics_and_non_templates_none() {
    let mut client = default_client();
    let json_text = client.read("pool.json");
    client.open("pool.json", &json_text);
    assert_eq!(codes(&client.diagnostics("pool.json")), ["ST101", "ST207"]);
    let workflow = client.read("workflow.yaml");
    client.open("workflow.yaml", &workflow);
    // Each run publishes for the files that have diagnostics: never the workflow.
    let uri = client.uri("workflow.yaml");
    let deadline = Instant::now() + Duration::from_millis(600);
    while let Some(message) = client.next(deadline.saturating_duration_since(Instant::now())) {
        if let Message::Notification(n) = message {
            assert_ne!(n.params["uri"], uri.as_str(), "workflow got {n:?}");
        }
    }
    client.stop();
}

#[test]
fn a_parse_error_is_one_located_diagnostic() {
    let mut client = default_client();
    let text = client.read("pool.yaml");
    client.open("pool.yaml", &text);
    client.diagnostics("pool.yaml");
    let broken = text.replace(
        "      UsernameAttributes: [email]",
        "      UsernameAttributes: [email",
    );
    client.change("pool.yaml", 2, &broken);
    let diagnostics = client.diagnostics("pool.yaml");
    assert_eq!(codes(&diagnostics), ["ST001"], "{diagnostics:#?}");
    assert!(diagnostics[0]["range"]["start"]["line"].as_u64().unwrap() >= 9);
    client.stop();
}

#[test]
fn changes_are_debounced_into_one_publish_and_update_diagnostics() {
    // A quiet period far longer than it takes to send ten edits, however loaded the machine:
    // the test waits for the outcome, never for a time.
    let mut client = Client::start(json!({}), Value::Null, Duration::from_secs(1)).0;
    let text = client.read("pool.yaml");
    client.open("pool.yaml", &text);
    assert_eq!(codes(&client.diagnostics("pool.yaml")), ["ST101", "ST207"]);
    // Ten edits back to back; the last one switches the pool to Cognito's own mailer, which the
    // sandbox does not concern.
    let fixed = text.replace(
        "EmailSendingAccount: DEVELOPER",
        "EmailSendingAccount: COGNITO_DEFAULT",
    );
    for version in 2..12 {
        let body = if version == 11 { &fixed } else { &text };
        client.change("pool.yaml", version, body);
    }
    let publishes = client.publishes_until("pool.yaml", 11);
    assert_eq!(
        publishes.len(),
        1,
        "expected one publish, got {publishes:#?}"
    );
    assert!(
        !codes(&publishes[0]).contains(&"ST101"),
        "{:#?}",
        publishes[0]
    );
    client.stop();
}

#[test]
fn save_reanalyzes_with_the_file_on_disk() {
    let mut client = default_client();
    let text = client.read("pool.yaml");
    client.open("pool.yaml", &text);
    client.diagnostics("pool.yaml");
    // The pool's neighbour in JSON is fixed on disk and saved from another buffer.
    let json_fixed = client
        .read("pool.json")
        .replace("\"DEVELOPER\"", "\"COGNITO_DEFAULT\"");
    std::fs::write(client.root().join("pool.json"), json_fixed).unwrap();
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": client.uri("pool.json")}}),
    );
    let diagnostics = client.diagnostics("pool.json");
    assert!(!codes(&diagnostics).contains(&"ST101"), "{diagnostics:#?}");
    client.stop();
}

#[test]
fn an_identity_appearing_on_disk_changes_the_pools_diagnostics() {
    let mut client = default_client();
    open_pool_without_identity(&mut client);
    std::fs::copy(
        fixture("extra/identity.yaml"),
        client.root().join("identity.yaml"),
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": client.uri("identity.yaml"), "type": 1}]}),
    );
    assert_eq!(codes(&client.diagnostics("pool.yaml")), ["ST101"]);
    client.stop();
}

/// Opens `pool.yaml`, whose identity no template of the workspace declares yet (`ST207`), and
/// returns its text.
fn open_pool_without_identity(client: &mut Client) -> String {
    let text = client.read("pool.yaml");
    client.open("pool.yaml", &text);
    assert!(codes(&client.diagnostics("pool.yaml")).contains(&"ST207"));
    text
}

/// The template that declares the pool's identity.
fn identity_template() -> String {
    std::fs::read_to_string(fixture("extra/identity.yaml")).unwrap()
}

/// A client that offers file watching (dynamic registration), as VS Code and neovim do.
fn watching_client() -> Client {
    watching_client_with(Value::Null)
}

fn watching_client_with(init: Value) -> Client {
    let capabilities =
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    Client::start(capabilities, init, Duration::from_millis(50)).0
}

#[test]
fn watchers_are_registered_when_the_client_supports_it() {
    let mut client = watching_client();
    let deadline = Instant::now() + TIMEOUT;
    let registration = loop {
        match client.next(deadline.saturating_duration_since(Instant::now())) {
            Some(Message::Request(r)) if r.method == "client/registerCapability" => break r,
            Some(_) => {}
            None => panic!("no registration"),
        }
    };
    let watchers = &registration.params["registrations"][0]["registerOptions"]["watchers"];
    let globs: Vec<&str> = watchers
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["globPattern"].as_str())
        .collect();
    assert_eq!(
        globs,
        [
            "**/*.{yaml,yml,json,template}",
            "**/*.{tf,tofu,tfvars}",
            "**/.terraform/modules/modules.json",
            "**/.sandtrap.yaml",
            "**/{.gitignore,.ignore,samconfig.toml}",
        ]
    );
    client.stop();
}

/// With a watcher the server trusts it to report every change on disk: a file created or
/// deleted is a new walk (made on every core), a known template's change is that file read
/// again (a small run, made on the server's thread alone), and each reaches the join.
#[test]
fn with_a_file_watcher_changes_on_disk_reach_the_join() {
    let mut client = watching_client();
    client.accept_watcher();
    open_pool_without_identity(&mut client);
    let identity = client.root().join("identity.yaml");
    std::fs::copy(fixture("extra/identity.yaml"), &identity).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": client.uri("identity.yaml"), "type": 1}]}),
    );
    assert_eq!(codes(&client.diagnostics("pool.yaml")), ["ST101"]);
    assert_on_every_core(&client.wait_log("analyzed 4 files"));
    // The identity now names another domain: the pool's is undeclared again.
    let changed = std::fs::read_to_string(&identity)
        .unwrap()
        .replace("example.com", "elsewhere.example");
    std::fs::write(&identity, changed).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": client.uri("identity.yaml"), "type": 2}]}),
    );
    assert!(codes(&client.diagnostics("pool.yaml")).contains(&"ST207"));
    let edited = client.wait_log("analyzed 4 files");
    assert!(edited.contains("on one thread"), "{edited}");
    // A walk after a small run is made on every core again, not on the thread that made it.
    std::fs::remove_file(&identity).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": client.uri("identity.yaml"), "type": 3}]}),
    );
    assert_on_every_core(&client.wait_log("analyzed 3 files"));
    client.stop();
}

/// `line`, a run's log line, says it was made on as many threads as rayon makes by default.
fn assert_on_every_core(line: &str) {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    match std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    {
        Some(1) => assert!(line.contains("on one thread"), "{line}"),
        Some(n) if n > 1 => assert!(line.contains(&format!("on {n} threads")), "{line}"),
        _ if cores > 1 => assert!(line.contains(&format!("on {cores} threads")), "{line}"),
        _ => assert!(line.contains("on one thread"), "{line}"),
    }
}

/// Writes `text` to `path` as editors and tools do, whole: a run never reads half of it.
fn write_whole(path: &std::path::Path, text: &str) {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, text).unwrap();
    std::fs::rename(&partial, path).unwrap();
}

/// A client that offers no watcher (helix, many vim setups): the server watches the directories
/// it walked itself, so changes on disk reach the join with no word from the client, in a
/// directory created after the start too.
#[test]
fn without_a_client_watcher_the_server_watches_the_disk() {
    let mut client = default_client();
    open_pool_without_identity(&mut client);
    client.wait_log("more directories");
    let dir = client.root().join("identities");
    std::fs::create_dir(&dir).unwrap();
    let identity = dir.join("identity.yaml");
    let declared = identity_template();
    write_whole(&identity, &declared);
    assert_eq!(codes(&client.diagnostics("pool.yaml")), ["ST101"]);
    // Edited in place: the identity now names another domain.
    std::fs::write(
        &identity,
        declared.replace("example.com", "elsewhere.example"),
    )
    .unwrap();
    assert!(codes(&client.diagnostics("pool.yaml")).contains(&"ST207"));
    std::fs::write(&identity, &declared).unwrap();
    assert_eq!(codes(&client.diagnostics("pool.yaml")), ["ST101"]);
    // The directory goes, and the identity with it.
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(codes(&client.diagnostics("pool.yaml")).contains(&"ST207"));
    client.stop();
}

/// `fileWatcher: server`: the server watches the disk itself even when the client offers to,
/// and so registers nothing with the client.
#[test]
fn with_the_servers_own_watcher_nothing_is_registered() {
    let mut client = watching_client_with(json!({"sandtrap": {"fileWatcher": "server"}}));
    open_pool_without_identity(&mut client);
    client.wait_log("more directories");
    write_whole(&client.root().join("identity.yaml"), &identity_template());
    let deadline = Instant::now() + TIMEOUT;
    let mut registered = false;
    let published = loop {
        match client.next(deadline.saturating_duration_since(Instant::now())) {
            Some(Message::Request(r)) if r.method == "client/registerCapability" => {
                registered = true;
            }
            Some(Message::Notification(n))
                if n.method == "textDocument/publishDiagnostics"
                    && n.params["uri"] == client.uri("pool.yaml").as_str() =>
            {
                break n.params["diagnostics"].as_array().unwrap().clone();
            }
            Some(_) => {}
            None => panic!("no diagnostics after the identity appeared"),
        }
    };
    assert!(!registered, "a watcher was registered with the client");
    assert_eq!(codes(&published), ["ST101"]);
    client.stop();
}

/// `fileWatcher: off` (a network file system, where no event arrives): no watcher, and every
/// run walks and looks at every file, so the next edit sees what changed on disk.
#[test]
fn with_the_file_watcher_off_every_run_looks_at_the_disk() {
    let init = json!({"sandtrap": {"fileWatcher": "off"}});
    let (mut client, _) = Client::start(json!({}), init, Duration::from_millis(50));
    let text = open_pool_without_identity(&mut client);
    write_whole(&client.root().join("identity.yaml"), &identity_template());
    client.change("pool.yaml", 2, &format!("{text}\n"));
    assert_eq!(codes(&client.diagnostics("pool.yaml")), ["ST101"]);
    client.stop();
}

#[test]
fn settings_come_from_initialization_options_and_configuration_changes() {
    // Settings are the run's flags, and flags beat the config file's `ses:` sandbox.
    let init = json!({"sandtrap": {"sesProduction": ["us-west-2"]}});
    let (mut client, _) = Client::start(json!({}), init, Duration::from_millis(50));
    let text = client.read("pool.yaml");
    client.open("pool.yaml", &text);
    let diagnostics = client.diagnostics("pool.yaml");
    assert!(!codes(&diagnostics).contains(&"ST101"), "{diagnostics:#?}");
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"sesSandbox": ["us-west-2"]}}),
    );
    assert!(codes(&client.diagnostics("pool.yaml")).contains(&"ST101"));
    client.stop();
}

#[test]
fn a_broken_config_file_is_a_diagnostic_on_it_and_reloads() {
    let mut client = default_client();
    let text = client.read("pool.yaml");
    client.open("pool.yaml", &text);
    client.diagnostics("pool.yaml");
    let config = client.root().join(".sandtrap.yaml");
    std::fs::write(&config, "ses:\n  sandbox:\n    - regions: [not-a-region]\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": client.uri(".sandtrap.yaml"), "type": 2}]}),
    );
    // Shown to the user, not only written to the server's log.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let shown = loop {
        match client.next(deadline.saturating_duration_since(std::time::Instant::now())) {
            Some(lsp_server::Message::Notification(n)) if n.method == "window/showMessage" => {
                break Some(n.params);
            }
            Some(_) => continue,
            None => break None,
        }
    };
    let shown = shown.expect("no window/showMessage for the broken config");
    assert_eq!(shown["type"], 1);
    assert!(
        shown["message"].as_str().unwrap().contains("not-a-region"),
        "{shown}"
    );
    let diagnostics = client.diagnostics(".sandtrap.yaml");
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0]["range"]["start"]["line"], 2);
    // Fixed: production access now, and the config diagnostic is cleared.
    std::fs::write(&config, "ses:\n  production:\n    - regions: [us-west-2]\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": client.uri(".sandtrap.yaml"), "type": 2}]}),
    );
    assert_eq!(client.diagnostics(".sandtrap.yaml"), Vec::<Value>::new());
    client.stop();
}

#[test]
fn hover_on_a_finding_shows_the_rule_documentation() {
    let mut client = default_client();
    let text = client.read("pool.yaml");
    client.open("pool.yaml", &text);
    let diagnostics = client.diagnostics("pool.yaml");
    let start = find(&diagnostics, "ST101")["range"]["start"].clone();
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": client.uri("pool.yaml")}, "position": start}),
    );
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert!(
        markdown.contains("**ST101** `ses-sandbox-recipients`"),
        "{markdown}"
    );
    assert!(markdown.contains("## Why is this bad?"), "{markdown}");
    assert!(
        markdown.contains("**ST207**"),
        "both findings cover the ARN"
    );
    let nowhere = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": client.uri("pool.yaml")},
            "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(nowhere, Value::Null);
    client.stop();
}

/// Applies `changes` of a WorkspaceEdit (insertions at line starts, as the server makes them).
fn apply(text: &str, edits: &[Value]) -> String {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
    for edit in edits.iter().rev() {
        let line = edit["range"]["start"]["line"].as_u64().unwrap() as usize;
        assert_eq!(edit["range"]["start"]["character"], 0);
        assert_eq!(edit["range"]["start"], edit["range"]["end"]);
        lines.insert(line, edit["newText"].as_str().unwrap().to_owned());
    }
    lines.concat()
}

#[test]
fn code_actions_insert_an_ignore_comment_that_removes_the_finding() {
    let mut client = default_client();
    let text = client.read("pool.yaml");
    client.open("pool.yaml", &text);
    let diagnostics = client.diagnostics("pool.yaml");
    let st101 = find(&diagnostics, "ST101").clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": client.uri("pool.yaml")}, "range": st101["range"],
            "context": {"diagnostics": [st101]}}),
    );
    let actions = actions.as_array().unwrap();
    let ignore = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Ignore ST101"))
        .unwrap_or_else(|| panic!("{actions:#?}"));
    assert_eq!(ignore["kind"], "quickfix");
    let edits = ignore["edit"]["changes"][client.uri("pool.yaml")]
        .as_array()
        .unwrap();
    assert_eq!(edits[0]["newText"], "        # sandtrap: ignore[ST101]\n");
    let docs = actions
        .iter()
        .find(|a| a["title"] == "Open the documentation of ST101")
        .unwrap();
    assert_eq!(docs["command"]["command"], lsp::OPEN_DOCS_COMMAND);
    assert_eq!(
        docs["command"]["arguments"][0],
        format!("{}rules/ST101/", sandtrap::site::DOCS_URL)
    );

    client.change("pool.yaml", 2, &apply(&text, edits));
    assert_eq!(codes(&client.diagnostics("pool.yaml")), ["ST207"]);

    // The documentation command shows the page when the client can.
    let shown = client.request(
        "workspace/executeCommand",
        json!({"command": lsp::OPEN_DOCS_COMMAND,
            "arguments": [format!("{}rules/ST101/", sandtrap::site::DOCS_URL)]}),
    );
    assert_eq!(shown, Value::Null);
    client.stop();
}

#[test]
fn json_files_get_no_ignore_comment_action() {
    let mut client = default_client();
    let text = client.read("pool.json");
    client.open("pool.json", &text);
    let diagnostics = client.diagnostics("pool.json");
    let st101 = find(&diagnostics, "ST101").clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": client.uri("pool.json")}, "range": st101["range"],
            "context": {"diagnostics": []}}),
    );
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.iter().all(|t| !t.starts_with("Ignore")),
        "{titles:?}"
    );
    assert!(titles.contains(&"Open the documentation of ST101"));
    client.stop();
}

#[test]
fn misbehaving_clients_get_errors_not_a_crash() {
    let mut client = default_client();
    // Unknown method, bad parameters, a change to a file never opened, garbage notifications.
    client.next_id += 1;
    let id = RequestId::from(client.next_id);
    client
        .connection
        .sender
        .send(Request::new(id.clone(), "textDocument/hover".to_owned(), json!({"x": 1})).into())
        .unwrap();
    client.notify("textDocument/didChange", json!({"nonsense": true}));
    client.change("never-opened.yaml", 3, "x: [");
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": "untitled:1",
        "languageId": "yaml", "version": 1, "text": "Resources: {"}}),
    );
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"sesSandbox": 3}}),
    );
    client.notify("$/unknownNotification", json!(null));
    let deadline = Instant::now() + TIMEOUT;
    let error = loop {
        match client.next(deadline.saturating_duration_since(Instant::now())) {
            Some(Message::Response(r)) if r.id == id => break r.error.unwrap(),
            Some(_) => {}
            None => panic!("no answer"),
        }
    };
    assert_eq!(error.code, lsp_server::ErrorCode::InvalidParams as i32);
    // Still serving; a code action request with a context it cannot read still gets answers.
    let text = client.read("pool.yaml");
    client.open("pool.yaml", &text);
    let diagnostics = client.diagnostics("pool.yaml");
    assert!(codes(&diagnostics).contains(&"ST101"));
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": client.uri("pool.yaml")},
            "range": find(&diagnostics, "ST101")["range"], "context": {"diagnostics": [[]]}}),
    );
    assert!(!actions.as_array().unwrap().is_empty());
    client.stop();
}

#[test]
fn exit_without_shutdown_is_reported_as_unclean() {
    let (mut client, _) = Client::start(json!({}), Value::Null, Duration::from_millis(50));
    client.notify("exit", Value::Null);
    assert!(!client.server.take().unwrap().join().unwrap());
}

/// The time from `didChange` to `publishDiagnostics` on a 200-resource template. Run with
/// `cargo test --release --test it lsp::latency -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement; run in release"]
fn latency() {
    let mut template = client_template(200);
    for debounce in [Duration::ZERO, Duration::from_millis(200)] {
        let (mut client, _) = Client::start(json!({}), Value::Null, debounce);
        client.open("big.yaml", &template);
        client.diagnostics("big.yaml");
        let mut samples = Vec::new();
        for version in 2..22 {
            template.push_str("# edit\n");
            let started = Instant::now();
            client.change("big.yaml", version, &template);
            client.diagnostics("big.yaml");
            samples.push(started.elapsed());
        }
        samples.sort();
        println!(
            "debounce {:>3} ms: didChange -> publishDiagnostics median {:.1} ms, max {:.1} ms",
            debounce.as_millis(),
            samples[samples.len() / 2].as_secs_f64() * 1000.0,
            samples[samples.len() - 1].as_secs_f64() * 1000.0
        );
        client.stop();
    }
}

/// A template of `n` resources: one pool in a sandboxed region among queues and topics.
fn client_template(n: usize) -> String {
    let mut text = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nMetadata:\n  sandtrap:\n    region: us-west-2\nResources:\n  UserPool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      UsernameAttributes: [email]\n      AutoVerifiedAttributes: [email]\n      EmailConfiguration:\n        EmailSendingAccount: DEVELOPER\n        SourceArn: !Sub arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/example.com\n        From: noreply@example.com\n",
    );
    for i in 1..n {
        text.push_str(&format!(
            "  Queue{i}:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub ${{AWS::StackName}}-queue-{i}\n      VisibilityTimeout: 30\n      Tags:\n        - Key: team\n          Value: !Ref AWS::Region\n"
        ));
    }
    text
}

/// The frames of a server's output, parsed.
fn frames(mut output: &[u8]) -> Vec<Value> {
    let mut messages = Vec::new();
    while let Some(at) = output.windows(4).position(|w| w == b"\r\n\r\n") {
        let header = std::str::from_utf8(&output[..at]).unwrap();
        let length: usize = header
            .trim()
            .strip_prefix("Content-Length: ")
            .unwrap()
            .parse()
            .unwrap();
        let body = &output[at + 4..at + 4 + length];
        messages.push(serde_json::from_slice(body).unwrap());
        output = &output[at + 4 + length..];
    }
    messages
}

#[test]
fn malformed_frames_over_the_transport() {
    // Malformed JSON gets a -32700 reply with a null id; a wrong Content-Length costs only its
    // own message: the shutdown request after it is answered and the server exits cleanly.
    let frame = |body: &str| format!("Content-Length: {}\r\n\r\n{body}", body.len());
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": null, "rootUri": null, "capabilities": {}}});
    let initialized = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
    let input = [
        frame(&initialize.to_string()),
        frame(initialized),
        frame(r#"{"jsonrpc": "2.0", "id": 5, "method": "#),
        format!("Content-Length: 10\r\n\r\n{initialized}"),
        format!("Content-Length: 200\r\n\r\n{initialized}"),
        frame(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#),
        frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
    ]
    .concat();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let clean = lsp::serve_io(
        lsp::ServerOptions::default(),
        std::io::Cursor::new(input.into_bytes()),
        &mut out,
        &mut err,
    )
    .unwrap();
    let log = String::from_utf8_lossy(&err);
    assert!(clean, "{log}");
    let messages = frames(&out);
    let parse_errors: Vec<&Value> = messages
        .iter()
        .filter(|m| m["error"]["code"] == -32700)
        .collect();
    assert_eq!(parse_errors.len(), 2, "{messages:#?}");
    assert!(parse_errors.iter().all(|m| m["id"].is_null()));
    assert!(
        messages
            .iter()
            .any(|m| m["id"] == 2 && m.get("result").is_some()),
        "{messages:#?}\n{log}"
    );
}

/// A pool behind the `aws.west` provider, whose region SES has in the sandbox in the fixture
/// workspace's `.sandtrap.yaml`.
const TERRAFORM_POOL: &str = "provider \"aws\" {\n  region = \"eu-west-1\"\n}\n\nprovider \"aws\" {\n  alias  = \"west\"\n  region = \"us-west-2\"\n}\n\nresource \"aws_cognito_user_pool\" \"pool\" {\n  provider                 = aws.west\n  name                     = \"users\"\n  auto_verified_attributes = [\"email\"]\n\n  email_configuration {\n    email_sending_account = \"DEVELOPER\"\n    source_arn            = \"arn:aws:ses:us-west-2:111111111111:identity/example.com\"\n  }\n}\n";

#[test]
fn a_terraform_buffer_is_analyzed_on_edit_with_the_workspace() {
    let mut client = default_client();
    let dir = client.root().join("infra");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("main.tf"), TERRAFORM_POOL).unwrap();
    client.open("infra/main.tf", TERRAFORM_POOL);
    let diagnostics = client.diagnostics("infra/main.tf");
    let st101 = find(&diagnostics, "ST101");
    // The `source_arn` line, 0-based.
    assert_eq!(st101["range"]["start"]["line"], 16, "{st101:#}");
    assert_eq!(st101["severity"], 1, "{st101:#}");
    // Moved to the default provider (eu-west-1), unsaved: the finding follows the edit (that
    // region's SES state is unknown, so it is a warning there).
    let moved = TERRAFORM_POOL.replace("  provider                 = aws.west\n", "");
    client.change(
        "infra/main.tf",
        2,
        &moved.replace("us-west-2:111", "eu-west-1:111"),
    );
    let diagnostics = client.diagnostics("infra/main.tf");
    let st101 = find(&diagnostics, "ST101");
    assert_eq!(st101["severity"], 2, "{st101:#}");
    assert!(
        st101["message"].as_str().unwrap().contains("eu-west-1"),
        "{st101:#}"
    );
    client.stop();
}
