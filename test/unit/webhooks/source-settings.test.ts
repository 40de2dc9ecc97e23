import { ServiceUnavailableError } from '../../../src/errors';
import { createSourceSettingResolver, type SecretFetcher } from '../../../src/webhooks/signing-keys';
import { WebhookSourceMisconfiguredError } from '../../../src/webhooks/source-misconfigured';
import { loadWebhookSources, publicUrlProblem, type WebhookSource } from '../../../src/webhooks/sources';

const secret = 'a-github-secret-of-16+-bytes';

describe('per-source verify token and public URL (WEBHOOK_VERIFY_TOKEN_ / WEBHOOK_PUBLIC_URL_)', () => {
  it('are read inline (local) or as a parameter-store location, like the secrets', () => {
    const sources = loadWebhookSources({
      WEBHOOK_SECRET_INLINE: secret,
      WEBHOOK_SCHEME_INLINE: 'github',
      WEBHOOK_VERIFY_TOKEN_INLINE: 'a-verify-token',
      WEBHOOK_PUBLIC_URL_INLINE: 'https://hooks.example.com/webhooks/inline',
      WEBHOOK_SECRET_PARAMETER_STORED: 'ssm:/intake/dev/webhooks/stored',
      WEBHOOK_SCHEME_STORED: 'github',
      WEBHOOK_VERIFY_TOKEN_PARAMETER_STORED: 'ssm:/intake/dev/webhooks/stored/verify-token',
      WEBHOOK_PUBLIC_URL_PARAMETER_STORED: 'secretsmanager:stored-url',
    });
    expect(sources.get('inline')).toMatchObject({
      verifyToken: { kind: 'env', value: 'a-verify-token' },
      publicUrl: { kind: 'env', value: 'https://hooks.example.com/webhooks/inline' },
    });
    expect(sources.get('stored')).toMatchObject({
      verifyToken: { kind: 'ssm', name: '/intake/dev/webhooks/stored/verify-token' },
      publicUrl: { kind: 'secretsmanager', name: 'stored-url' },
    });
  });

  it('fail at init naming each variable: a public URL that is not one, a location that is not ssm:/secretsmanager:', () => {
    expect(() =>
      loadWebhookSources({
        WEBHOOK_SECRET_GITHUB: secret,
        WEBHOOK_PUBLIC_URL_GITHUB: 'hooks.example.com/webhooks/github',
        WEBHOOK_VERIFY_TOKEN_PARAMETER_GITHUB: '/intake/dev/token',
      }),
    ).toThrow(
      expect.objectContaining({
        variables: ['WEBHOOK_VERIFY_TOKEN_PARAMETER_GITHUB', 'WEBHOOK_PUBLIC_URL_GITHUB'],
      }),
    );
  });

  it.each([
    ['https://hooks.example.com/webhooks/twilio', undefined],
    ['http://127.0.0.1:3000/webhooks/twilio', undefined],
    ['/webhooks/twilio', 'must be an absolute URL'],
    ['ftp://hooks.example.com/x', 'must be an http(s) URL'],
    ['https://hooks.example.com/x?a=1', 'must have no query, fragment or credentials'],
    ['https://hooks.example.com/x#f', 'must have no query, fragment or credentials'],
    ['https://user:pw@hooks.example.com/x', 'must have no query, fragment or credentials'],
  ])('a public URL %j: %s', (url, problem) => {
    expect(publicUrlProblem(url)).toBe(problem);
  });
});

describe('createSourceSettingResolver', () => {
  const stored: WebhookSource = {
    name: 'stored',
    scheme: 'github',
    verifyToken: { kind: 'ssm', name: '/intake/dev/webhooks/stored/verify-token' },
    publicUrl: { kind: 'ssm', name: '/intake/dev/webhooks/stored/public-url' },
  };

  it('answers inline settings synchronously and a source without one with undefined, reading no store', () => {
    const fetchSecret = jest.fn();
    const settingOf = createSourceSettingResolver({ fetchSecret });
    const inline: WebhookSource = {
      name: 'inline',
      scheme: 'github',
      verifyToken: { kind: 'env', value: 'local-token' },
    };
    expect(settingOf(inline, 'verifyToken')).toBe('local-token');
    expect(settingOf(inline, 'publicUrl')).toBeUndefined();
    expect(fetchSecret).not.toHaveBeenCalled();
  });

  it('reads each stored setting once per cache age, apart from the other', async () => {
    const fetchSecret = jest.fn<ReturnType<SecretFetcher>, Parameters<SecretFetcher>>(async (location) =>
      location.name.endsWith('verify-token') ? ' stored-token ' : 'https://hooks.example.com/webhooks/stored',
    );
    const settingOf = createSourceSettingResolver({ fetchSecret, maxAgeSeconds: 60 });
    expect(await settingOf(stored, 'verifyToken')).toBe('stored-token');
    expect(await settingOf(stored, 'publicUrl')).toBe('https://hooks.example.com/webhooks/stored');
    expect(await settingOf(stored, 'verifyToken')).toBe('stored-token');
    expect(fetchSecret).toHaveBeenCalledTimes(2);
    expect(fetchSecret).toHaveBeenCalledWith(stored.verifyToken, 60);
  });

  it('answers an empty stored setting or an unusable stored public URL as a misconfigured source (503), never quoting it', async () => {
    for (const [name, text, problem] of [
      ['verifyToken', '', /verify token is empty/],
      ['publicUrl', 'not a url', /public URL must be an absolute URL/],
    ] as const) {
      const settingOf = createSourceSettingResolver({ fetchSecret: async () => text });
      const attempt = Promise.resolve(settingOf(stored, name));
      await expect(attempt).rejects.toBeInstanceOf(WebhookSourceMisconfiguredError);
      await expect(attempt).rejects.toThrow(problem);
    }
  });

  it('turns a store outage into a retryable 503 and reads again next time', async () => {
    const fetchSecret = jest.fn().mockRejectedValue(new Error('connect ECONNRESET'));
    const settingOf = createSourceSettingResolver({ fetchSecret });
    await expect(Promise.resolve(settingOf(stored, 'publicUrl'))).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    await expect(Promise.resolve(settingOf(stored, 'publicUrl'))).rejects.toThrow(/public URL/);
    expect(fetchSecret).toHaveBeenCalledTimes(2);
  });
});
