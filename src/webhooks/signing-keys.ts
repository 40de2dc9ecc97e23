import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { ServiceUnavailableError } from '../errors';
import { signingKeyFromSecret } from './signature';
import { splitSecrets, type SecretLocation, type WebhookSource } from './sources';

/** Reads the secret text stored at a parameter-store location; undefined when it does not exist. */
export type SecretFetcher = (
  location: Extract<SecretLocation, { kind: 'ssm' | 'secretsmanager' }>,
  maxAgeSeconds: number,
) => Promise<string | undefined>;

/**
 * Default fetcher: Powertools Parameters, which caches each value for `maxAgeSeconds` per container, so a
 * rotated secret is picked up within that time without a redeploy. (Imported statically: a lazy require
 * would pull the SDK clients' CommonJS builds, which hold every command, into the bundle.)
 */
export const fetchFromParameterStore: SecretFetcher = async (location, maxAgeSeconds) => {
  if (location.kind === 'ssm') return getParameter(location.name, { decrypt: true, maxAge: maxAgeSeconds });
  const secret = await getSecret(location.name, { maxAge: maxAgeSeconds });
  return typeof secret === 'string'
    ? secret
    : secret === undefined
      ? undefined
      : Buffer.from(secret).toString('utf8');
};

export interface SigningKeysOptions {
  fetchSecret?: SecretFetcher;
  /** How long a fetched secret is reused (default 300 s). */
  maxAgeSeconds?: number;
}

/**
 * Returns the signing keys of a source, decoded for its scheme (current secret first): synchronously
 * for secrets held in the environment (no promise on the hot path), as a promise when fetched.
 */
export type SigningKeysFor = (source: WebhookSource) => readonly Buffer[] | Promise<readonly Buffer[]>;

/**
 * Builds the resolver of a source's HMAC keys. Empty result = the source has no secret (answer 404).
 * A parameter store that cannot be read throws ServiceUnavailableError (503: the sender retries).
 * Decoded keys are memoised per secret text, so a warm request does no decoding.
 */
export function createSigningKeyResolver(options: SigningKeysOptions = {}): SigningKeysFor {
  const fetchSecret = options.fetchSecret ?? fetchFromParameterStore;
  const maxAgeSeconds = options.maxAgeSeconds ?? 300;
  // Secrets held in the environment never change for a source: decoded once, found by the source itself.
  const fromEnvironment = new WeakMap<WebhookSource, readonly Buffer[]>();
  // Fetched ones may be rotated: decoded once per secret text.
  const fetched = new Map<string, readonly Buffer[]>();
  const decode = (source: WebhookSource, secrets: readonly string[]) =>
    secrets.map((secret) => signingKeyFromSecret(source.scheme, secret));
  const fetchKeys = async (
    source: WebhookSource,
    location: Extract<SecretLocation, { kind: 'ssm' | 'secretsmanager' }>,
  ) => {
    let text: string | undefined;
    try {
      text = await fetchSecret(location, maxAgeSeconds);
    } catch (error) {
      throw new ServiceUnavailableError(`The secrets of webhook source ${source.name} could not be read`, {
        service: location.kind === 'ssm' ? 'SSM' : 'SecretsManager',
        operation: location.kind === 'ssm' ? 'GetParameter' : 'GetSecretValue',
        cause: error,
      });
    }
    if (text === undefined) return [];
    const cacheKey = `${source.scheme}\n${text}`;
    let keys = fetched.get(cacheKey);
    if (keys === undefined) fetched.set(cacheKey, (keys = decode(source, splitSecrets(text))));
    return keys;
  };
  return (source) => {
    const location = source.secrets;
    if (location === undefined) return [];
    if (location.kind !== 'env') return fetchKeys(source, location);
    let keys = fromEnvironment.get(source);
    if (keys === undefined) fromEnvironment.set(source, (keys = decode(source, location.secrets)));
    return keys;
  };
}
