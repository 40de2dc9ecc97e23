import {
  badlySigned,
  buildDelivery,
  buildHandshake,
  loadLocalSources,
  oneSourcePerScheme,
  receiverAccepts,
  schemesWithoutSource,
  sendingSource,
  sendingSourcePerScheme,
  wrongSecretFor,
} from '../../../scripts/lib/webhook-requests';
import { senders, type HandshakeInput, type SchemeSender } from '../../../src/webhooks/senders';
import { schemeNames } from '../../../src/webhooks/schemes';
import { exampleEnvironment, webhookFixtures } from '../../helpers/webhook-fixtures';

const now = 1_795_269_600;
const env = {
  WEBHOOK_SECRET_GITHUB: 'github-tools-secret',
  WEBHOOK_SECRET_STRIPE: 'whsec_stripe-tools-secret',
  WEBHOOK_SECRET_ACME: 'acme-tools-secret',
  WEBHOOK_SCHEME_ACME: 'hmac-sha256',
  WEBHOOK_SIGNATURE_HEADER_ACME: 'x-acme-signature',
  WEBHOOK_VERIFY_TOKEN_ACME: 'acme-verify-token',
  WEBHOOK_PUBLIC_URL_ACME: 'http://127.0.0.1:3000/webhooks/acme',
};

/** GitHub's sender with a handshake added, as a provider merged later may have one. */
function withHandshake(method: 'GET' | 'POST', seen: HandshakeInput[] = []): Record<string, SchemeSender> {
  return {
    ...senders,
    github: {
      ...senders.github,
      handshake: (input) => {
        seen.push(input);
        return {
          method,
          headers: { 'X-Challenge': input.challenge },
          ...(method === 'GET' ? { query: `challenge=${input.challenge}` } : { body: Buffer.from('{}') }),
          check: (status, body) => (status === 200 && body === input.challenge ? undefined : 'wrong answer'),
        };
      },
    },
  };
}

describe('loadLocalSources', () => {
  it('reads the inline sources with the receiver’s loader, skipping schemes this intake does not have', () => {
    const local = loadLocalSources({
      ...env,
      WEBHOOK_SECRET_PIGEON: 'pigeon-tools-secret',
      WEBHOOK_SECRET_CACHE_SECONDS: '300',
      WEBHOOK_MAX_BODY_BYTES: '1048576',
      WEBHOOK_SECRET_PARAMETER_GITHUB: 'ssm:/intake/dev/webhooks/github',
      WEBHOOK_SECRET_COURIER: 'courier-tools-secret',
      WEBHOOK_SCHEME_COURIER: 'Carrier-Pigeon',
      WEBHOOK_TEST_SIGNING_KEY_STRIPE: 'whsec_stripe-signing-side',
      OTHER: 'x',
    });
    expect([...local.sources.keys()].sort()).toEqual(['acme', 'github', 'stripe']);
    expect(local.sources.get('github')?.secrets).toEqual({ kind: 'env', secrets: ['github-tools-secret'] });
    expect(local.skipped).toEqual([
      { source: 'pigeon', scheme: 'pigeon' },
      { source: 'courier', scheme: 'carrier-pigeon' },
    ]);
    expect(local.testSigningKeys).toEqual(new Map([['stripe', 'whsec_stripe-signing-side']]));
    expect(local.receiverVariables).not.toHaveProperty('WEBHOOK_TEST_SIGNING_KEY_STRIPE');
    expect(local.receiverVariables).not.toHaveProperty('WEBHOOK_SECRET_CACHE_SECONDS');
  });

  it('names the schemes without a source, and picks one source with a secret per scheme', () => {
    const local = loadLocalSources({ ...env, WEBHOOK_SECRET_OTHER_GITHUB: 'x'.repeat(20) });
    expect(schemesWithoutSource(local)).toContain('standard');
    for (const covered of ['github', 'stripe', 'hmac-sha256'])
      expect(schemesWithoutSource(local)).not.toContain(covered);
    expect(
      schemesWithoutSource(loadLocalSources({ ...env, WEBHOOK_SECRET_OTHER_GITHUB: 'x'.repeat(20) }), [
        'github',
        'future',
      ]),
    ).toEqual(['future']);
    expect(oneSourcePerScheme(local).map((source) => source.name)).toEqual(['github', 'stripe', 'acme']);
  });

  it('gives a run the sending side of one source per scheme, or names the schemes left without one', () => {
    expect(() => sendingSourcePerScheme(loadLocalSources(env))).toThrow(
      /No \.env\.example source for the scheme\(s\) .*standard.*: add its example lines/,
    );
    const all = loadLocalSources(exampleEnvironment());
    const sending = sendingSourcePerScheme(all);
    expect(sending.map(({ source }) => source.scheme).sort()).toEqual([...schemeNames].sort());
  });
});

