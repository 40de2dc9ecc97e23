import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { toIntegrationError } from '../aws/error-mapping';
import { ServiceUnavailableError } from '../errors';
import { logger } from '../observability/logger';
import { signingKeyFromSecret, type SigningKey } from './signature';
import { WebhookSourceMisconfiguredError } from './source-misconfigured';
import {
  publicUrlProblem,
  signingSecretsProblem,
  splitSecrets,
  type SecretLocation,
  type WebhookSource,
} from './sources';

type StoredSecretLocation = Extract<SecretLocation, { kind: 'ssm' | 'secretsmanager' }>;

/**
 * Reads the secret text stored at a parameter-store location; undefined when it holds no value.
 * Rejects with the store's own (SDK) error, so the caller can tell a missing parameter from an outage.
 */
export type SecretFetcher = (
  location: StoredSecretLocation,
  maxAgeSeconds: number,
) => Promise<string | undefined>;

/**
 * Default fetcher: Powertools Parameters. (Imported statically: a lazy require would pull the SDK
 * clients' CommonJS builds, which hold every command, into the bundle.) Powertools wraps SDK errors in a
 * GetParameterError whose `cause` is the SDK's: that cause is rethrown.
 */
export const fetchFromParameterStore: SecretFetcher = async (location, maxAgeSeconds) => {
  try {
    if (location.kind === 'ssm')
      return await getParameter(location.name, { decrypt: true, maxAge: maxAgeSeconds });
    const secret = await getSecret(location.name, { maxAge: maxAgeSeconds });
    return typeof secret === 'string'
      ? secret
      : secret === undefined
        ? undefined
        : Buffer.from(secret).toString('utf8');
  } catch (error) {
    throw (error as { cause?: unknown }).cause ?? error;
  }
};

export interface SigningKeysOptions {
  fetchSecret?: SecretFetcher;
  /**
   * How long a source's keys — or the fact that they cannot be had — are reused, in seconds (default
   * 300): a rotated secret is picked up, and a fixed configuration noticed, within that time.
   */
  maxAgeSeconds?: number;
  nowMs?: () => number;
}

/**
 * Returns the signing keys of a source, decoded for its scheme (current secret first): synchronously
 * for secrets held in the environment (no promise on the hot path), as a promise when fetched.
 */
export type SigningKeysFor = (
  source: WebhookSource,
) => readonly SigningKey[] | Promise<readonly SigningKey[]>;

/**
 * Reads texts held in a parameter store for a source, each once per `maxAgeSeconds`, concurrent requests
 * sharing the read — and so is a failure that is the operator's (missing parameter, access denied, or a
 * text `parse` refuses): it rejects with WebhookSourceMisconfiguredError (503), logged once per read, so
 * unauthenticated requests to a misconfigured source cost no parameter-store call each. A store that is
 * down or throttling rejects with ServiceUnavailableError (503) and is not remembered: the next request
 * reads again. `what` names the text in messages (`secret`, `verify token`) and keys the cache.
 */
