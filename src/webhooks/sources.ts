import { ConfigError } from '../errors';
import { decodeSigningKey, schemeNames, type HmacSchemeOptions, type SchemeName } from './signature';

/** Where a source's secrets come from: the environment (local, tests) or a parameter store (AWS). */
export type SecretLocation =
  | { readonly kind: 'env'; readonly secrets: readonly string[] }
  | { readonly kind: 'ssm' | 'secretsmanager'; readonly name: string };

/** One configured webhook sender: its scheme, where its secrets live, and scheme options. */
export interface WebhookSource {
  /** Lower-case path name, `[a-z0-9-]+`. */
  readonly name: string;
  readonly scheme: SchemeName;
  /** Undefined when the source has no secret: it is treated as unknown (404). */
  readonly secrets?: SecretLocation;
  /** Options of the `hmac-sha256` scheme. */
  readonly hmac?: HmacSchemeOptions;
  /** Lower-cased header holding the provider's delivery id (`hmac-sha256` sources; optional). */
  readonly idHeader?: string;
  /** Lower-cased header holding the event type (`hmac-sha256` sources; optional). */
  readonly eventHeader?: string;
}

const sourceName = /^[a-z0-9-]+$/;

/** The path form of a source name (`My-App` → `my-app`), or undefined when it is not `[a-z0-9-]+` in any case. */
export function normaliseSourceName(name: string): string | undefined {
  const lower = name.toLowerCase();
  return lower.length <= 64 && sourceName.test(lower) ? lower : undefined;
}