describe('buildHandshake', () => {
  it('sends the scheme’s GET handshake with the challenge, the verify token and the public URL', () => {
    const seen: HandshakeInput[] = [];
    const local = loadLocalSources({
      ...env,
      WEBHOOK_VERIFY_TOKEN_GITHUB: 'github-verify-token',
      WEBHOOK_PUBLIC_URL_GITHUB: 'https://hooks.example.com/webhooks/github',
    });
    const handshake = buildHandshake(sendingSource(local, 'github', withHandshake('GET', seen)), {
      challenge: 'c-1',
      nowSeconds: now,
    });
    expect(handshake).toMatchObject({
      method: 'GET',
      path: '/webhooks/github',
      query: 'challenge=c-1',
      headers: { 'x-challenge': 'c-1' },
    });
    expect(handshake.body).toBeUndefined();
    expect(seen[0]).toMatchObject({
      secret: 'github-tools-secret',
      verifyToken: 'github-verify-token',
      publicUrl: 'https://hooks.example.com/webhooks/github',
      challenge: 'c-1',
      nowSeconds: now,
    });
    expect(handshake.check(200, 'c-1')).toBeUndefined();
    expect(handshake.check(200, 'c-2')).toBe('wrong answer');
  });

  it('sends a POST handshake’s body with the sender’s content type', () => {
    const handshake = buildHandshake(sendingSource(loadLocalSources(env), 'github', withHandshake('POST')), {
      challenge: 'c-2',
      nowSeconds: now,
    });
    expect(handshake).toMatchObject({
      method: 'POST',
      query: '',
      headers: { 'content-type': 'application/json', 'x-challenge': 'c-2' },
      body: Buffer.from('{}'),
    });
  });
});

describe('badlySigned', () => {
  const local = loadLocalSources(env);
  it.each(['github', 'stripe', 'acme'])(
    '%s: changes the body after signing, which the receiver refuses',
    (name) => {
      const sending = sendingSource(local, name);
      const valid = buildDelivery(sending, { nowSeconds: now });
      expect(receiverAccepts(sending, valid, now * 1000)).toBe(true);
      const bad = badlySigned(sending, valid, now);
      expect(bad.how).toBe('body changed');
      expect(bad.headers).toEqual(valid.headers);
      expect(receiverAccepts(sending, bad, now * 1000)).toBe(false);
    },
  );

  it('signs with a wrong secret for a scheme that does not sign the body (a shared token)', () => {
    const sending = sendingSource(local, 'github');
    const valid = buildDelivery(sending, { nowSeconds: now });
    // A token scheme: any body passes with the right token.
    const tokenScheme = (_: unknown, request: { headers: Record<string, string> }) =>
      request.headers['x-hub-signature-256'] === valid.headers['x-hub-signature-256'];
    const bad = badlySigned(sending, valid, now, tokenScheme);
    expect(bad.how).toBe('wrong secret');
    expect(bad.body).toEqual(valid.body);
    expect(bad.headers['x-hub-signature-256']).not.toBe(valid.headers['x-hub-signature-256']);
    expect(() => badlySigned(sending, valid, now, () => true)).toThrow(
      /Neither a changed body nor a wrong secret/,
    );
  });

  it('changes a secret’s last character, keeping its length', () => {
    expect(wrongSecretFor('user:password')).toBe('user:passworx');
    expect(wrongSecretFor('token-x')).toBe('token-y');
  });
});

describe('webhookFixtures', () => {
  it('adds a handshake case for a sender with one, re-signed when the scheme signs a timestamp', () => {
    const { fixtures } = webhookFixtures(env, now + 60, withHandshake('GET'));
    const handshake = fixtures.find((fixture) => fixture.name === 'webhook-github-handshake');
    expect(handshake).toMatchObject({ expected: 200, timeBound: false });
    expect(handshake?.event).toMatchObject({
      routeKey: 'GET /webhooks/{source}',
      requestContext: { http: { method: 'GET' } },
    });
    expect(handshake?.handshakeCheck).toBeInstanceOf(Function);
    const timed = webhookFixtures(env, now + 60, {
      ...withHandshake('POST'),
      github: { ...withHandshake('POST').github!, signsTimestamp: true },
    }).fixtures;
    expect(timed.find((fixture) => fixture.name === 'webhook-github-handshake')?.timeBound).toBe(true);
    expect(timed.find((fixture) => fixture.name === 'webhook-github-stale')).toBeDefined();
  });

  it('notes a handshake its sender cannot make for a source’s key instead of failing', () => {
    const refusing = {
      ...senders,
      github: {
        ...senders.github,
        handshake: () => {
          throw new Error('this handshake needs another kind of key');
        },
      },
    };
    const { fixtures, notes } = webhookFixtures(env, now, refusing);
    expect(notes).toEqual(['webhook-github-handshake not made: this handshake needs another kind of key']);
    expect(fixtures.map((fixture) => fixture.name)).toContain('webhook-github-valid');
    expect(fixtures.map((fixture) => fixture.name)).not.toContain('webhook-github-handshake');
  });

  it('skips sources of schemes it does not have, and the GitHub special cases without a GitHub source', () => {
    const { fixtures, skipped } = webhookFixtures(
      { WEBHOOK_SECRET_STRIPE: env.WEBHOOK_SECRET_STRIPE, WEBHOOK_SECRET_PIGEON: 'pigeon-tools-secret' },
      now,
    );
    expect(skipped).toEqual([{ source: 'pigeon', scheme: 'pigeon' }]);
    const names = fixtures.map((fixture) => fixture.name);
    expect(names).toEqual(expect.arrayContaining(['webhook-stripe-valid', 'webhook-stripe-stale']));
    expect(names.some((name) => name.startsWith('webhook-github') || name.includes('unknown'))).toBe(false);
  });
});
