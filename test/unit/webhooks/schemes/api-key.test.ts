import fc from 'fast-check';
import { BadRequestError, UnauthorizedError } from '../../../../src/errors';
import { acceptWebhook } from '../../../../src/webhooks/accept';
import { schemes } from '../../../../src/webhooks/schemes';
import { contentDeliveryId } from '../../../../src/webhooks/delivery';
import { serialiseWebhookMessage, type WebhookMessage } from '../../../../src/webhooks/message';
import { senders, signApiKey } from '../../../../src/webhooks/senders';
import type { WebhookRequest } from '../../../../src/webhooks/signature';
import { createSigningKeyResolver } from '../../../../src/webhooks/signing-keys';
import { loadWebhookSources } from '../../../../src/webhooks/sources';
import { verifyWithSecrets } from './verify-with-secrets';

const nowMs = Date.UTC(2026, 5, 1, 10, 0, 0);
const key = 'ak_live_4f9c2b7e1d8a';
const previousKey = 'ak_live_0a1b2c3d4e5f';

const verify = (
  request: WebhookRequest,
  secrets: readonly string[],
  hmac?: { header: string; prefix: string },
) =>
  verifyWithSecrets('api-key', request, secrets, {
    nowMs,
    ...(hmac === undefined ? {} : { settings: { hmac: { ...hmac, encoding: 'hex' } } }),
  });

describe('api-key scheme', () => {
  it('reads the key from x-api-key by default', () => {
    expect(signApiKey(key)).toEqual({ 'x-api-key': key });
    expect(verify({ headers: { 'x-api-key': key }, rawBody: '{}' }, [key])).toEqual({
      valid: true,
      secretIndex: 0,
    });
  });

  it('reads it from a configured header after a configured prefix', () => {
    const settings = { header: 'authorization', prefix: 'Bearer' };
    expect(signApiKey(key, { hmac: { ...settings, encoding: 'hex' } })).toEqual({
      authorization: `Bearer ${key}`,
    });
    expect(
      verify({ headers: { authorization: `Bearer ${key}` }, rawBody: '{}' }, [key], settings).valid,
    ).toBe(true);
    expect(verify({ headers: { authorization: key }, rawBody: '{}' }, [key], settings)).toMatchObject({
      failure: 'malformed',
    });
    expect(signApiKey(key, { hmac: { header: 'x-token', prefix: 'token=', encoding: 'hex' } })).toEqual({
      'x-token': `token=${key}`,
    });
  });

  it('accepts any key of a rotation list and says which one matched', () => {
    expect(verify({ headers: { 'x-api-key': previousKey }, rawBody: '' }, [key, previousKey])).toEqual({
      valid: true,
      secretIndex: 1,
    });
  });

  it('refuses a missing key (401) and a wrong one (mismatch)', () => {
    expect(verify({ headers: {}, rawBody: '{}' }, [key])).toMatchObject({ failure: 'missing' });
    expect(verify({ headers: { 'x-api-key': '' }, rawBody: '{}' }, [key])).toMatchObject({
      failure: 'missing',
    });
    expect(verify({ headers: { 'x-api-key': `${key}x` }, rawBody: '{}' }, [key])).toMatchObject({
      failure: 'mismatch',
    });
  });

  it('accepts exactly the configured key (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 16, maxLength: 64 }).filter((text) => text.trim() === text),
        fc.string({ maxLength: 64 }),
        (configured, presented) => {
          const check = verify({ headers: { 'x-api-key': presented }, rawBody: '{}' }, [configured]);
          expect(check.valid).toBe(presented.trim() === configured);
        },
      ),
    );
  });
});

describe('api-key identity and sender', () => {
  it('reads neither id nor type from the default key header', () => {
    const request = { headers: { 'x-api-key': key }, rawBody: '{"type":"from.body"}' };
    expect(schemes['api-key'].identify(request, { idHeader: 'x-api-key', eventHeader: 'x-api-key' })).toEqual(
      {
        signedId: undefined,
        eventType: 'from.body',
      },
    );
  });

  it('sends only the key when the source names no id or event header', () => {
    const body = senders['api-key'].sampleBody('sample.created', 'id_1', nowMs / 1000);
    expect(JSON.parse(body.toString())).toMatchObject({ id: 'id_1', type: 'sample.created' });
    const signed = senders['api-key'].sign({
      secret: key,
      settings: {},
      body,
      id: 'id_1',
      event: 'sample.created',
      nowSeconds: nowMs / 1000,
    });
    expect(signed).toEqual({ headers: { 'x-api-key': key } });
  });
});

