// The extension's side of the protocol against the real `sandtrap lsp` (the binary in
// SANDTRAP_BINARY; skipped without it): the initialization options the extension builds from its
// settings are accepted (no "unknown setting" message) and change the findings, and both kinds of
// document the extension hands over get their diagnostics: a YAML template and a Terraform
// configuration. The editor itself is not here: its test runner needs a download of VS Code.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const rpc = require('vscode-jsonrpc/node');

const { serverSettings } = require('../out/settings.js');

const binary = process.env.SANDTRAP_BINARY;

const TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Metadata:
  sandtrap:
    region: us-west-2
Resources:
  UserPool:
    Type: AWS::Cognito::UserPool
    Properties:
      AutoVerifiedAttributes: [email]
      UsernameAttributes: [email]
      EmailConfiguration:
        EmailSendingAccount: DEVELOPER
        SourceArn: arn:aws:ses:us-west-2:111111111111:identity/example.com
        From: noreply@example.com
`;

const TERRAFORM = `provider "aws" {
  region = "us-west-2"
}

resource "aws_cognito_user_pool" "pool" {
  name                     = "users"
  auto_verified_attributes = ["email"]
  username_attributes      = ["email"]

  email_configuration {
    email_sending_account = "DEVELOPER"
    source_arn            = "arn:aws:ses:us-west-2:111111111111:identity/example.com"
    from_email_address    = "noreply@example.com"
  }
}
`;

/** Starts the server on a fresh workspace, initialized with the extension's settings. */
async function session(settings) {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'sandtrap-vscode-'));
  fs.writeFileSync(path.join(workspace, 'auth.yaml'), TEMPLATE);
  fs.mkdirSync(path.join(workspace, 'tf'));
  fs.writeFileSync(path.join(workspace, 'tf', 'main.tf'), TERRAFORM);
  const child = spawn(binary, ['lsp'], { cwd: workspace, stdio: ['pipe', 'pipe', 'pipe'] });
  const connection = rpc.createMessageConnection(
    new rpc.StreamMessageReader(child.stdout),
    new rpc.StreamMessageWriter(child.stdin),
  );
  const diagnostics = new Map();
  const messages = [];
  const waiters = [];
  connection.onNotification('textDocument/publishDiagnostics', (params) => {
    diagnostics.set(params.uri, params.diagnostics);
    for (const waiter of waiters.splice(0)) waiter();
  });
  connection.onNotification('window/showMessage', (params) => messages.push(params.message));
  connection.onNotification('window/logMessage', (params) => messages.push(params.message));
  connection.onRequest('window/showMessageRequest', (params) => {
    messages.push(params.message);
    return null;
  });
  connection.listen();
  const uri = (name) => `file://${path.join(workspace, name)}`;
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: `file://${workspace}`,
    workspaceFolders: [{ uri: `file://${workspace}`, name: 'ws' }],
    capabilities: {},
    initializationOptions: settings,
  });
  connection.sendNotification('initialized', {});
  const open = (name, languageId, text) =>
    connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: uri(name), languageId, version: 1, text },
    });
  /** The diagnostics of `name` once `done` holds for them (10 s at most). */
  const until = async (name, done) => {
    const deadline = Date.now() + 10000;
    while (!done(diagnostics.get(uri(name)))) {
      if (Date.now() > deadline) throw new Error(`no diagnostics for ${name} in time: ${JSON.stringify([...diagnostics])}`);
      await new Promise((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
    return diagnostics.get(uri(name));
  };
  const close = async () => {
    await connection.sendRequest('shutdown');
    connection.sendNotification('exit');
    await new Promise((resolve) => child.on('exit', resolve));
    connection.dispose();
    fs.rmSync(workspace, { recursive: true, force: true });
  };
  return { open, until, close, messages, uri, diagnostics };
}

test('the settings the extension sends reach the server: ST101 with the sandbox declared', { skip: !binary && 'SANDTRAP_BINARY is not set' }, async () => {
  const settings = serverSettings((key) => ({ sesSandbox: ['us-west-2'], path: '/ignored', 'trace.server': 'off' })[key]);
  const s = await session(settings);
  try {
    s.open('tf/main.tf', 'terraform', TERRAFORM);
    s.open('auth.yaml', 'yaml', TEMPLATE);
    const found = await s.until('auth.yaml', (d) => d && d.some((x) => x.code === 'ST101'));
    const st101 = found.find((d) => d.code === 'ST101');
    assert.strictEqual(st101.severity, 1, 'an error: the region is declared in the sandbox');
    assert.match(st101.codeDescription.href, /rules\/ST101\/$/);
    // The Terraform pool, in the same sandbox region, gets its ST101 too.
    const tf = await s.until('tf/main.tf', (d) => d && d.some((x) => x.code === 'ST101'));
    assert.strictEqual(tf.find((d) => d.code === 'ST101').severity, 1);
    assert.deepStrictEqual(s.messages.filter((m) => /unknown|invalid/i.test(m)), []);
  } finally {
    await s.close();
  }
});

test('with production access declared instead, the same template is clean', { skip: !binary && 'SANDTRAP_BINARY is not set' }, async () => {
  const s = await session(serverSettings((key) => ({ sesProduction: ['us-west-2'] })[key]));
  try {
    s.open('auth.yaml', 'yaml', TEMPLATE);
    // The first publication for the open template, after its analysis.
    const found = await s.until('auth.yaml', (d) => d !== undefined);
    assert.deepStrictEqual(found.filter((d) => d.code === 'ST101'), []);
  } finally {
    await s.close();
  }
});
