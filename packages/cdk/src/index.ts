// sandtrap as a CDK policy validation plugin: during `cdk synth` (`app.synth()`), CDK hands the
// plugin the synthesized templates; the plugin runs `sandtrap check --format json` on the cloud
// assembly that holds them (with its manifest, so stack environments, stages and nested stacks
// are known, as for `sandtrap check cdk.out`) and turns each finding into a violation of CDK's
// report, which CDK prints with the construct path of the resource.
//
// The class satisfies aws-cdk-lib's `IPolicyValidationPluginBeta1` (`new App({
// policyValidationBeta1: [...] })`) and, structurally, the stable `IPolicyValidationPlugin`
// (`Validations.of(app).addPlugins(...)`) of the aws-cdk-lib versions that have it: both call
// `validate` with a context holding `templatePaths`, and the report fills every field both want.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { PolicyValidationPluginReportBeta1, PolicyViolationBeta1 } from 'aws-cdk-lib';

/** The plugin's options; they mirror `sandtrap check`'s flags and the configuration file. */
export interface SandtrapValidatorProps {
  /** SES is in the sandbox in these regions, as `[ACCOUNT:]REGION` (`--ses-sandbox`). */
  readonly sesSandbox?: readonly string[];
  /** SES has production access in these regions, as `[ACCOUNT:]REGION` (`--ses-production`). */
  readonly sesProduction?: readonly string[];
  /**
   * The configuration file (`--config`).
   * @default - `.sandtrap.yaml` found upward from the current directory
   */
  readonly configFile?: string;
  /**
   * The synthesis fails when a finding is at or above this severity (`--fail-level`).
   * @default - `fail-level` from the configuration file, else 'warning'
   */
  readonly failLevel?: 'error' | 'warning' | 'info';
  /** Only these rules: codes, names or code prefixes (`--select`). */
  readonly select?: readonly string[];
  /** Not these rules: codes, names or code prefixes (`--ignore`). */
  readonly ignore?: readonly string[];
  /** Template parameter values (`--param KEY=VALUE`). */
  readonly params?: Record<string, string>;
  /** Directories of more rules (`--rules`). */
  readonly rules?: readonly string[];
  /**
   * The sandtrap executable.
   * @default - the `SANDTRAP_BINARY` environment variable, else the binary of the `sandtrap-cli`
   * npm package's platform package (`sandtrap-cli-<platform>-<arch>`)
   */
  readonly binary?: string;
}

/** The part of CDK's validation context the plugin reads (both context versions have it). */
export interface SandtrapValidationContext {
  readonly templatePaths: string[];
}

interface Position {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/** A diagnostic of sandtrap's JSON format (DESIGN.md's contract, version 1). */
interface Diagnostic {
  readonly code: string;
  readonly name: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
  readonly help?: string;
  readonly url?: string;
  readonly file: string;
  readonly range: { readonly start: Position; readonly end: Position };
  readonly stack?: string;
  readonly resource?: string;
}

interface JsonReport {
  readonly version: number;
  readonly diagnostics: Diagnostic[];
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION: string = require('../package.json').version;

/** Runs sandtrap on the cloud assembly during synthesis and reports its findings to CDK. */
export class SandtrapValidator {
  public readonly name = 'sandtrap';
  public readonly version = VERSION;
  private readonly props: SandtrapValidatorProps;

  constructor(props: SandtrapValidatorProps = {}) {
    this.props = props;
  }

