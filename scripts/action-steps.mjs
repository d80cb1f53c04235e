// Writes the `run` steps of action.yml as a runner would run them, for scripts/test-action.sh:
// for each step, `N.sh` (its script) and `N.env` (its `env:`, NUL-separated NAME=VALUE), with the
// `${{ }}` expressions a composite action's runner evaluates replaced by their values: inputs
// (their defaults, or INPUT_<NAME> of this process's environment), and `github.action_path`.
// `github.action_repository` is replaced by the empty string, which is what composite actions'
// `run` steps are often given; any other expression is an error, so the test sees every one the
// action uses. A step whose `if:` is false is written as `N.skip`.
// Usage: node action-steps.mjs ACTION_YML ACTION_PATH OUT_DIR (with `yaml` resolvable).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(join(process.cwd(), 'package.json'));
const YAML = require('yaml');

const [file, actionPath, out] = process.argv.slice(2);
const action = YAML.parse(readFileSync(file, 'utf8'));
const inputs = {};
for (const [name, input] of Object.entries(action.inputs ?? {})) {
  const given = process.env[`INPUT_${name.toUpperCase().replace(/-/g, '_')}`];
  inputs[name] = given ?? String(input.default ?? '');
}

const value = (expr) => {
  const e = expr.trim();
  let m = /^inputs\.([\w-]+)$/.exec(e);
  if (m) {
    if (!(m[1] in inputs)) throw new Error(`action.yml: no input ${m[1]}`);
    return inputs[m[1]];
  }
  if (e === 'github.action_path') return actionPath;
  if (e === 'github.action_repository') return '';
  m = /^inputs\.([\w-]+)\s*==\s*'([^']*)'$/.exec(e);
  if (m) return String(inputs[m[1]] === m[2]);
  throw new Error(`action.yml: an expression this test does not evaluate: ${e}`);
};
const evaluate = (text) => String(text).replace(/\$\{\{(.*?)\}\}/g, (_, e) => value(e));

action.runs.steps.forEach((step, i) => {
  if (!step.run) throw new Error(`action.yml: step ${step.name} is not a run step`);
  if (step.shell !== 'bash') throw new Error(`action.yml: step ${step.name} does not run in bash`);
  const base = join(out, String(i));
  if (step.if !== undefined && value(String(step.if).replace(/^\$\{\{|\}\}$/g, '')) !== 'true') {
    writeFileSync(`${base}.skip`, step.name);
    return;
  }
  writeFileSync(`${base}.sh`, evaluate(step.run));
  const env = Object.entries(step.env ?? {}).map(([k, v]) => `${k}=${evaluate(v)}\0`);
  writeFileSync(`${base}.env`, env.join(''));
  writeFileSync(`${base}.name`, step.name);
});
