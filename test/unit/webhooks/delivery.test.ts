import { createHash } from 'node:crypto';
import { BadRequestError } from '../../../src/errors';
import { contentDeliveryId, identifyDelivery, isValidDeliveryId } from '../../../src/webhooks/delivery';
import type { WebhookSource } from '../../../src/webhooks/sources';

const github: WebhookSource = { name: 'github', scheme: 'github' };
const stripe: WebhookSource = { name: 'stripe', scheme: 'stripe' };
const standard: WebhookSource = { name: 'standard', scheme: 'standard' };
const generic: WebhookSource = {
  name: 'acme',
  scheme: 'hmac-sha256',
  idHeader: 'x-acme-id',
  eventHeader: 'x-acme-event',
};
const genericBare: WebhookSource = { name: 'bare', scheme: 'hmac-sha256' };

describe('identifyDelivery', () => {
  it('deduplicates GitHub by the body (X-GitHub-Delivery is not signed) and keeps the delivery id for tracing', () => {
    const headers = {
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      'x-github-event': 'pull_request',
    };
    expect(identifyDelivery(github, { headers, rawBody: '{}' })).toEqual({
      deliveryId: contentDeliveryId('github', '{}'),
      providerId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      eventType: 'pull_request',
    });
  });

  it('gives one signed body the same delivery id whatever unsigned id and event headers it is resent with', () => {
    const body = '{"ref":"refs/heads/main","after":"c0ffee"}';
    const resends = ['push', 'release', 'deployment', 'push'].map((event, index) =>
      identifyDelivery(github, {
        headers: {
          'x-github-delivery': `replayed-${index}-${Math.random().toString(36).slice(2)}`,
          'x-github-event': event,
        },
        rawBody: body,
      }),
    );
    expect(new Set(resends.map(({ deliveryId }) => deliveryId))).toEqual(
      new Set([contentDeliveryId('github', body)]),
    );
    expect(new Set(resends.map(({ providerId }) => providerId)).size).toBe(4);
  });

  it("takes Stripe's event id and type from the body", () => {
    const body = JSON.stringify({
      id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy',
      object: 'event',
      data: { object: { id: 'pi_1', type: 'card' } },
      type: 'payment_intent.created',
    });
    expect(identifyDelivery(stripe, { headers: {}, rawBody: body })).toEqual({
      deliveryId: 'evt_1NG8Du2eZvKYlo2CUI79vXWy',
      eventType: 'payment_intent.created',
    });
    expect(identifyDelivery(stripe, { headers: {}, rawBody: Buffer.from(body) }).deliveryId).toBe(
      'evt_1NG8Du2eZvKYlo2CUI79vXWy',
    );
  });

  it('takes the Standard Webhooks id from webhook-id (or svix-id) and the type from the body', () => {
    expect(
      identifyDelivery(standard, {
        headers: { 'webhook-id': 'msg_1' },
        rawBody: '{"type":"invoice.paid","data":{}}',
      }),
    ).toEqual({
      deliveryId: 'msg_1',
      eventType: 'invoice.paid',
    });
    expect(identifyDelivery(standard, { headers: { 'svix-id': 'msg_2' }, rawBody: '{}' }).deliveryId).toBe(
      'msg_2',
    );
  });

  it('deduplicates hmac-sha256 sources by the body (only the body is signed), keeping the id header for tracing', () => {
    expect(
      identifyDelivery(generic, {
        headers: { 'x-acme-id': 'd-1', 'x-acme-event': 'order.created' },
        rawBody: 'x',
      }),
    ).toEqual({
      deliveryId: contentDeliveryId('acme', 'x'),
      providerId: 'd-1',
      eventType: 'order.created',
    });
    expect(identifyDelivery(genericBare, { headers: {}, rawBody: '{"type":"thing.done"}' }).eventType).toBe(
      'thing.done',
    );
  });

  it('falls back to sha256("<source>:" + body) when the provider gives no id', () => {
    const body = 'no id here ✓';
    const expected = createHash('sha256').update(`bare:${body}`, 'utf8').digest('hex');
    expect(identifyDelivery(genericBare, { headers: {}, rawBody: body }).deliveryId).toBe(expected);
    expect(identifyDelivery(github, { headers: {}, rawBody: body }).deliveryId).toBe(
      contentDeliveryId('github', Buffer.from(body)),
    );
    expect(identifyDelivery(stripe, { headers: {}, rawBody: '{"id":"not an/id"}' }).deliveryId).toBe(
      contentDeliveryId('stripe', '{"id":"not an/id"}'),
    );
  });

  it('gives the same content id for the same source and body only', () => {
    expect(contentDeliveryId('a', 'body')).toBe(contentDeliveryId('a', Buffer.from('body')));
    expect(contentDeliveryId('a', 'body')).not.toBe(contentDeliveryId('b', 'body'));
  });

  it('calls an absent or unusable event type "unknown"', () => {
    expect(identifyDelivery(github, { headers: { 'x-github-delivery': 'd' }, rawBody: '' }).eventType).toBe(
      'unknown',
    );
    expect(
      identifyDelivery(github, {
        headers: { 'x-github-delivery': 'd', 'x-github-event': 'bad type*' },
        rawBody: '',
      }).eventType,
    ).toBe('unknown');
  });

  it('refuses an id header that cannot be a key (path characters, too long) with a 400', () => {
    for (const id of ['../../etc', 'a b', 'x'.repeat(129), '-leading']) {
      expect(() => identifyDelivery(github, { headers: { 'x-github-delivery': id }, rawBody: '' })).toThrow(
        BadRequestError,
      );
    }
  });

  it('validates ids', () => {
    expect(isValidDeliveryId('evt_1:2.3-4')).toBe(true);
    expect(isValidDeliveryId('a/b')).toBe(false);
  });
});
