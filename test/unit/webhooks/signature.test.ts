import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import {
  decodeSigningKey,
  minimumSigningKeyBytes,
  signingKeyFromSecret,
  UnusableSigningKeyError,
  verifySignature,
  type HmacSchemeOptions,
  type SchemeName,
  type WebhookRequest,
} from '../../../src/webhooks/signature';
import {
  senders,
  signGenericHmac,
  signGithub,
  signStandard,
  signStripe,
} from '../../../src/webhooks/senders';

const nowMs = Date.UTC(2026, 0, 15, 12, 0, 0);
const nowSeconds = nowMs / 1000;

function verify(
  scheme: SchemeName,
  request: WebhookRequest,
  secrets: string[],
  options: { nowMs?: number; hmac?: HmacSchemeOptions } = {},
) {
  return verifySignature(
    scheme,
    {
      request,
      keys: secrets.map((secret) => signingKeyFromSecret(scheme, secret)),
      nowMs: options.nowMs ?? nowMs,
    },
    options.hmac,
  );
}

describe('github scheme', () => {
  // GitHub's documented example ("Validating webhook deliveries").
  const secret = "It's a Secret to Everybody";
  const payload = 'Hello, World!';
  const documentedSignature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  it("accepts GitHub's documented test vector", () => {
    expect(
      verify('github', { headers: { 'x-hub-signature-256': documentedSignature }, rawBody: payload }, [
        secret,
      ]),
    ).toEqual({
      valid: true,
      secretIndex: 0,
    });
  });

  it('signs exactly as GitHub documents', () => {
    expect(signGithub(secret, payload)).toEqual({ 'x-hub-signature-256': documentedSignature });
  });

  it('accepts the same bytes delivered base64-encoded (a Buffer body)', () => {
    const request = {
      headers: { 'x-hub-signature-256': documentedSignature },
      rawBody: Buffer.from(payload),
    };
    expect(verify('github', request, [secret]).valid).toBe(true);
  });

  it('refuses a tampered body as a mismatch', () => {
    expect(
      verify(
        'github',
        { headers: { 'x-hub-signature-256': documentedSignature }, rawBody: 'Hello, World?' },
        [secret],
      ),
    ).toMatchObject({
      valid: false,
      failure: 'mismatch',
    });
  });

  it('refuses the right body signed with another secret', () => {
    expect(
      verify('github', { headers: signGithub('another secret', payload), rawBody: payload }, [secret]),
    ).toMatchObject({ failure: 'mismatch' });
  });

  it('accepts upper-case hex digits (same bytes)', () => {
    const header = `sha256=${documentedSignature.slice(7).toUpperCase()}`;
    expect(
      verify('github', { headers: { 'x-hub-signature-256': header }, rawBody: payload }, [secret]).valid,
    ).toBe(true);
  });

  it('reports a missing header as missing and an empty one too', () => {
    expect(verify('github', { headers: {}, rawBody: payload }, [secret])).toMatchObject({
      failure: 'missing',
    });
    expect(
      verify('github', { headers: { 'x-hub-signature-256': '' }, rawBody: payload }, [secret]),
    ).toMatchObject({ failure: 'missing' });
  });

  it.each([
    ['the legacy sha1 form', 'sha1=0123456789abcdef0123456789abcdef01234567'],
    ['no prefix', documentedSignature.slice(7)],
    ['a valid digest followed by garbage (Node would decode the valid prefix)', `${documentedSignature}zz`],
    ['a short digest', documentedSignature.slice(0, -2)],
    ['non-hex characters', `sha256=${'g'.repeat(64)}`],
  ])('reports %s as malformed', (_name, header) => {
    expect(
      verify('github', { headers: { 'x-hub-signature-256': header }, rawBody: payload }, [secret]),
    ).toMatchObject({ failure: 'malformed' });
  });

  it('accepts any secret of a rotation list and says which one matched', () => {
    expect(
      verify('github', { headers: signGithub('old-github-secret', payload), rawBody: payload }, [
        'new-github-secret',
        'old-github-secret',
      ]),
    ).toEqual({ valid: true, secretIndex: 1 });
    expect(
      verify('github', { headers: signGithub('new-github-secret', payload), rawBody: payload }, [
        'new-github-secret',
        'old-github-secret',
      ]),
    ).toEqual({ valid: true, secretIndex: 0 });
  });

  it('hashes unicode bodies as their UTF-8 bytes, whether given as text or bytes', () => {
    const body = '{"emoji":"🚀","text":"naïve café — 東京"}';
    const headers = {
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(Buffer.from(body, 'utf8')).digest('hex')}`,
    };
    expect(verify('github', { headers, rawBody: body }, [secret]).valid).toBe(true);
    expect(verify('github', { headers, rawBody: Buffer.from(body, 'utf8') }, [secret]).valid).toBe(true);
  });
});

describe('stripe scheme', () => {
  const secret = 'whsec_test_stripe_secret';
  const body = '{"id":"evt_1","object":"event","type":"payment_intent.succeeded"}';
  const independentSignature = (timestamp: number, payload = body, key = secret) =>
    createHmac('sha256', key).update(`${timestamp}.${payload}`).digest('hex');

  it('accepts a signature computed as Stripe documents it (HMAC of "<t>.<body>")', () => {
    const header = `t=${nowSeconds},v1=${independentSignature(nowSeconds)}`;
    expect(verify('stripe', { headers: { 'stripe-signature': header }, rawBody: body }, [secret])).toEqual({
      valid: true,
      secretIndex: 0,
    });
    expect(signStripe(secret, body, nowSeconds)).toEqual({ 'stripe-signature': header });
  });

  it('accepts when any of several v1 signatures matches and ignores v0 and unknown entries', () => {
    const header = `t=${nowSeconds},v0=${'0'.repeat(64)},v1=${'1'.repeat(64)},v1=${independentSignature(nowSeconds)},foo=bar,novalue`;
    expect(verify('stripe', { headers: { 'stripe-signature': header }, rawBody: body }, [secret]).valid).toBe(
      true,
    );
  });

  it('tolerates spaces around header entries', () => {
    const header = `t=${nowSeconds}, v1=${independentSignature(nowSeconds)}`;
    expect(verify('stripe', { headers: { 'stripe-signature': header }, rawBody: body }, [secret]).valid).toBe(
      true,
    );
  });

  it('finds t and v1 among other entries in any order, with spaces, empty entries and stray = signs', () => {
    const otherEntry = fc
      .string({ unit: fc.constantFrom('a', 'v', '0', '1', 't', '=', ' ', 'x'), maxLength: 12 })
      .filter((entry) => !['t', 'v1'].includes(entry.split('=')[0]!.trim()) || !entry.includes('='));
    fc.assert(
      fc.property(
        fc.array(otherEntry, { maxLength: 6 }),
        fc.nat(),
        fc.nat(),
        fc.constantFrom('', ' ', '  '),
        (others, timestampAt, signatureAt, space) => {
          const entries = [...others];
          entries.splice(timestampAt % (entries.length + 1), 0, `${space}t=${nowSeconds}${space}`);
          entries.splice(
            signatureAt % (entries.length + 1),
            0,
            `${space}v1=${independentSignature(nowSeconds)}`,
          );
          const header = entries.join(',');
          expect(
            verify('stripe', { headers: { 'stripe-signature': header }, rawBody: body }, [secret]),
          ).toEqual({ valid: true, secretIndex: 0 });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads a header of thousands of entries, most without an = sign', () => {
    const header = `${'x,'.repeat(3000)}t=${nowSeconds},${'y,'.repeat(3000)}v1=${independentSignature(nowSeconds)}`;
    expect(verify('stripe', { headers: { 'stripe-signature': header }, rawBody: body }, [secret]).valid).toBe(
      true,
    );
  });

  it('takes the last t when several are given, as before', () => {
    const signed = independentSignature(nowSeconds);
    const header = `t=${nowSeconds - 10},v1=${signed},t=${nowSeconds}`;
    expect(verify('stripe', { headers: { 'stripe-signature': header }, rawBody: body }, [secret]).valid).toBe(
      true,
    );
  });

  it('accepts timestamps exactly 300 s old or ahead and refuses 301 s as stale', () => {
    for (const offset of [-300, 300]) {
      const t = nowSeconds + offset;
      expect(verify('stripe', { headers: signStripe(secret, body, t), rawBody: body }, [secret]).valid).toBe(
        true,
      );
    }
    for (const offset of [-301, 301]) {
      const t = nowSeconds + offset;
      expect(
        verify('stripe', { headers: signStripe(secret, body, t), rawBody: body }, [secret]),
      ).toMatchObject({ failure: 'stale' });
    }
  });

  it('binds the timestamp: a valid signature moved to another t is a mismatch', () => {
    const header = `t=${nowSeconds + 1},v1=${independentSignature(nowSeconds)}`;
    expect(
      verify('stripe', { headers: { 'stripe-signature': header }, rawBody: body }, [secret]),
    ).toMatchObject({ failure: 'mismatch' });
  });

  it('refuses a tampered body and a wrong secret', () => {
    const headers = signStripe(secret, body, nowSeconds);
    expect(verify('stripe', { headers, rawBody: body.replace('evt_1', 'evt_2') }, [secret])).toMatchObject({
      failure: 'mismatch',
    });
    expect(verify('stripe', { headers, rawBody: body }, ['whsec_another-stripe-secret'])).toMatchObject({
      failure: 'mismatch',
    });
  });

  it.each([
    ['no timestamp', `v1=${'a'.repeat(64)}`],
    ['no v1 signature', `t=${nowSeconds}`],
    ['a non-numeric timestamp', `t=soon,v1=${'a'.repeat(64)}`],
    ['an exponent timestamp', `t=1e9,v1=${'a'.repeat(64)}`],
    ['only undecodable v1 values', `t=${nowSeconds},v1=xyz`],
  ])('reports %s as malformed', (_name, header) => {
    expect(
      verify('stripe', { headers: { 'stripe-signature': header }, rawBody: body }, [secret]),
    ).toMatchObject({ failure: 'malformed' });
  });

  it('reports a missing header as missing', () => {
    expect(verify('stripe', { headers: {}, rawBody: body }, [secret])).toMatchObject({ failure: 'missing' });
  });

  it('supports rotation', () => {
    expect(
      verify('stripe', { headers: signStripe('whsec_old-stripe-secret', body, nowSeconds), rawBody: body }, [
        'whsec_new-stripe-secret',
        'whsec_old-stripe-secret',
      ]),
    ).toEqual({
      valid: true,
      secretIndex: 1,
    });
  });
});

describe('standard webhooks scheme', () => {
  // The example of the Standard Webhooks specification (and its reference libraries' tests).
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const timestamp = 1614265330;
  const payload = '{"test": 2432232314}';
  const specSignature = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
  const specHeaders = {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': specSignature,
  };
  const atSpecTime = { nowMs: timestamp * 1000 };

  it("accepts the specification's example", () => {
    expect(verify('standard', { headers: specHeaders, rawBody: payload }, [secret], atSpecTime)).toEqual({
      valid: true,
      secretIndex: 0,
    });
  });

  it('signs exactly as the specification', () => {
    expect(signStandard(secret, id, payload, timestamp)).toEqual(specHeaders);
  });

  it('accepts a secret without the whsec_ prefix', () => {
    expect(
      verify('standard', { headers: specHeaders, rawBody: payload }, [secret.slice(6)], atSpecTime).valid,
    ).toBe(true);
  });

  it("accepts Svix's svix-* header names", () => {
    const headers = { 'svix-id': id, 'svix-timestamp': String(timestamp), 'svix-signature': specSignature };
    expect(verify('standard', { headers, rawBody: payload }, [secret], atSpecTime).valid).toBe(true);
  });

  it('accepts when one entry of a space-separated list matches, skipping other versions', () => {
    const headers = {
      ...specHeaders,
      'webhook-signature': `v1a,abc v1,${Buffer.alloc(32).toString('base64')}  ${specSignature}`,
    };
    expect(verify('standard', { headers, rawBody: payload }, [secret], atSpecTime).valid).toBe(true);
  });

  it('finds a v1 entry among other entries in any order, whatever the spacing', () => {
    const otherEntry = fc.oneof(
      fc.constantFrom('v1a,abc', 'v2,Zm9v', 'v1,', 'v1,short', `v1,${'A'.repeat(43)}`, 'v1', ','),
      fc.string({ unit: fc.constantFrom('v', '1', ',', 'A', '=', '+'), minLength: 1, maxLength: 50 }),
    );
    fc.assert(
      fc.property(
        fc.array(otherEntry, { maxLength: 5 }),
        fc.nat(),
        fc.constantFrom(' ', '  '),
        (others, at, separator) => {
          const entries = [...others];
          entries.splice(at % (entries.length + 1), 0, specSignature);
          const headers = { ...specHeaders, 'webhook-signature': entries.join(separator) };
          expect(verify('standard', { headers, rawBody: payload }, [secret], atSpecTime).valid).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('ignores a valid signature given under another version, wherever v1 appears in the header', () => {
    for (const signature of [`v2,${specSignature.slice(3)}`, `v2,${specSignature.slice(3)} v1,x`]) {
      const headers = { ...specHeaders, 'webhook-signature': signature };
      expect(verify('standard', { headers, rawBody: payload }, [secret], atSpecTime)).toMatchObject({
        valid: false,
        failure: 'malformed',
      });
    }
  });

  it('binds the id and the timestamp into the signature', () => {
    expect(
      verify(
        'standard',
        { headers: { ...specHeaders, 'webhook-id': 'msg_other' }, rawBody: payload },
        [secret],
        atSpecTime,
      ),
    ).toMatchObject({
      failure: 'mismatch',
    });
    const shifted = { ...specHeaders, 'webhook-timestamp': String(timestamp + 1) };
    expect(verify('standard', { headers: shifted, rawBody: payload }, [secret], atSpecTime)).toMatchObject({
      failure: 'mismatch',
    });
  });

  it('refuses a tampered body', () => {
    expect(
      verify('standard', { headers: specHeaders, rawBody: '{"test": 2432232315}' }, [secret], atSpecTime),
    ).toMatchObject({ failure: 'mismatch' });
  });

  it('applies ±300 s inclusive', () => {
    const request = { headers: specHeaders, rawBody: payload };
    expect(verify('standard', request, [secret], { nowMs: (timestamp + 300) * 1000 }).valid).toBe(true);
    expect(verify('standard', request, [secret], { nowMs: (timestamp - 300) * 1000 }).valid).toBe(true);
    expect(verify('standard', request, [secret], { nowMs: (timestamp + 301) * 1000 })).toMatchObject({
      failure: 'stale',
    });
    expect(verify('standard', request, [secret], { nowMs: (timestamp - 301) * 1000 })).toMatchObject({
      failure: 'stale',
    });
  });

  it('reports a missing signature as missing and missing id/timestamp or no v1 entry as malformed', () => {
    const { 'webhook-signature': _signature, ...withoutSignature } = specHeaders;
    expect(
      verify('standard', { headers: withoutSignature, rawBody: payload }, [secret], atSpecTime),
    ).toMatchObject({ failure: 'missing' });
    const { 'webhook-id': _id, ...withoutId } = specHeaders;
    expect(verify('standard', { headers: withoutId, rawBody: payload }, [secret], atSpecTime)).toMatchObject({
      failure: 'malformed',
    });
    expect(
      verify(
        'standard',
        { headers: { ...specHeaders, 'webhook-timestamp': 'yesterday' }, rawBody: payload },
        [secret],
        atSpecTime,
      ),
    ).toMatchObject({
      failure: 'malformed',
    });
    expect(
      verify(
        'standard',
        { headers: { ...specHeaders, 'webhook-signature': 'v2,abc' }, rawBody: payload },
        [secret],
        atSpecTime,
      ),
    ).toMatchObject({
      failure: 'malformed',
    });
  });

  it('supports rotation', () => {
    const newSecret = `whsec_${Buffer.from('a brand new signing key').toString('base64')}`;
    expect(
      verify('standard', { headers: specHeaders, rawBody: payload }, [newSecret, secret], atSpecTime),
    ).toEqual({ valid: true, secretIndex: 1 });
  });
});

describe('hmac-sha256 scheme', () => {
  const secret = 'generic hmac secret';
  const body = 'plain text ✓';
  const hexOptions: HmacSchemeOptions = { header: 'x-signature', encoding: 'hex', prefix: '' };
  const base64Options: HmacSchemeOptions = {
    header: 'x-hook-signature',
    encoding: 'base64',
    prefix: 'sha256=',
  };

  it('accepts hex without prefix and base64 with a prefix, computed independently', () => {
    const hex = createHmac('sha256', secret).update(body).digest('hex');
    expect(
      verify('hmac-sha256', { headers: { 'x-signature': hex }, rawBody: body }, [secret], {
        hmac: hexOptions,
      }).valid,
    ).toBe(true);
    const base64 = createHmac('sha256', secret).update(body).digest('base64');
    const headers = { 'x-hook-signature': `sha256=${base64}` };
    expect(verify('hmac-sha256', { headers, rawBody: body }, [secret], { hmac: base64Options }).valid).toBe(
      true,
    );
    expect(signGenericHmac(secret, body, base64Options)).toEqual(headers);
  });

  it('refuses a missing prefix or the wrong encoding as malformed, a wrong secret as a mismatch', () => {
    const base64 = createHmac('sha256', secret).update(body).digest('base64');
    expect(
      verify('hmac-sha256', { headers: { 'x-hook-signature': base64 }, rawBody: body }, [secret], {
        hmac: base64Options,
      }),
    ).toMatchObject({
      failure: 'malformed',
    });
    expect(
      verify('hmac-sha256', { headers: { 'x-signature': base64 }, rawBody: body }, [secret], {
        hmac: hexOptions,
      }),
    ).toMatchObject({
      failure: 'malformed',
    });
    expect(
      verify(
        'hmac-sha256',
        { headers: signGenericHmac('other', body, hexOptions), rawBody: body },
        [secret],
        { hmac: hexOptions },
      ),
    ).toMatchObject({
      failure: 'mismatch',
    });
    expect(
      verify('hmac-sha256', { headers: {}, rawBody: body }, [secret], { hmac: hexOptions }),
    ).toMatchObject({ failure: 'missing' });
  });

  it('cannot be used without its header options', () => {
    expect(() => verify('hmac-sha256', { headers: {}, rawBody: body }, [secret])).toThrow(/header options/);
  });

  it('sender: signs with the id and event in the headers the source names, and refuses a source without its signature header', () => {
    const sender = senders['hmac-sha256'];
    const sample = sender.sampleBody(sender.defaultEvent, 'dlv_1', nowSeconds);
    expect(JSON.parse(sample.toString())).toMatchObject({ id: 'dlv_1', type: 'sample.created' });
    const send = { secret, body: sample, id: 'dlv_1', event: 'sample.created', nowSeconds };
    const settings = { hmac: hexOptions, idHeader: 'x-delivery', eventHeader: 'x-event' };
    expect(sender.sign({ ...send, settings }).headers).toEqual({
      'x-delivery': 'dlv_1',
      'x-event': 'sample.created',
      ...signGenericHmac(secret, sample, hexOptions),
    });
    expect(() => sender.sign({ ...send, settings: {} })).toThrow(/names its signature header/);
  });
});

describe('properties (fast-check)', () => {
  const schemes = ['github', 'stripe', 'standard', 'hmac-sha256'] as const;
  const hmac: HmacSchemeOptions = { header: 'x-sig', encoding: 'base64', prefix: 'v1=' };
  const standardSecret = `whsec_${Buffer.from('property test secret').toString('base64')}`;
  const sign = (scheme: (typeof schemes)[number], secret: string, body: Buffer) => {
    switch (scheme) {
      case 'github':
        return signGithub(secret, body);
      case 'stripe':
        return signStripe(secret, body, nowSeconds);
      case 'standard':
        return signStandard(secret, 'msg_1', body, nowSeconds);
      case 'hmac-sha256':
        return signGenericHmac(secret, body, hmac);
    }
  };
  const secretOf = (scheme: string) => (scheme === 'standard' ? standardSecret : 'property test secret');

  it('a signed body always verifies, and any single changed byte never does', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...schemes),
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (scheme, bytes, at, delta) => {
          const body = Buffer.from(bytes);
          const headers = sign(scheme, secretOf(scheme), body);
          expect(verify(scheme, { headers, rawBody: body }, [secretOf(scheme)], { hmac }).valid).toBe(true);
          const tampered = Buffer.from(body);
          const index = at % tampered.length;
          tampered[index] = (tampered[index]! + delta) % 256;
          expect(verify(scheme, { headers, rawBody: tampered }, [secretOf(scheme)], { hmac })).toMatchObject({
            valid: false,
            failure: 'mismatch',
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws and never accepts arbitrary header values', () => {
    const headerNames = [
      'x-hub-signature-256',
      'stripe-signature',
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
      'x-sig',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...schemes),
        fc.dictionary(fc.constantFrom(...headerNames), fc.string({ unit: 'binary', maxLength: 200 })),
        fc.string(),
        (scheme, headers, body) => {
          const check = verify(scheme, { headers, rawBody: body }, [secretOf(scheme)], { hmac });
          expect(check.valid).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('signing keys from configured secrets', () => {
  const schemes: readonly SchemeName[] = ['github', 'stripe', 'standard', 'hmac-sha256'];
  const asConfigured = (scheme: SchemeName, key: Buffer) =>
    scheme === 'standard' ? `whsec_${key.toString('base64')}` : key.toString('latin1');

  it('refuses, for every scheme, a secret that decodes to fewer than 16 bytes (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...schemes),
        fc.uint8Array({ minLength: 0, maxLength: minimumSigningKeyBytes - 1 }),
        (scheme, bytes) => {
          const key = Buffer.from(
            scheme === 'standard' ? bytes : Buffer.from(bytes).toString('hex').slice(0, bytes.length),
          );
          const secret = asConfigured(scheme, key);
          expect(decodeSigningKey(scheme, secret)).toEqual({ problem: expect.any(String) });
          expect(() => signingKeyFromSecret(scheme, secret)).toThrow(UnusableSigningKeyError);
        },
      ),
    );
  });

  it('accepts 16 bytes and more, decoded as each scheme says', () => {
    const key = Buffer.from('sixteen-byte-key');
    for (const scheme of schemes)
      expect(signingKeyFromSecret(scheme, asConfigured(scheme, key))).toEqual(key);
    expect(signingKeyFromSecret('stripe', 'whsec_abcdefghij')).toEqual(Buffer.from('whsec_abcdefghij'));
  });

  it.each([
    ['a lone whsec_', 'whsec_'],
    ['text that is not base64', 'whsec_this is a long secret but not base64!'],
    ['base64 followed by junk', `whsec_${Buffer.alloc(24, 1).toString('base64')}!!`],
    [
      'base64 with a stray character inside',
      `whsec_${Buffer.alloc(24, 1).toString('base64').slice(0, 10)}*${Buffer.alloc(24, 1).toString('base64').slice(10)}`,
    ],
    ['url-safe base64', `whsec_${Buffer.alloc(24, 0xfb).toString('base64url')}`],
  ])('refuses a standard secret that is %s, without quoting it', (_name, secret) => {
    const decoded = decodeSigningKey('standard', secret);
    expect(decoded).toEqual({ problem: expect.any(String) });
    if (secret.length > 'whsec_'.length)
      expect((decoded as { problem: string }).problem).not.toContain(secret.slice('whsec_'.length));
    expect(() => signingKeyFromSecret('standard', secret)).toThrow(UnusableSigningKeyError);
  });
});