function createStoredTextReader(options: SigningKeysOptions) {
  const fetchSecret = options.fetchSecret ?? fetchFromParameterStore;
  const maxAgeSeconds = options.maxAgeSeconds ?? 300;
  const nowMs = options.nowMs ?? Date.now;
  const fetched = new Map<string, { readonly expiresAtMs: number; readonly value: Promise<unknown> }>();

  const read = async <T>(
    source: WebhookSource,
    location: StoredSecretLocation,
    what: string,
    parse: (text: string) => { readonly value: T } | { readonly problem: string },
  ): Promise<T> => {
    const call = {
      service: location.kind === 'ssm' ? 'SSM' : 'SecretsManager',
      operation: location.kind === 'ssm' ? 'GetParameter' : 'GetSecretValue',
      resource: location.name,
    };
    const misconfigured = (problem: string, cause?: unknown) =>
      new WebhookSourceMisconfiguredError(source.name, problem, {
        ...call,
        retryAfterSeconds: Math.max(1, maxAgeSeconds),
        // Logged once per read below, not once per request.
        routine: true,
        ...(cause === undefined ? {} : { cause }),
      });
    let text: string | undefined;
    try {
      text = await fetchSecret(location, maxAgeSeconds);
    } catch (error) {
      const failure = toIntegrationError(error, call);
      if (failure.retryable) {
        throw new ServiceUnavailableError(`The ${what} of webhook source ${source.name} could not be read`, {
          ...call,
          cause: error,
        });
      }
      const awsCode = (failure.details as { awsCode?: string } | undefined)?.awsCode ?? failure.code;
      throw misconfigured(`${call.service} ${call.operation} failed: ${awsCode}`, error);
    }
    if (text === undefined || text.trim() === '') throw misconfigured(`its ${call.service} ${what} is empty`);
    const parsed = parse(text.trim());
    if ('problem' in parsed) throw misconfigured(`its ${call.service} ${parsed.problem}`);
    return parsed.value;
  };

  return <T>(
    source: WebhookSource,
    location: StoredSecretLocation,
    what: string,
    parse: (text: string) => { readonly value: T } | { readonly problem: string },
  ): Promise<T> => {
    const now = nowMs();
    const cacheKey = `${source.name}\n${what}`;
    const cached = fetched.get(cacheKey);
    if (cached !== undefined && now < cached.expiresAtMs) return cached.value as Promise<T>;
    const entry = { expiresAtMs: now + maxAgeSeconds * 1000, value: read(source, location, what, parse) };
    fetched.set(cacheKey, entry);
    entry.value.catch((error: unknown) => {
      if (error instanceof WebhookSourceMisconfiguredError) {
        logger.error('Webhook source misconfigured: its deliveries are answered 503 until it is fixed', {
          source: source.name,
          parameter: `${location.kind}:${location.name}`,
          problem: error.problem,
          retriedInSeconds: maxAgeSeconds,
        });
      } else if (fetched.get(cacheKey) === entry) fetched.delete(cacheKey);
    });
    return entry.value as Promise<T>;
  };
}

/**
 * Builds the resolver of a source's keys. Empty result = the source has no secret (answer 404). Keys in
 * the environment were checked by loadWebhookSources at init and are decoded once; keys in a parameter
 * store are read as createStoredTextReader says, and an empty or unusable stored secret is the operator's
 * error (WebhookSourceMisconfiguredError, 503).
 */
export function createSigningKeyResolver(options: SigningKeysOptions = {}): SigningKeysFor {
  const readStored = createStoredTextReader(options);
  // Secrets held in the environment never change for a source: decoded once, found by the source itself.
  const fromEnvironment = new WeakMap<WebhookSource, readonly SigningKey[]>();
  const decodeStored = (source: WebhookSource) => (text: string) => {
    const secrets = splitSecrets(text);
    if (secrets.length === 0) return { problem: 'secret is empty' };
    const problem = signingSecretsProblem(source.scheme, secrets);
    return problem === undefined
      ? { value: secrets.map((secret) => signingKeyFromSecret(source.scheme, secret)) }
      : { problem };
  };

  return (source) => {
    const location = source.secrets;
    if (location === undefined) return [];
    if (location.kind !== 'env')
      return readStored<readonly SigningKey[]>(source, location, 'secret', decodeStored(source));
    let keys = fromEnvironment.get(source);
    if (keys === undefined) {
      keys = location.secrets.map((secret) => signingKeyFromSecret(source.scheme, secret));
      fromEnvironment.set(source, keys);
    }
    return keys;
  };
}

/** A source's setting besides its secrets: the Meta verify token, the public URL Twilio signs. */
export type SourceSettingName = 'verifyToken' | 'publicUrl';

/**
 * Returns a source's setting (undefined when it has none): synchronously from the environment, as a
 * promise when read from a parameter store (cached and failing as createStoredTextReader says).
 */
export type SourceSettingFor = (
  source: WebhookSource,
  name: SourceSettingName,
) => string | undefined | Promise<string>;

const settingDescriptions: Record<SourceSettingName, string> = {
  verifyToken: 'verify token',
  publicUrl: 'public URL',
};

/** Builds the resolver of a source's verify token and public URL (see SourceSettingFor). */
export function createSourceSettingResolver(options: SigningKeysOptions = {}): SourceSettingFor {
  const readStored = createStoredTextReader(options);
  return (source, name) => {
    const location = source[name];
    if (location === undefined) return undefined;
    if (location.kind === 'env') return location.value;
    return readStored<string>(source, location, settingDescriptions[name], (text) => {
      const problem = name === 'publicUrl' ? publicUrlProblem(text) : undefined;
      return problem === undefined ? { value: text } : { problem: `public URL ${problem}` };
    });
  };
}
