import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { ServiceUnavailableError } from '../../../src/errors';
import type { SchemeName } from '../../../src/webhooks/signature';
import {
  createSigningKeyResolver,
  fetchFromParameterStore,
  type SecretFetcher,
} from '../../../src/webhooks/signing-keys';
import { WebhookSourceMisconfiguredError } from '../../../src/webhooks/source-misconfigured';
import type { WebhookSource } from '../../../src/webhooks/sources';

const envSource: WebhookSource = {
  name: 'github',
  scheme: 'github',
  secrets: { kind: 'env', secrets: ['new-github-secret', 'old-github-secret'] },
};

const stored = (name: string, kind: 'ssm' | 'secretsmanager' = 'ssm', scheme: SchemeName = 'github') =>
  ({ name, scheme, secrets: { kind, name: `/intake/test/${name}` } }) satisfies WebhookSource;

/** A clock the test moves by hand. */
function clock(startMs = 1_000_000) {
  let now = startMs;
  return { nowMs: () => now, advanceSeconds: (seconds: number) => (now += seconds * 1000) };
}

/** Resolves `count` concurrent and then `count` sequential requests; returns every outcome. */
async function requests(resolve: () => unknown, count: number): Promise<PromiseSettledResult<unknown>[]> {
  const concurrent = await Promise.allSettled(Array.from({ length: count }, async () => resolve()));
  const sequential: PromiseSettledResult<unknown>[] = [];
  for (let index = 0; index < count; index++) {
    sequential.push(...(await Promise.allSettled([Promise.resolve().then(resolve)])));
  }
  return [...concurrent, ...sequential];
}