describe('api-key sources', () => {
  it('default to x-api-key without WEBHOOK_SIGNATURE_HEADER_, and take a prefix alone', () => {
    const sources = loadWebhookSources({
      WEBHOOK_SECRET_API_KEY: key,
      WEBHOOK_SECRET_CRM: key,
      WEBHOOK_SCHEME_CRM: 'api-key',
      WEBHOOK_SIGNATURE_HEADER_CRM: 'Authorization',
      WEBHOOK_SIGNATURE_PREFIX_CRM: 'Bearer ',
    });
    expect(sources.get('api-key')).toMatchObject({
      scheme: 'api-key',
      hmac: { header: 'x-api-key', prefix: '' },
    });
    expect(sources.get('crm')).toMatchObject({ hmac: { header: 'authorization', prefix: 'Bearer' } });
  });
});

describe('api-key scheme through acceptWebhook', () => {
  const deps = {
    sources: loadWebhookSources({
      WEBHOOK_SECRET_CRM: `${key},${previousKey}`,
      WEBHOOK_SCHEME_CRM: 'api-key',
      WEBHOOK_ID_HEADER_CRM: 'x-crm-delivery',
      WEBHOOK_EVENT_HEADER_CRM: 'x-crm-event',
      WEBHOOK_SECRET_API_KEY: key,
    }),
    signingKeys: createSigningKeyResolver(),
    nowMs: () => nowMs,
    maxBodyBytes: 1024,
  };
  const messageOf = (accepted: unknown) => (accepted as { message: WebhookMessage }).message;

  it('deduplicates by the id header (the key authenticates the whole request) and types by the event header', async () => {
    const source = deps.sources.get('crm')!;
    const body = senders['api-key'].sampleBody('contact.updated', 'dlv_1', nowMs / 1000);
    const { headers } = senders['api-key'].sign({
      secret: key,
      settings: source,
      body,
      id: 'dlv_1',
      event: 'contact.updated',
      nowSeconds: nowMs / 1000,
    });
    const message = messageOf(
      await acceptWebhook(
        { sourceParam: 'crm', headers, body: body.toString(), isBase64Encoded: false },
        deps,
      ),
    );
    expect(message.meta).toMatchObject({ source: 'crm', id: 'dlv_1', type: 'contact.updated' });
    expect(message.meta).not.toHaveProperty('providerId');
    expect(message.meta.headers).toEqual({ 'x-crm-delivery': 'dlv_1', 'x-crm-event': 'contact.updated' });
    expect(serialiseWebhookMessage(message)).not.toContain(key);
  });

  it('never keeps or reads the key header, even when configured as the id or event header', async () => {
    const sources = loadWebhookSources({
      WEBHOOK_SECRET_LEAKY: key,
      WEBHOOK_SCHEME_LEAKY: 'api-key',
      WEBHOOK_SIGNATURE_HEADER_LEAKY: 'x-hook-auth',
      WEBHOOK_EVENT_HEADER_LEAKY: 'x-hook-auth',
      WEBHOOK_ID_HEADER_LEAKY: 'x-hook-auth',
    });
    const message = messageOf(
      await acceptWebhook(
        {
          sourceParam: 'leaky',
          headers: { 'x-hook-auth': key },
          body: '{"type":"a"}',
          isBase64Encoded: false,
        },
        { ...deps, sources },
      ),
    );
    expect(serialiseWebhookMessage(message)).not.toContain(key);
  });

  it('without an id header, deduplicates by content and types by the body', async () => {
    const body = '{"type":"ticket.closed","id":"t1"}';
    const message = messageOf(
      await acceptWebhook(
        { sourceParam: 'api-key', headers: { 'x-api-key': key }, body, isBase64Encoded: false },
        deps,
      ),
    );
    expect(message.meta).toMatchObject({ id: contentDeliveryId('api-key', body), type: 'ticket.closed' });
  });

  it('answers 401 without the key and 400 for an unusable id header', async () => {
    const post = { sourceParam: 'crm', body: '{}', isBase64Encoded: false };
    await expect(acceptWebhook({ ...post, headers: {} }, deps)).rejects.toThrow(UnauthorizedError);
    await expect(
      acceptWebhook({ ...post, headers: { 'x-api-key': key, 'x-crm-delivery': 'no spaces allowed' } }, deps),
    ).rejects.toThrow(BadRequestError);
  });
});