/** The environment variable suffix of a source: `my-app` → `MY_APP`. */
export function sourceEnvSuffix(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

// Longest first, so WEBHOOK_SECRET_PARAMETER_X is not read as the secret of a source "parameter-x".
const settingPrefixes = [
  'WEBHOOK_SECRET_PARAMETER_',
  'WEBHOOK_SIGNATURE_ENCODING_',
  'WEBHOOK_SIGNATURE_HEADER_',
  'WEBHOOK_SIGNATURE_PREFIX_',
  'WEBHOOK_EVENT_HEADER_',
  'WEBHOOK_ID_HEADER_',
  'WEBHOOK_SECRET_',
  'WEBHOOK_SCHEME_',
] as const;

const headerName = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * Reads every webhook source from the environment (see docs/webhooks.md):
 * `WEBHOOK_SECRET_<SOURCE>` (comma-separated secrets, any may match: rotation) or
 * `WEBHOOK_SECRET_PARAMETER_<SOURCE>` (`ssm:<parameter name>` or `secretsmanager:<secret id>`, for AWS),
 * `WEBHOOK_SCHEME_<SOURCE>` (defaults to the source name when that is github, stripe or standard), and for
 * `hmac-sha256`: `WEBHOOK_SIGNATURE_HEADER_<SOURCE>` (required), `WEBHOOK_SIGNATURE_ENCODING_<SOURCE>`
 * (hex | base64, default hex), `WEBHOOK_SIGNATURE_PREFIX_<SOURCE>`, `WEBHOOK_ID_HEADER_<SOURCE>`,
 * `WEBHOOK_EVENT_HEADER_<SOURCE>`. `<SOURCE>` is the name upper-cased with `-` as `_`.
 * Throws one ConfigError naming every invalid variable (never a secret's value), so a bad deployment
 * fails at init — including a secret that is not a usable key (see decodeSigningKey).
 */
export function loadWebhookSources(env: NodeJS.ProcessEnv = process.env): ReadonlyMap<string, WebhookSource> {
  const settings = new Map<string, Map<string, string>>();
  for (const [key, value] of Object.entries(env)) {
    const prefix = settingPrefixes.find((candidate) => key.startsWith(candidate));
    if (prefix === undefined || value === undefined || value.trim() === '') continue;
    const name = key.slice(prefix.length).toLowerCase().replace(/_/g, '-');
    const bySetting = settings.get(name) ?? new Map<string, string>();
    bySetting.set(prefix, value.trim());
    settings.set(name, bySetting);
  }

  const sources = new Map<string, WebhookSource>();
  const problems: string[] = [];
  const invalid: string[] = [];
  const fail = (prefix: string, name: string, problem: string) => {
    invalid.push(`${prefix}${sourceEnvSuffix(name)}`);
    problems.push(`${prefix}${sourceEnvSuffix(name)} ${problem}`);
  };
  for (const [name, values] of settings) {
    if (!sourceName.test(name)) {
      fail('WEBHOOK_SCHEME_', name, 'names a source that is not [a-z0-9-]+');
      continue;
    }
    const scheme = values.get('WEBHOOK_SCHEME_')?.toLowerCase() ?? name;
    if (!(schemeNames as readonly string[]).includes(scheme)) {
      fail('WEBHOOK_SCHEME_', name, `must be one of ${schemeNames.join(', ')}`);
      continue;
    }
    const source: { -readonly [K in keyof WebhookSource]: WebhookSource[K] } = {
      name,
      scheme: scheme as SchemeName,
    };
    const secrets = values.get('WEBHOOK_SECRET_');
    const parameter = values.get('WEBHOOK_SECRET_PARAMETER_');
    if (parameter !== undefined) {
      const match = /^(ssm|secretsmanager):(.+)$/.exec(parameter);
      if (match === null)
        fail('WEBHOOK_SECRET_PARAMETER_', name, 'must be ssm:<parameter name> or secretsmanager:<secret id>');
      else source.secrets = { kind: match[1] as 'ssm' | 'secretsmanager', name: match[2]! };
    } else if (secrets !== undefined) {
      const list = splitSecrets(secrets);
      const problem = signingSecretsProblem(scheme as SchemeName, list);
      if (problem !== undefined) fail('WEBHOOK_SECRET_', name, problem);
      else if (list.length > 0) source.secrets = { kind: 'env', secrets: list };
    }
    for (const [prefix, field] of [
      ['WEBHOOK_ID_HEADER_', 'idHeader'],
      ['WEBHOOK_EVENT_HEADER_', 'eventHeader'],
    ] as const) {
      const header = values.get(prefix)?.toLowerCase();
      if (header === undefined) continue;
      if (headerName.test(header)) source[field] = header;
      else fail(prefix, name, 'must be an HTTP header name');
    }
    if (scheme === 'hmac-sha256') {
      const header = values.get('WEBHOOK_SIGNATURE_HEADER_')?.toLowerCase();
      const encoding = values.get('WEBHOOK_SIGNATURE_ENCODING_')?.toLowerCase() ?? 'hex';
      if (header === undefined || !headerName.test(header))
        fail('WEBHOOK_SIGNATURE_HEADER_', name, 'must name the signature header');
      if (encoding !== 'hex' && encoding !== 'base64')
        fail('WEBHOOK_SIGNATURE_ENCODING_', name, 'must be hex or base64');
      source.hmac = {
        header: header ?? '',
        encoding: encoding as 'hex' | 'base64',
        prefix: values.get('WEBHOOK_SIGNATURE_PREFIX_') ?? '',
      };
    }
    sources.set(name, source);
  }
  if (invalid.length > 0)
    throw new ConfigError(`Invalid webhook configuration:\n  - ${problems.join('\n  - ')}`, invalid);
  return sources;
}

/**
 * Why a source's secret list cannot be used, naming the secret by position only (`secret 2 of 3 is
 * shorter than 16 bytes once decoded`); undefined when every secret is a usable key for `scheme`.
 */
export function signingSecretsProblem(scheme: SchemeName, secrets: readonly string[]): string | undefined {
  for (const [index, secret] of secrets.entries()) {
    const decoded = decodeSigningKey(scheme, secret);
    if ('problem' in decoded) return `secret ${index + 1} of ${secrets.length} ${decoded.problem}`;
  }
  return undefined;
}

/** Splits a comma-separated secret list (current secret first during a rotation), ignoring blanks. */
export function splitSecrets(text: string): string[] {
  return text
    .split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret.length > 0);
}
