// The settings sent to the server (src/settings.ts): only keys the server knows, empty values
// left out, numbers and booleans of `params` as text; and the languages the extension declares.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');

const { serverSettings, LANGUAGES } = require('../out/settings.js');

const from = (values) => serverSettings((key) => values[key]);

test('every server setting is forwarded under `sandtrap`', () => {
  assert.deepStrictEqual(
    from({
      path: '/opt/sandtrap',
      'trace.server': 'verbose',
      region: ' us-west-2 ',
      account: '111111111111',
      params: { Env: 'prod', Count: 3, On: true, Nested: { no: 1 } },
      sesSandbox: ['us-west-2', ''],
      sesProduction: ['111111111111:ap-northeast-1'],
      config: 'infra/.sandtrap.yaml',
    }),
    {
      sandtrap: {
        region: 'us-west-2',
        account: '111111111111',
        params: { Env: 'prod', Count: '3', On: 'true' },
        sesSandbox: ['us-west-2'],
        sesProduction: ['111111111111:ap-northeast-1'],
        config: 'infra/.sandtrap.yaml',
      },
    },
  );
});

test('the defaults send nothing', () => {
  assert.deepStrictEqual(from({ region: '', account: '', params: {}, sesSandbox: [], sesProduction: [], config: '' }), { sandtrap: {} });
  assert.deepStrictEqual(from({}), { sandtrap: {} });
});

test('the declared configuration matches what is forwarded', () => {
  const manifest = require(path.join(__dirname, '..', 'package.json'));
  const declared = Object.keys(manifest.contributes.configuration.properties).map((k) => k.replace(/^sandtrap\./, ''));
  const forwarded = ['region', 'account', 'params', 'sesSandbox', 'sesProduction', 'config'];
  const extensionOnly = ['path', 'trace.server'];
  assert.deepStrictEqual(declared.sort(), [...forwarded, ...extensionOnly].sort());
});

test('the extension activates for every language it gives the server', () => {
  const manifest = require(path.join(__dirname, '..', 'package.json'));
  for (const language of LANGUAGES) {
    assert.ok(manifest.activationEvents.includes(`onLanguage:${language}`), language);
  }
  assert.deepStrictEqual([...LANGUAGES], ['yaml', 'json', 'jsonc', 'terraform', 'terraform-vars', 'hcl']);
});