  public validate(context: SandtrapValidationContext): PolicyValidationPluginReportBeta1 {
    const assemblies = assemblyDirectories(context.templatePaths);
    if (assemblies.length === 0) {
      return { success: true, violations: [] };
    }
    const binary = resolveBinary(this.props.binary);
    // After `--`, a directory is a path whatever its name.
    const args = ['check', '--format', 'json', ...this.flags(), '--', ...assemblies];
    const run = spawnSync(binary, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (run.error) {
      throw new Error(`sandtrap-cdk: cannot run ${binary}: ${run.error.message}`);
    }
    // 0: nothing at or above the fail level; 1: findings at or above it; 2: sandtrap could not
    // run as asked (a bad option or configuration), which must not pass as a clean report.
    if (run.status !== 0 && run.status !== 1) {
      throw new Error(
        `sandtrap-cdk: \`sandtrap ${args.join(' ')}\` failed (exit status ${run.status ?? run.signal}):\n${run.stderr}`,
      );
    }
    const report = JSON.parse(run.stdout) as JsonReport;
    if (report.version !== 1) {
      throw new Error(`sandtrap-cdk: sandtrap's JSON report is version ${report.version}; this plugin reads version 1`);
    }
    return { success: run.status === 0, violations: violations(report.diagnostics) };
  }

  /** The `check` flags of the options. */
  private flags(): string[] {
    const p = this.props;
    const flags: string[] = [];
    for (const region of p.sesSandbox ?? []) flags.push('--ses-sandbox', region);
    for (const region of p.sesProduction ?? []) flags.push('--ses-production', region);
    if (p.configFile) flags.push('--config', p.configFile);
    if (p.failLevel) flags.push('--fail-level', p.failLevel);
    if (p.select) flags.push(`--select=${p.select.join(',')}`);
    if (p.ignore && p.ignore.length > 0) flags.push(`--ignore=${p.ignore.join(',')}`);
    for (const [key, value] of Object.entries(p.params ?? {})) flags.push('--param', `${key}=${value}`);
    for (const dir of p.rules ?? []) flags.push('--rules', dir);
    return flags;
  }
}

/**
 * The sandtrap executable: the option, else `SANDTRAP_BINARY`, else the platform package that
 * the `sandtrap-cli` npm package resolves. The error names every way to provide it.
 */
export function resolveBinary(option?: string): string {
  if (option) {
    if (!fs.existsSync(option)) {
      throw new Error(`sandtrap-cdk: the \`binary\` option is ${option}, which does not exist`);
    }
    return option;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sandtrap = require('sandtrap-cli') as { binaryPath(): string };
    return sandtrap.binaryPath();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `sandtrap-cdk: ${reason}. Install the sandtrap-cli npm package with its platform package ` +
        '(sandtrap-cli-<platform>-<arch>), set SANDTRAP_BINARY, or pass `binary` to SandtrapValidator.',
    );
  }
}

/**
 * The top cloud assembly directory of each template: the template's own directory when it holds a
 * `manifest.json`, climbing out of nested assemblies (a Stage's `assembly-*` directory) so that
 * the whole assembly is read once with its manifest. A parent is climbed into only when it is a
 * cloud assembly that lists the directory as one of its own (`cdk:cloud-assembly`,
 * `properties.directoryName`): a project whose root holds some other `manifest.json` (a web
 * app's) is never checked as a whole.
 */
export function assemblyDirectories(templatePaths: string[]): string[] {
  const found = new Set<string>();
  for (const template of templatePaths) {
    const dir = path.dirname(path.resolve(template));
    let assembly = fs.existsSync(path.join(dir, 'manifest.json')) ? dir : undefined;
    while (assembly) {
      const parent = path.dirname(assembly);
      if (parent === assembly || !listsNestedAssembly(parent, path.basename(assembly))) break;
      assembly = parent;
    }
    found.add(assembly ?? path.resolve(template));
  }
  return [...found].sort();
}

/** Whether `dir/manifest.json` is a cloud assembly manifest with a nested assembly in `name`. */
export function listsNestedAssembly(dir: string, name: string): boolean {
  let manifest: unknown;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  } catch {
    return false;
  }
  const artifacts = (manifest as { artifacts?: unknown } | null)?.artifacts;
  if (typeof artifacts !== 'object' || artifacts === null) return false;
  return Object.values(artifacts as Record<string, unknown>).some((artifact) => {
    const a = artifact as { type?: unknown; properties?: { directoryName?: unknown } } | null;
    return a?.type === 'cdk:cloud-assembly' && a.properties?.directoryName === name;
  });
}

/** One violation per rule and message, listing every resource it was found on. */
function violations(diagnostics: Diagnostic[]): PolicyViolationBeta1[] {
  const byRule = new Map<string, { violation: PolicyViolationBeta1; resources: PolicyViolationBeta1['violatingResources'] }>();
  const templates = new Map<string, Buffer | undefined>();
  for (const d of diagnostics) {
    const key = `${d.code}\u0000${d.message}`;
    let entry = byRule.get(key);
    if (!entry) {
      const resources: PolicyViolationBeta1['violatingResources'] = [];
      const fix = [d.help, d.url].filter((s) => s).join(' ');
      entry = {
        resources,
        violation: {
          ruleName: `${d.code} ${d.name}`,
          description: d.message,
          fix: fix || undefined,
          severity: d.severity,
          violatingResources: resources,
          ruleMetadata: { code: d.code, name: d.name, ...(d.url ? { url: d.url } : {}) },
        },
      };
      byRule.set(key, entry);
    }
    const templatePath = path.resolve(d.file);
    if (!templates.has(templatePath)) {
      templates.set(templatePath, fs.existsSync(templatePath) ? fs.readFileSync(templatePath) : undefined);
    }
    const bytes = templates.get(templatePath);
    const pointer = bytes && d.resource ? propertyPath(bytes, d.range.start.offset, d.resource) : undefined;
    entry.resources.push({
      resourceLogicalId: d.resource ?? '',
      templatePath,
      locations: [pointer ?? `line ${d.range.start.line}, column ${d.range.start.column}`],
    });
  }
  return [...byRule.values()].map((e) => e.violation);
}

/**
 * The location of byte `offset` of a JSON template relative to resource `logicalId`, the way
 * CDK writes locations (`Properties.EmailConfiguration.SourceArn`): the keys and indices of the
 * innermost value holding the offset. Undefined when the text is not JSON (a YAML template) or
 * the offset is not inside that resource.
 */
export function propertyPath(bytes: Buffer, offset: number, logicalId: string): string | undefined {
  let at = 0;
  let best: string[] | undefined;
  const space = () => {
    while (at < bytes.length && (bytes[at] === 0x20 || bytes[at] === 0x0a || bytes[at] === 0x0d || bytes[at] === 0x09)) at++;
  };
  const string = (): string => {
    const start = at;
    at++; // the opening quote
    while (at < bytes.length && bytes[at] !== 0x22) at += bytes[at] === 0x5c ? 2 : 1;
    at++;
    return JSON.parse(bytes.subarray(start, at).toString('utf8')) as string;
  };
  const value = (keys: string[]): void => {
    space();
    const start = at;
    const c = bytes[at];
    if (c === 0x7b || c === 0x5b) {
      at++;
      let index = 0;
      for (;;) {
        space();
        if (bytes[at] === 0x7d || bytes[at] === 0x5d) {
          at++;
          break;
        }
        if (c === 0x7b) {
          const keyStart = at;
          const key = string();
          // A finding on a key (`"SourceArn": {...}`) is about that property.
          if (keyStart <= offset && offset < at && best === undefined) best = [...keys, key];
          space();
          at++; // the colon
          value([...keys, key]);
        } else {
          value([...keys, String(index++)]);
        }
        space();
        if (bytes[at] === 0x2c) at++;
      }
    } else if (c === 0x22) {
      string();
    } else {
      while (at < bytes.length && !/[\s,\]}]/.test(String.fromCharCode(bytes[at]))) at++;
    }
    if (at === start) throw new Error('not JSON');
    // The innermost value holding the offset: the first found, as children finish first.
    if (start <= offset && offset < at && best === undefined) best = keys;
  };
  try {
    value([]);
  } catch {
    return undefined;
  }
  if (!best || best[0] !== 'Resources' || best[1] !== logicalId) return undefined;
  return best.length > 2 ? best.slice(2).join('.') : undefined;
}