describe('createSigningKeyResolver', () => {
  it('returns the UTF-8 keys of environment secrets, current first, decoding them once', async () => {
    const keysFor = createSigningKeyResolver();
    const keys = await keysFor(envSource);
    expect(keys.map((key) => key.toString())).toEqual(['new-github-secret', 'old-github-secret']);
    expect(await keysFor(envSource)).toBe(keys);
  });

  it('decodes whsec_ secrets for the standard scheme', async () => {
    const key = Buffer.from('a standard webhooks key');
    const keys = await createSigningKeyResolver()({
      name: 'standard',
      scheme: 'standard',
      secrets: { kind: 'env', secrets: [`whsec_${key.toString('base64')}`] },
    });
    expect(keys[0]).toEqual(key);
  });

  it('returns no key for a source without secrets (answered 404)', async () => {
    const fetchSecret = jest.fn();
    expect(await createSigningKeyResolver({ fetchSecret })({ name: 'x', scheme: 'github' })).toEqual([]);
    expect(fetchSecret).not.toHaveBeenCalled();
  });

  it('splits a fetched comma-separated secret list and passes the cache age', async () => {
    const fetchSecret = jest.fn().mockResolvedValue('stripe-secret-one,stripe-secret-two');
    const keys = await createSigningKeyResolver({ fetchSecret, maxAgeSeconds: 60 })(
      stored('x', 'ssm', 'stripe'),
    );
    expect(keys.map(String)).toEqual(['stripe-secret-one', 'stripe-secret-two']);
    expect(fetchSecret).toHaveBeenCalledWith({ kind: 'ssm', name: '/intake/test/x' }, 60);
  });

  it('reads a stored secret once per cache age, and picks up a rotation after it', async () => {
    const time = clock();
    const fetchSecret: jest.MockedFunction<SecretFetcher> = jest
      .fn()
      .mockResolvedValueOnce('first-github-secret')
      .mockResolvedValue('second-github-secret,first-github-secret');
    const keysFor = createSigningKeyResolver({ fetchSecret, maxAgeSeconds: 300, nowMs: time.nowMs });
    const source = stored('rotating');
    const first = await keysFor(source);
    time.advanceSeconds(299);
    expect(await keysFor(source)).toBe(first);
    expect(fetchSecret).toHaveBeenCalledTimes(1);
    time.advanceSeconds(1);
    expect((await keysFor(source)).map(String)).toEqual(['second-github-secret', 'first-github-secret']);
    expect(fetchSecret).toHaveBeenCalledTimes(2);
  });

  it('turns a store outage into a retryable 503 that names neither the secret nor its location, and reads again next time', async () => {
    const fetchSecret = jest.fn().mockRejectedValue(new Error('connect ECONNRESET /secret/name'));
    const keysFor = createSigningKeyResolver({ fetchSecret });
    const source: WebhookSource = {
      name: 'x',
      scheme: 'github',
      secrets: { kind: 'secretsmanager', name: '/secret/name' },
    };
    const attempt = Promise.resolve(keysFor(source));
    await expect(attempt).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(attempt).rejects.not.toBeInstanceOf(WebhookSourceMisconfiguredError);
    await expect(attempt).rejects.toMatchObject({
      statusCode: 503,
      retryable: true,
      service: 'SecretsManager',
    });
    await expect(attempt).rejects.not.toThrow(/secret\/name/);
    await expect(Promise.resolve(keysFor(source))).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(fetchSecret).toHaveBeenCalledTimes(2);
  });

  it('answers a stored secret that is empty as a misconfigured source, fetched once per cache age', async () => {
    const time = clock();
    for (const text of [undefined, '', ' , ']) {
      const fetchSecret = jest.fn().mockResolvedValue(text);
      const keysFor = createSigningKeyResolver({ fetchSecret, nowMs: time.nowMs });
      const outcomes = await requests(() => keysFor(stored('empty')), 10);
      for (const outcome of outcomes) {
        expect(outcome).toMatchObject({
          status: 'rejected',
          reason: expect.any(WebhookSourceMisconfiguredError),
        });
      }
      expect(fetchSecret).toHaveBeenCalledTimes(1);
    }
  });

  // The attack: a lone `whsec_`, or `standard` text that is not base64, decodes to an empty (or tiny) HMAC
  // key — one anyone can sign with. Every scheme refuses any secret under 16 bytes when it is loaded.
  it.each<[SchemeName, string]>([
    ['github', 'tiny-key'],
    ['github', 'fifteen-bytes!!'],
    ['stripe', 'whsec_'],
    ['stripe', 'whsec_123456789'],
    ['hmac-sha256', 'acme'],
    ['standard', 'whsec_'],
    ['standard', 'whsec_this is not base64 at all!'],
    ['standard', `whsec_${Buffer.alloc(15, 7).toString('base64')}`],
    ['standard', `whsec_${Buffer.alloc(16, 7).toString('base64')}!`],
  ])(
    'refuses a stored %s secret %j that is not a 16-byte key, naming the source and not the secret',
    async (scheme, weak) => {
      const usable =
        scheme === 'standard' ? `whsec_${Buffer.alloc(24, 3).toString('base64')}` : 'a-perfectly-long-secret';
      const fetchSecret = jest.fn().mockResolvedValue(`${usable},${weak}`);
      const keysFor = createSigningKeyResolver({ fetchSecret });
      const attempt = Promise.resolve(keysFor(stored('weak', 'ssm', scheme)));
      await expect(attempt).rejects.toBeInstanceOf(WebhookSourceMisconfiguredError);
      const error = (await attempt.catch((caught: unknown) => caught)) as WebhookSourceMisconfiguredError;
      expect(error).toMatchObject({ source: 'weak', statusCode: 503, retryable: true });
      expect(error.message).toMatch(/weak.*secret 2 of 2/);
      if (weak.length > 'whsec_'.length) expect(error.message).not.toContain(weak);
    },
  );

  it('accepts a 16-byte key for every scheme', async () => {
    const sixteen = 'sixteen-bytes-ok';
    for (const [scheme, secret] of [
      ['github', sixteen],
      ['stripe', sixteen],
      ['hmac-sha256', sixteen],
      ['standard', `whsec_${Buffer.from(sixteen).toString('base64')}`],
    ] as const) {
      const keys = await createSigningKeyResolver({ fetchSecret: async () => secret })(
        stored('ok', 'ssm', scheme),
      );
      expect(keys[0]).toEqual(Buffer.from(sixteen));
    }
  });
});

