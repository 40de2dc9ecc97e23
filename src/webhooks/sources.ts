import { ConfigError } from '../errors';
import { isSchemeName, schemeNames, schemes, type SchemeName } from './schemes';
import { decodeSigningKey, type HmacSchemeOptions } from './signature';

/** A parameter-store location: `ssm:<parameter name>` or `secretsmanager:<secret id>`. */
export type StoredLocation = { readonly kind: 'ssm' | 'secretsmanager'; readonly name: string };

/** Where a source's secrets come from: the environment (local, tests) or a parameter store (AWS). */
export type SecretLocation = { readonly kind: 'env'; readonly secrets: readonly string[] } | StoredLocation;

/** Where a source's other setting (verify token, public URL) comes from, like its secrets. */
export type SettingLocation = { readonly kind: 'env'; readonly value: string } | StoredLocation;

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
  /** The token of Meta's subscription handshake (`WEBHOOK_VERIFY_TOKEN_<SOURCE>`). */
  readonly verifyToken?: SettingLocation;
  /** The public URL the provider signs (Twilio: `WEBHOOK_PUBLIC_URL_<SOURCE>`). */
  readonly publicUrl?: SettingLocation;
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
  'WEBHOOK_VERIFY_TOKEN_PARAMETER_',
  'WEBHOOK_PUBLIC_URL_PARAMETER_',
  'WEBHOOK_SECRET_PARAMETER_',
  'WEBHOOK_SIGNATURE_ENCODING_',
  'WEBHOOK_SIGNATURE_HEADER_',
  'WEBHOOK_SIGNATURE_PREFIX_',
  'WEBHOOK_EVENT_HEADER_',
  'WEBHOOK_ID_HEADER_',
  'WEBHOOK_VERIFY_TOKEN_',
  'WEBHOOK_PUBLIC_URL_',
  'WEBHOOK_SECRET_',
  'WEBHOOK_SCHEME_',
] as const;

const headerName = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * Reads every webhook source from the environment (see docs/webhooks.md):
 * `WEBHOOK_SECRET_<SOURCE>` (comma-separated secrets, any may match: rotation) or
 * `WEBHOOK_SECRET_PARAMETER_<SOURCE>` (`ssm:<parameter name>` or `secretsmanager:<secret id>`, for AWS),
 * `WEBHOOK_SCHEME_<SOURCE>` (defaults to the source name when that is a scheme's name), for
 * `hmac-sha256` (and `api-key`): `WEBHOOK_SIGNATURE_HEADER_<SOURCE>` (required by `hmac-sha256`; `api-key`: default `x-api-key`),
 * `WEBHOOK_SIGNATURE_ENCODING_<SOURCE>` (hex | base64, default hex), `WEBHOOK_SIGNATURE_PREFIX_<SOURCE>`,
 * `WEBHOOK_ID_HEADER_<SOURCE>`, `WEBHOOK_EVENT_HEADER_<SOURCE>`; `WEBHOOK_VERIFY_TOKEN_<SOURCE>` (Meta's
 * handshake) and `WEBHOOK_PUBLIC_URL_<SOURCE>` (required by `twilio`), each also as `…_PARAMETER_<SOURCE>`. `<SOURCE>` is the name upper-cased with `-` as `_`.
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
    if (!isSchemeName(scheme)) {
      fail('WEBHOOK_SCHEME_', name, `must be one of ${schemeNames.join(', ')}`);
      continue;
    }
    const source: { -readonly [K in keyof WebhookSource]: WebhookSource[K] } = {
      name,
      scheme,
    };
    const secrets = values.get('WEBHOOK_SECRET_');
    const parameter = values.get('WEBHOOK_SECRET_PARAMETER_');
    if (parameter !== undefined) {
      const location = storedLocation(parameter);
      if (location === undefined) fail('WEBHOOK_SECRET_PARAMETER_', name, storedLocationProblem);
      else source.secrets = location;
    } else if (secrets !== undefined) {
      const list = splitSecrets(secrets);
      const problem = signingSecretsProblem(scheme, list);
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
    for (const [prefix, field, problemOf] of [
      ['WEBHOOK_VERIFY_TOKEN_', 'verifyToken', () => undefined],
      ['WEBHOOK_PUBLIC_URL_', 'publicUrl', publicUrlProblem],
    ] as const) {
      const stored = values.get(`${prefix}PARAMETER_`);
      const inline = values.get(prefix);
      if (stored !== undefined) {
        const location = storedLocation(stored);
        if (location === undefined) fail(`${prefix}PARAMETER_`, name, storedLocationProblem);
        else source[field] = location;
      } else if (inline !== undefined) {
        const problem = problemOf(inline);
        if (problem === undefined) source[field] = { kind: 'env', value: inline };
        else fail(prefix, name, problem);
      }
    }
    const requires = schemes[scheme].requires ?? [];
    if (requires.includes('publicUrl') && source.publicUrl === undefined)
      fail('WEBHOOK_PUBLIC_URL_', name, `is required by the ${scheme} scheme (the URL the provider signs)`);
    const signatureHeader = values.get('WEBHOOK_SIGNATURE_HEADER_') ?? schemes[scheme].defaultSignatureHeader;
    if (requires.includes('signatureHeader') || signatureHeader !== undefined) {
      const header = signatureHeader?.toLowerCase();
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

const storedLocationProblem = 'must be ssm:<parameter name> or secretsmanager:<secret id>';

/** A `ssm:<name>` / `secretsmanager:<id>` reference, or undefined when it is not one. */
function storedLocation(text: string): StoredLocation | undefined {
  const match = /^(ssm|secretsmanager):(.+)$/.exec(text);
  return match === null ? undefined : { kind: match[1] as 'ssm' | 'secretsmanager', name: match[2]! };
}

/**
 * Why `text` cannot be the public URL a provider signs, or undefined: an absolute http(s) URL with no
 * query, fragment or credentials (the request's own query is appended to it when verifying), written
 * as the provider is given it.
 */
export function publicUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    return 'must have no query, fragment or credentials';
  return undefined;
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
