import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { ServiceUnavailableError } from '../../../src/errors';
import { createSigningKeyResolver, fetchFromParameterStore } from '../../../src/webhooks/signing-keys';
import type { WebhookSource } from '../../../src/webhooks/sources';

const envSource: WebhookSource = {
  name: 'github',
  scheme: 'github',
  secrets: { kind: 'env', secrets: ['new', 'old'] },
};

describe('createSigningKeyResolver', () => {
  it('returns the UTF-8 keys of environment secrets, current first, decoding them once', async () => {
    const keysFor = createSigningKeyResolver();
    const keys = await keysFor(envSource);
    expect(keys.map((key) => key.toString())).toEqual(['new', 'old']);
    expect(await keysFor(envSource)).toBe(keys);
  });

  it('decodes whsec_ secrets for the standard scheme', async () => {
    const keys = await createSigningKeyResolver()({
      name: 'standard',
      scheme: 'standard',
      secrets: { kind: 'env', secrets: ['whsec_aGVsbG8='] },
    });
    expect(keys[0]!.toString()).toBe('hello');
  });

  it('returns no key for a source without secrets or whose parameter is absent', async () => {
    const fetchSecret = jest.fn().mockResolvedValue(undefined);
    const keysFor = createSigningKeyResolver({ fetchSecret });
    expect(await keysFor({ name: 'x', scheme: 'github' })).toEqual([]);
    expect(await keysFor({ name: 'x', scheme: 'github', secrets: { kind: 'ssm', name: '/p' } })).toEqual([]);
  });

  it('splits a fetched comma-separated secret list and passes the cache age', async () => {
    const fetchSecret = jest.fn().mockResolvedValue('a,b');
    const keys = await createSigningKeyResolver({ fetchSecret, maxAgeSeconds: 60 })({
      name: 'x',
      scheme: 'stripe',
      secrets: { kind: 'ssm', name: '/p' },
    });
    expect(keys.map(String)).toEqual(['a', 'b']);
    expect(fetchSecret).toHaveBeenCalledWith({ kind: 'ssm', name: '/p' }, 60);
  });

  it('decodes a fetched secret list once, and again only when its text changes (rotation)', async () => {
    const fetchSecret = jest
      .fn()
      .mockResolvedValueOnce('a')
      .mockResolvedValueOnce('a')
      .mockResolvedValue('b,a');
    const keysFor = createSigningKeyResolver({ fetchSecret });
    const source: WebhookSource = { name: 'x', scheme: 'github', secrets: { kind: 'ssm', name: '/p' } };
    const first = await keysFor(source);
    expect(await keysFor(source)).toBe(first);
    const rotated = await keysFor(source);
    expect(rotated.map(String)).toEqual(['b', 'a']);
    expect(fetchSecret).toHaveBeenCalledTimes(3);
  });

  it('turns a parameter store failure into a retryable 503 that does not reveal the secret name', async () => {
    const fetchSecret = jest.fn().mockRejectedValue(new Error('AccessDenied on /secret/name'));
    const attempt = createSigningKeyResolver({ fetchSecret })({
      name: 'x',
      scheme: 'github',
      secrets: { kind: 'secretsmanager', name: '/secret/name' },
    });
    await expect(attempt).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(attempt).rejects.toMatchObject({
      statusCode: 503,
      retryable: true,
      service: 'SecretsManager',
    });
    await expect(attempt).rejects.not.toThrow(/secret\/name/);
  });
});

// No emulator for SSM or Secrets Manager exists in the local stack: these mocks stand in for them.
describe('fetchFromParameterStore (Powertools Parameters)', () => {
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
});
