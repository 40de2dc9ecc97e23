import { REDACTED, isSecretKey, redactSecrets } from '../../../src/observability/redaction';

describe('redactSecrets', () => {
  it.each([
    'authorization',
    'Authorization',
    'x-hub-signature-256',
    'stripe-signature',
    'webhook-signature',
    'cookie',
    'set-cookie',
    'clientSecret',
    'secrets',
    'accessToken',
    'x-api-key',
    'password',
    'credentials',
    'privateKey',
  ])('redacts the value of %s', (key) => {
    expect(isSecretKey(key)).toBe(true);
    expect(redactSecrets(key, 'value')).toBe(REDACTED);
    expect(redactSecrets(key, { nested: 'value' })).toBe(REDACTED);
  });

  it.each(['host', 'content-type', 'messageId', 'bucket', 'key'])('keeps %s', (key) => {
    expect(redactSecrets(key, 'value')).toBe('value');
  });

  it('keeps flags and counts of secret-looking keys (they reveal nothing) and the root object', () => {
    expect(redactSecrets('signatureValid', true)).toBe(true);
    expect(redactSecrets('tokenCount', 3)).toBe(3);
    expect(redactSecrets('token', null)).toBeNull();
    const root = { a: 1 };
    expect(redactSecrets('', root)).toBe(root);
  });

  it('redacts nested headers when serialised the way the logger does', () => {
    const line = JSON.stringify(
      { headers: { authorization: 'Bearer abc', host: 'h' }, detail: { cookie: 'sid=1' } },
      redactSecrets,
    );
    expect(JSON.parse(line)).toEqual({
      headers: { authorization: REDACTED, host: 'h' },
      detail: { cookie: REDACTED },
    });
  });
});
