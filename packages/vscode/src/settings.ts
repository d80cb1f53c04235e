// The extension's settings as the language server reads them (`initializationOptions` and
// `workspace/didChangeConfiguration`, under a `sandtrap` key; docs/lsp.md "Settings"). Only the
// keys the server knows are sent, and empty values are left out, so the server never reports
// an unknown key for a setting that only the extension reads (`path`, `trace.server`).

/** What the server accepts (src/lsp/settings.rs). */
export interface ServerSettings {
  region?: string;
  account?: string;
  params?: Record<string, string>;
  sesSandbox?: string[];
  sesProduction?: string[];
  config?: string;
}

/** Reads one setting of the `sandtrap` section (VS Code's `WorkspaceConfiguration.get`). */
export type Get = (key: string) => unknown;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

const list = (value: unknown): string[] | undefined => {
  if (!Array.isArray(value)) return undefined;
  const items = value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
  return items.length ? items : undefined;
};

const map = (value: unknown): Record<string, string> | undefined => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))
    .map(([k, v]) => [k, String(v)] as const);
  return entries.length ? Object.fromEntries(entries) : undefined;
};

/** The settings to send to the server, under the `sandtrap` key. */
export function serverSettings(get: Get): { sandtrap: ServerSettings } {
  const out: ServerSettings = {};
  const region = text(get('region'));
  if (region) out.region = region;
  const account = text(get('account'));
  if (account) out.account = account;
  const params = map(get('params'));
  if (params) out.params = params;
  const sandbox = list(get('sesSandbox'));
  if (sandbox) out.sesSandbox = sandbox;
  const production = list(get('sesProduction'));
  if (production) out.sesProduction = production;
  const config = text(get('config'));
  if (config) out.config = config;
  return { sandtrap: out };
}

/** The languages the server is given documents of: CloudFormation templates and CDK assemblies
 * (YAML, JSON), Terraform and OpenTofu configurations (`terraform`, their variable files
 * `terraform-vars`, plain `hcl`); the server skips any file it has no front end for. */
export const LANGUAGES: readonly string[] = ['yaml', 'json', 'jsonc', 'terraform', 'terraform-vars', 'hcl'];
