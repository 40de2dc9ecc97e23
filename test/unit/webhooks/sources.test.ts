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
      WEBHOOK_SECRET_GITHUB: 'gh-secret',
      WEBHOOK_SECRET_STRIPE: ' whsec_new , whsec_old ,',
      WEBHOOK_SECRET_STANDARD: 'whsec_abc',
      UNRELATED: 'x',
    });
    expect(sources.get('github')).toEqual({
      name: 'github',
      scheme: 'github',
      secrets: { kind: 'env', secrets: ['gh-secret'] },
    });
    expect(sources.get('stripe')?.secrets).toEqual({ kind: 'env', secrets: ['whsec_new', 'whsec_old'] });
    expect(sources.get('standard')?.scheme).toBe('standard');
    expect([...sources.keys()].sort()).toEqual(['github', 'standard', 'stripe']);
  });

  it('maps MY_APP variables to the source my-app with an explicit scheme', () => {
    const sources = loadWebhookSources({ WEBHOOK_SECRET_MY_APP: 's', WEBHOOK_SCHEME_MY_APP: 'GitHub' });
    expect(sources.get('my-app')).toMatchObject({ name: 'my-app', scheme: 'github' });
  });

  it('reads the hmac-sha256 options with hex and no prefix by default', () => {
    const sources = loadWebhookSources({
      WEBHOOK_SECRET_ACME: 's',
      WEBHOOK_SCHEME_ACME: 'hmac-sha256',
      WEBHOOK_SIGNATURE_HEADER_ACME: 'X-Acme-Signature',
      WEBHOOK_ID_HEADER_ACME: 'X-Acme-Delivery',
      WEBHOOK_EVENT_HEADER_ACME: 'X-Acme-Event',
      WEBHOOK_SECRET_SHOP: 's',
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
});

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