// No emulator for SSM or Secrets Manager exists in the local stack: these mocks stand in for them.
describe('signing keys from SSM and Secrets Manager (Powertools Parameters)', () => {
  const ssm = mockClient(SSMClient);
  const secrets = mockClient(SecretsManagerClient);
  afterEach(() => {
    ssm.reset();
    secrets.reset();
  });

  it('reads an SSM SecureString with decryption', async () => {
    ssm
      .on(GetParameterCommand, { Name: '/intake/test/github', WithDecryption: true })
      .resolves({ Parameter: { Value: 's1,s2' } });
    expect(await fetchFromParameterStore({ kind: 'ssm', name: '/intake/test/github' }, 1)).toBe('s1,s2');
  });

  it('reads a Secrets Manager string or binary secret', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: 'intake/test/stripe' })
      .resolves({ SecretString: 'whsec_1' });
    secrets
      .on(GetSecretValueCommand, { SecretId: 'intake/test/binary' })
      .resolves({ SecretBinary: Buffer.from('bin-secret') });
    expect(await fetchFromParameterStore({ kind: 'secretsmanager', name: 'intake/test/stripe' }, 1)).toBe(
      'whsec_1',
    );
    expect(await fetchFromParameterStore({ kind: 'secretsmanager', name: 'intake/test/binary' }, 1)).toBe(
      'bin-secret',
    );
  });

  // The attack: unauthenticated POSTs to a source whose parameter is missing made one AWS call each.
  it('makes one GetParameter call for 100 requests to a source whose SSM parameter is missing, then one more after the cache age', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    const time = clock();
    const keysFor = createSigningKeyResolver({ maxAgeSeconds: 300, nowMs: time.nowMs });
    const source = stored('missing-ssm');
    const outcomes = await requests(() => keysFor(source), 50);
    expect(outcomes).toHaveLength(100);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({
        status: 'rejected',
        reason: expect.objectContaining({ statusCode: 503, retryAfterSeconds: 300, source: 'missing-ssm' }),
      });
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(WebhookSourceMisconfiguredError);
    }
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
    time.advanceSeconds(300);
    await expect(Promise.resolve(keysFor(source))).rejects.toBeInstanceOf(WebhookSourceMisconfiguredError);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
  });

  it('makes one GetSecretValue call for 100 requests to a source whose secret is missing', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: 'no such secret', $metadata: {} }));
    const keysFor = createSigningKeyResolver({ maxAgeSeconds: 300, nowMs: clock().nowMs });
    const outcomes = await requests(() => keysFor(stored('missing-sm', 'secretsmanager')), 50);
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('makes one call per cache age when the role may not read the parameter', async () => {
    ssm.on(GetParameterCommand).rejects(
      Object.assign(new Error('not authorized'), {
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const keysFor = createSigningKeyResolver({ maxAgeSeconds: 300, nowMs: clock().nowMs });
    const outcomes = await requests(() => keysFor(stored('denied')), 20);
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
  });

  it('makes one call per cache age for a stored secret too short to be a key', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'whsec_' } });
    const keysFor = createSigningKeyResolver({ maxAgeSeconds: 300, nowMs: clock().nowMs });
    const outcomes = await requests(() => keysFor(stored('short-stripe', 'ssm', 'stripe')), 20);
    for (const outcome of outcomes)
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(WebhookSourceMisconfiguredError);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
  });

  it('does not remember a throttled read: it is an outage, not a misconfiguration', async () => {
    ssm.on(GetParameterCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const keysFor = createSigningKeyResolver({ maxAgeSeconds: 300, nowMs: clock().nowMs });
    const source = stored('throttled');
    for (let index = 0; index < 3; index++) {
      const attempt = Promise.resolve(keysFor(source));
      await expect(attempt).rejects.toBeInstanceOf(ServiceUnavailableError);
      await expect(attempt).rejects.not.toBeInstanceOf(WebhookSourceMisconfiguredError);
    }
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(3);
  });

  it('uses the parameter once it exists, after the cache age', async () => {
    ssm
      .on(GetParameterCommand)
      .rejectsOnce(new ParameterNotFound({ message: 'not found', $metadata: {} }))
      .resolves({ Parameter: { Value: 'a-github-secret-now-set' } });
    const time = clock();
    const keysFor = createSigningKeyResolver({ maxAgeSeconds: 60, nowMs: time.nowMs });
    const source = stored('fixed-later');
    await expect(Promise.resolve(keysFor(source))).rejects.toBeInstanceOf(WebhookSourceMisconfiguredError);
    time.advanceSeconds(60);
    expect((await keysFor(source)).map(String)).toEqual(['a-github-secret-now-set']);
  });
});
