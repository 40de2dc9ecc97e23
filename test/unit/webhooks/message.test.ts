import { BadRequestError } from '../../../src/errors';
import {
  buildWebhookMessage,
  fitsInBytes,
  parseWebhookMessage,
  rawBodyOf,
  safeHeaders,
  serialiseWebhookMessage,
} from '../../../src/webhooks/message';
import { archiveKey, archivePrefix, claimKey, parseArchiveKey } from '../../../src/webhooks/object-keys';
import type { WebhookSource } from '../../../src/webhooks/sources';

const github: WebhookSource = { name: 'github', scheme: 'github' };
const receivedAtMs = Date.UTC(2026, 2, 4, 5, 6, 7, 890);

describe('webhook queue messages', () => {
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/1',
    'x-github-event': 'push',
    'x-github-delivery': 'd-1',
    'x-hub-signature-256': 'sha256=abc',
    'x-hub-signature': 'sha1=abc',
    authorization: 'Bearer secret',
    cookie: 'a=b',
  };

  it('keeps descriptive headers and drops signatures, credentials and cookies', () => {
    expect(safeHeaders(github, headers)).toEqual({
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/1',
      'x-github-event': 'push',
      'x-github-delivery': 'd-1',
    });
  });

  it('keeps configured id and event headers unless they look like credentials', () => {
    const acme: WebhookSource = {
      name: 'acme',
      scheme: 'hmac-sha256',
      idHeader: 'x-acme-id',
      eventHeader: 'x-api-key',
      hmac: { header: 'x-acme-signature', encoding: 'hex', prefix: '' },
    };
    expect(safeHeaders(acme, { 'x-acme-id': '1', 'x-api-key': 'k', 'x-acme-signature': 's' })).toEqual({
      'x-acme-id': '1',
    });
    const signatureAsId: WebhookSource = { ...acme, idHeader: 'x-acme-signature', eventHeader: undefined };
    expect(safeHeaders(signatureAsId, { 'x-acme-signature': 's' })).toEqual({});
  });

  it('round-trips metadata and a unicode body byte for byte', () => {
    const body = '{"text":"naïve 🚀\\n","n":1}\n second line';
    const message = buildWebhookMessage({
      source: github,
      identity: { deliveryId: 'd-1', eventType: 'push', providerId: 'gh-delivery-1' },
      headers,
      body,
      isBase64Encoded: false,
      receivedAtMs,
    });
    expect(message.meta).toEqual({
      v: 1,
      source: 'github',
      type: 'push',
      id: 'd-1',
      providerId: 'gh-delivery-1',
      receivedAt: '2026-03-04T05:06:07.890Z',
      encoding: 'utf8',
      headers: safeHeaders(github, headers),
    });
    const text = serialiseWebhookMessage(message);
    expect(text.split('\n')[0]).not.toContain('secret');
    expect(parseWebhookMessage(text)).toEqual(message);
    expect(rawBodyOf(message.meta, message.body).toString('utf8')).toBe(body);
    const bytes = Buffer.from(text).length;
    expect(fitsInBytes(text, bytes)).toBe(true);
    expect(fitsInBytes(text, bytes - 1)).toBe(false);
  });

  it('keeps a base64 body as base64 and decodes it back to the same bytes', () => {
    const bytes = Buffer.from([0, 255, 1, 2, 3]);
    const message = buildWebhookMessage({
      source: github,
      identity: { deliveryId: 'd', eventType: 'push' },
      headers: {},
      body: bytes.toString('base64'),
      isBase64Encoded: true,
      receivedAtMs,
    });
    const parsed = parseWebhookMessage(serialiseWebhookMessage(message));
    expect(parsed.meta.encoding).toBe('base64');
    expect(rawBodyOf(parsed.meta, parsed.body)).toEqual(bytes);
  });

  it.each([
    ['not JSON', 'hello'],
    ['JSON that is not a delivery', '{"v":2}\nbody'],
    [
      'an id that could escape its key',
      JSON.stringify({
        v: 1,
        source: 's',
        type: 't',
        id: '../x',
        receivedAt: 'r',
        encoding: 'utf8',
        headers: {},
      }),
    ],
  ])('treats %s as poison (BadRequestError)', (_name, text) => {
    expect(() => parseWebhookMessage(text)).toThrow(BadRequestError);
  });

  it('parses a metadata line with no body and a claim reference', () => {
    const meta = {
      v: 1,
      source: 's',
      type: 't',
      id: 'i',
      receivedAt: 'r',
      encoding: 'utf8',
      headers: {},
      claim: { key: 'k', bytes: 3 },
    };
    expect(parseWebhookMessage(JSON.stringify(meta))).toEqual({ meta, body: '' });
  });
});

describe('fitsInBytes', () => {
  it('decides by cheap bounds when it can and counts UTF-8 bytes exactly otherwise', () => {
    expect(fitsInBytes('abc', 9)).toBe(true);
    expect(fitsInBytes('abcd', 3)).toBe(false);
    expect(fitsInBytes('ééé', 6)).toBe(true);
    expect(fitsInBytes('ééé', 5)).toBe(false);
    expect(fitsInBytes('🚀', 4)).toBe(true);
    expect(fitsInBytes('🚀', 3)).toBe(false);
  });
});

describe('object keys', () => {
  it('archives under events/<source>/<yyyy>/<mm>/<dd>/<id>.json and parses back', () => {
    const key = archiveKey('github', 'd-1', '2026-03-04T05:06:07.890Z');
    expect(key).toBe('events/github/2026/03/04/d-1.json');
    expect(key.startsWith(archivePrefix('github'))).toBe(true);
    expect(parseArchiveKey(key)).toEqual({ source: 'github', date: '2026-03-04', deliveryId: 'd-1' });
  });

  it('keeps claims apart from every archive', () => {
    const key = claimKey('github', 'd-1', '2026-03-04T05:06:07.890Z');
    expect(key).toBe('events/_claims/github/2026/03/04/d-1.body');
    expect(parseArchiveKey(key)).toBeUndefined();
    expect(parseArchiveKey('uploads/x.json')).toBeUndefined();
  });
});
