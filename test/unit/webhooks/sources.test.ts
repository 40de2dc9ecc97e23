import { ConfigError } from '../../../src/errors';
import {
  loadWebhookSources,
  normaliseSourceName,
  sourceEnvSuffix,
  splitSecrets,
} from '../../../src/webhooks/sources';

describe('loadWebhookSources', () => {
  it('reads secrets and defaults the scheme to the source name for github, stripe and standard', () => {
    const sources = loadWebhookSources({
      WEBHOOK_SECRET_GITHUB: 'github-test-secret',
      WEBHOOK_SECRET_STRIPE: ' whsec_new-stripe-secret , whsec_old-stripe-secret ,',
      WEBHOOK_SECRET_STANDARD: `whsec_${Buffer.from('standard webhooks key').toString('base64')}`,
      UNRELATED: 'x',
    });
    expect(sources.get('github')).toEqual({
      name: 'github',
      scheme: 'github',
      secrets: { kind: 'env', secrets: ['github-test-secret'] },
    });
    expect(sources.get('stripe')?.secrets).toEqual({
      kind: 'env',
      secrets: ['whsec_new-stripe-secret', 'whsec_old-stripe-secret'],
    });
    expect(sources.get('standard')?.scheme).toBe('standard');
    expect([...sources.keys()].sort()).toEqual(['github', 'standard', 'stripe']);
  });

  it('maps MY_APP variables to the source my-app with an explicit scheme', () => {
    const sources = loadWebhookSources({
      WEBHOOK_SECRET_MY_APP: 'my-app-test-secret',
      WEBHOOK_SCHEME_MY_APP: 'GitHub',
    });
    expect(sources.get('my-app')).toMatchObject({ name: 'my-app', scheme: 'github' });
  });

  it('reads the hmac-sha256 options with hex and no prefix by default', () => {
    const sources = loadWebhookSources({
      WEBHOOK_SECRET_ACME: 'acme-test-secret',
      WEBHOOK_SCHEME_ACME: 'hmac-sha256',
      WEBHOOK_SIGNATURE_HEADER_ACME: 'X-Acme-Signature',
      WEBHOOK_ID_HEADER_ACME: 'X-Acme-Delivery',
      WEBHOOK_EVENT_HEADER_ACME: 'X-Acme-Event',
      WEBHOOK_SECRET_SHOP: 'shop-test-secret',
      WEBHOOK_SCHEME_SHOP: 'hmac-sha256',
      WEBHOOK_SIGNATURE_HEADER_SHOP: 'x-shop-hmac',
      WEBHOOK_SIGNATURE_ENCODING_SHOP: 'BASE64',
      WEBHOOK_SIGNATURE_PREFIX_SHOP: 'sha256=',
    });
    expect(sources.get('acme')).toMatchObject({
      hmac: { header: 'x-acme-signature', encoding: 'hex', prefix: '' },
      idHeader: 'x-acme-delivery',
      eventHeader: 'x-acme-event',
    });
    expect(sources.get('shop')?.hmac).toEqual({
      header: 'x-shop-hmac',
      encoding: 'base64',
      prefix: 'sha256=',
    });
  });

  it("gives a scheme's default key header when WEBHOOK_SIGNATURE_HEADER_ is unset, with the prefix alone", () => {
    const sources = loadWebhookSources({
      WEBHOOK_SECRET_CRM: 'crm-api-key-0123456',
      WEBHOOK_SCHEME_CRM: 'api-key',
      WEBHOOK_SIGNATURE_PREFIX_CRM: 'Token',
      WEBHOOK_SECRET_GITHUB: 'a-long-enough-github-secret',
    });
    expect(sources.get('crm')?.hmac).toEqual({ header: 'x-api-key', encoding: 'hex', prefix: 'Token' });
    expect(sources.get('github')).not.toHaveProperty('hmac');
  });

  it('reads a parameter-store location instead of inline secrets (AWS)', () => {
    const sources = loadWebhookSources({
      WEBHOOK_SECRET_PARAMETER_GITHUB: 'ssm:/intake/dev/webhooks/github',
      WEBHOOK_SECRET_PARAMETER_STRIPE: 'secretsmanager:intake/dev/stripe',
    });
    expect(sources.get('github')?.secrets).toEqual({ kind: 'ssm', name: '/intake/dev/webhooks/github' });
    expect(sources.get('stripe')?.secrets).toEqual({ kind: 'secretsmanager', name: 'intake/dev/stripe' });
    expect(sources.has('parameter-github')).toBe(false);
  });

  it('keeps a source without secret (so it answers 404) and ignores blank variables', () => {
    const sources = loadWebhookSources({
      WEBHOOK_SCHEME_GITHUB: 'github',
      WEBHOOK_SECRET_GITHUB: ' , ',
      WEBHOOK_SECRET_STRIPE: '  ',
    });
    expect(sources.get('github')).toEqual({ name: 'github', scheme: 'github' });
    expect(sources.has('stripe')).toBe(false);
  });

  it('throws one ConfigError naming every invalid variable', () => {
    let error: unknown;
    try {
      loadWebhookSources({
        WEBHOOK_SECRET_CUSTOM: 's',
        WEBHOOK_SCHEME_OTHER: 'md5',
        WEBHOOK_SECRET_PARAMETER_GITHUB: 'vault:/x',
        WEBHOOK_SCHEME_ACME: 'hmac-sha256',
        WEBHOOK_SIGNATURE_ENCODING_ACME: 'base32',
        WEBHOOK_SECRET_BAD_NAME_: 's',
        WEBHOOK_ID_HEADER_STRIPE: 'bad header',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables).toEqual(
      expect.arrayContaining([
        'WEBHOOK_SCHEME_CUSTOM',
        'WEBHOOK_SCHEME_OTHER',
        'WEBHOOK_SECRET_PARAMETER_GITHUB',
        'WEBHOOK_SIGNATURE_HEADER_ACME',
        'WEBHOOK_SIGNATURE_ENCODING_ACME',
        'WEBHOOK_ID_HEADER_STRIPE',
      ]),
    );
    expect((error as ConfigError).message).not.toContain('vault:/x');
  });

  // The attack: a lone `whsec_` or non-base64 `standard` text is an empty key anyone can sign with.
  it('fails at init for an inline secret that is not a 16-byte key, naming the variable, never the secret', () => {
    const standardKey = (bytes: number) => `whsec_${Buffer.alloc(bytes, 9).toString('base64')}`;
    const weak = {
      WEBHOOK_SECRET_GITHUB: 'a-long-enough-github-secret,tiny-key',
      WEBHOOK_SECRET_STRIPE: 'whsec_',
      WEBHOOK_SECRET_STANDARD: 'whsec_not base64 at all, just some text',
      WEBHOOK_SECRET_SVIX: standardKey(15),
      WEBHOOK_SCHEME_SVIX: 'standard',
      WEBHOOK_SECRET_ACME: 'acme-15-bytes!!',
      WEBHOOK_SCHEME_ACME: 'hmac-sha256',
      WEBHOOK_SIGNATURE_HEADER_ACME: 'x-acme-signature',
    };
    let error: unknown;
    try {
      loadWebhookSources(weak);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect([...(error as ConfigError).variables].sort()).toEqual([
      'WEBHOOK_SECRET_ACME',
      'WEBHOOK_SECRET_GITHUB',
      'WEBHOOK_SECRET_STANDARD',
      'WEBHOOK_SECRET_STRIPE',
      'WEBHOOK_SECRET_SVIX',
    ]);
    const message = (error as ConfigError).message;
    expect(message).toContain('WEBHOOK_SECRET_GITHUB secret 2 of 2 is shorter than 16 bytes');
    for (const secret of ['tiny-key', 'base64 at all', 'acme-15-bytes!!', standardKey(15).slice(6)])
      expect(message).not.toContain(secret);
    expect(() => loadWebhookSources({ ...weak, ...validSecrets })).not.toThrow();
  });
});

const validSecrets = {
  WEBHOOK_SECRET_GITHUB: 'a-long-enough-github-secret',
  WEBHOOK_SECRET_STRIPE: 'whsec_0123456789abcdef',
  WEBHOOK_SECRET_STANDARD: `whsec_${Buffer.alloc(16, 9).toString('base64')}`,
  WEBHOOK_SECRET_SVIX: `whsec_${Buffer.alloc(32, 9).toString('base64')}`,
  WEBHOOK_SECRET_ACME: 'acme-sixteen-bytes',
};

describe('source names', () => {
  it('are case-insensitive [a-z0-9-]+ of at most 64 characters', () => {
    expect(normaliseSourceName('GitHub')).toBe('github');
    expect(normaliseSourceName('my-app-2')).toBe('my-app-2');
    for (const bad of ['', 'my_app', 'a b', '../x', 'é', 'a'.repeat(65)])
      expect(normaliseSourceName(bad)).toBeUndefined();
  });

  it('map to environment suffixes', () => {
    expect(sourceEnvSuffix('my-app')).toBe('MY_APP');
    expect(splitSecrets('a, b,,c ')).toEqual(['a', 'b', 'c']);
  });
});
