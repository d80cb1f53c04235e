// Unit tests of the compiled plugin's helpers (node's test runner), run by scripts/build-npm.sh
// right after `tsc`; the end-to-end test with a real CDK app is scripts/test-npm.sh.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { propertyPath, assemblyDirectories, resolveBinary, SandtrapValidator } = require('../lib/index.js');

const template = Buffer.from(JSON.stringify({
  Resources: {
    Pool: { Type: 'AWS::Cognito::UserPool', Properties: { EmailConfiguration: { From: 'é <a@b.c>', SourceArn: { 'Fn::Join': ['', ['x']] } } } },
  },
}, null, 1));

const at = (needle) => template.indexOf(Buffer.from(needle));

test('a finding on a key is about that property', () => {
  assert.strictEqual(propertyPath(template, at('"SourceArn"'), 'Pool'), 'Properties.EmailConfiguration.SourceArn');
});

test('a finding inside a value names the innermost key or index, after non-ASCII bytes', () => {
  assert.strictEqual(propertyPath(template, at('"x"'), 'Pool'), 'Properties.EmailConfiguration.SourceArn.Fn::Join.1.0');
  assert.strictEqual(propertyPath(template, at('a@b.c'), 'Pool'), 'Properties.EmailConfiguration.From');
});

test('no location outside the resource, for another resource, or for YAML', () => {
  assert.strictEqual(propertyPath(template, 0, 'Pool'), undefined);
  assert.strictEqual(propertyPath(template, at('"SourceArn"'), 'Other'), undefined);
  assert.strictEqual(propertyPath(Buffer.from('Resources:\n  Pool: {}\n'), 14, 'Pool'), undefined);
});

const stage = JSON.stringify({
  version: '36.0.0',
  artifacts: { 'assembly-Staging': { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Staging' } } },
});

test('templates of nested assemblies are read through the top assembly', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sandtrap-cdk-'));
  fs.mkdirSync(path.join(root, 'cdk.out', 'assembly-Staging'), { recursive: true });
  fs.writeFileSync(path.join(root, 'cdk.out', 'manifest.json'), stage);
  fs.writeFileSync(path.join(root, 'cdk.out', 'assembly-Staging', 'manifest.json'), '{"artifacts": {}}');
  const dirs = assemblyDirectories([
    path.join(root, 'cdk.out', 'Auth.template.json'),
    path.join(root, 'cdk.out', 'assembly-Staging', 'StagingAuth.template.json'),
  ]);
  assert.deepStrictEqual(dirs, [path.join(root, 'cdk.out')]);
  fs.rmSync(root, { recursive: true });
});

test('a parent manifest that does not list the assembly is never climbed into', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sandtrap-cdk-'));
  fs.mkdirSync(path.join(root, 'cdk.out', 'assembly-Other'), { recursive: true });
  // A web app's manifest at the project root, and an assembly that lists another stage.
  fs.writeFileSync(path.join(root, 'manifest.json'), '{"name": "web", "icons": []}');
  fs.writeFileSync(path.join(root, 'cdk.out', 'manifest.json'), stage);
  fs.writeFileSync(path.join(root, 'cdk.out', 'assembly-Other', 'manifest.json'), '{"artifacts": {}}');
  assert.deepStrictEqual(assemblyDirectories([path.join(root, 'cdk.out', 'Auth.template.json')]), [
    path.join(root, 'cdk.out'),
  ]);
  assert.deepStrictEqual(
    assemblyDirectories([path.join(root, 'cdk.out', 'assembly-Other', 'Other.template.json')]),
    [path.join(root, 'cdk.out', 'assembly-Other')],
  );
  fs.rmSync(root, { recursive: true });
});

test('a missing binary option is named', () => {
  assert.throws(() => resolveBinary('/nonexistent/sandtrap'), /`binary` option is \/nonexistent\/sandtrap/);
});

test('no templates: a clean report without running sandtrap', () => {
  const report = new SandtrapValidator({ binary: '/nonexistent/sandtrap' }).validate({ templatePaths: [] });
  assert.deepStrictEqual(report, { success: true, violations: [] });
});
