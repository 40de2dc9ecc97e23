import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { toIntegrationError } from '../aws/error-mapping';
import { ServiceUnavailableError } from '../errors';
import { logger } from '../observability/logger';
import { signingKeyFromSecret } from './signature';
import { WebhookSourceMisconfiguredError } from './source-misconfigured';
import { signingSecretsProblem, splitSecrets, type SecretLocation, type WebhookSource } from './sources';

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
export type SigningKeysFor = (source: WebhookSource) => readonly Buffer[] | Promise<readonly Buffer[]>;

/**
 * Builds the resolver of a source's HMAC keys. Empty result = the source has no secret (answer 404).
 * Keys in the environment were checked by loadWebhookSources at init. Keys in a parameter store are
 * read once per source per `maxAgeSeconds`, concurrent requests sharing the read, and so is a failure
 * that is the operator's (missing parameter, access denied, empty or unusable secret): it rejects with
 * WebhookSourceMisconfiguredError (503), logged once per read — so unauthenticated requests to a
 * misconfigured source cost no parameter-store call each. A store that is down or throttling rejects
 * with ServiceUnavailableError (503) and is not remembered: the next request reads again.
 */
export function createSigningKeyResolver(options: SigningKeysOptions = {}): SigningKeysFor {
  const fetchSecret = options.fetchSecret ?? fetchFromParameterStore;
  const maxAgeSeconds = options.maxAgeSeconds ?? 300;
  const nowMs = options.nowMs ?? Date.now;
  // Secrets held in the environment never change for a source: decoded once, found by the source itself.
  const fromEnvironment = new WeakMap<WebhookSource, readonly Buffer[]>();
  // Fetched ones (or the misconfiguration found instead), per source, until `expiresAtMs`.
  const fetched = new Map<
    string,
    { readonly expiresAtMs: number; readonly keys: Promise<readonly Buffer[]> }
  >();

  const read = async (source: WebhookSource, location: StoredSecretLocation): Promise<readonly Buffer[]> => {
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
        throw new ServiceUnavailableError(`The secrets of webhook source ${source.name} could not be read`, {
          ...call,
          cause: error,
        });
      }
      const awsCode = (failure.details as { awsCode?: string } | undefined)?.awsCode ?? failure.code;
      throw misconfigured(`${call.service} ${call.operation} failed: ${awsCode}`, error);
    }
    const secrets = text === undefined ? [] : splitSecrets(text);
    if (secrets.length === 0) throw misconfigured(`its ${call.service} secret is empty`);
    const problem = signingSecretsProblem(source.scheme, secrets);
    if (problem !== undefined) throw misconfigured(`its ${call.service} ${problem}`);
    return secrets.map((secret) => signingKeyFromSecret(source.scheme, secret));
  };

  const fetchKeys = (source: WebhookSource, location: StoredSecretLocation): Promise<readonly Buffer[]> => {
    const now = nowMs();
    const cached = fetched.get(source.name);
    if (cached !== undefined && now < cached.expiresAtMs) return cached.keys;
    const entry = { expiresAtMs: now + maxAgeSeconds * 1000, keys: read(source, location) };
    fetched.set(source.name, entry);
    entry.keys.catch((error: unknown) => {
      if (error instanceof WebhookSourceMisconfiguredError) {
        logger.error('Webhook source misconfigured: its deliveries are answered 503 until it is fixed', {
          source: source.name,
          parameter: `${location.kind}:${location.name}`,
          problem: error.problem,
          retriedInSeconds: maxAgeSeconds,
        });
      } else if (fetched.get(source.name) === entry) fetched.delete(source.name);
    });
    return entry.keys;
  };

  return (source) => {
    const location = source.secrets;
    if (location === undefined) return [];
    if (location.kind !== 'env') return fetchKeys(source, location);
    let keys = fromEnvironment.get(source);
    if (keys === undefined) {
      keys = location.secrets.map((secret) => signingKeyFromSecret(source.scheme, secret));
      fromEnvironment.set(source, keys);
    }
    return keys;
  };
}
