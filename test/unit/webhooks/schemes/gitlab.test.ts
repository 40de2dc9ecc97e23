import fc from 'fast-check';
import { BadRequestError, UnauthorizedError } from '../../../../src/errors';
import { acceptWebhook, type IncomingWebhook } from '../../../../src/webhooks/accept';
import { contentDeliveryId } from '../../../../src/webhooks/delivery';
import { gitlab, gitlabEventType, verifyGitlabToken } from '../../../../src/webhooks/schemes/gitlab';
import { senders, signGitlab } from '../../../../src/webhooks/senders';
import { createSigningKeyResolver } from '../../../../src/webhooks/signing-keys';
import { loadWebhookSources } from '../../../../src/webhooks/sources';

// GitLab publishes no test vectors and ships no verifier: the scheme is a token sent as it is
// (provider-vectors.md §7, from GitLab's spec/services/web_hook_service_spec.rb).

const nowMs = Date.UTC(2026, 5, 1, 10, 0, 0);
const token = 'glwht-unit-test-current-token';
const olderToken = 'glwht-unit-test-older-token';
const body = '{"object_kind":"push","ref":"refs/heads/main"}';

const verify = (headers: Record<string, string>, tokens = [token]) =>
  verifyGitlabToken({
    request: { headers, rawBody: body },
    keys: tokens.map((value) => Buffer.from(value)),
    nowMs,
  });

describe('gitlab scheme: verification', () => {
  it('accepts the configured token in X-Gitlab-Token', () => {
    expect(verify(signGitlab(token))).toEqual({ valid: true, secretIndex: 0 });
  });

  it('refuses another token, a prefix of it and a longer one as a mismatch (401)', () => {
    for (const presented of ['glwht-unit-test-someone-else', token.slice(0, -1), `${token}x`])
      expect(verify(signGitlab(presented))).toMatchObject({ valid: false, failure: 'mismatch' });
  });

  it('refuses a missing or empty X-Gitlab-Token as missing (401)', () => {
    expect(verify({})).toMatchObject({ valid: false, failure: 'missing' });
    expect(verify({ 'x-gitlab-token': '' })).toMatchObject({ valid: false, failure: 'missing' });
  });

  it('accepts an older token during rotation and says which one matched', () => {
    expect(verify(signGitlab(olderToken), [token, olderToken])).toEqual({ valid: true, secretIndex: 1 });
  });

  it('authenticates the sender, not the body: a token never protects what it comes with', () => {
    // Why docs/webhooks.md asks for HTTPS only and rotation: anyone who sees one request can reuse it.
    const tampered = verifyGitlabToken({
      request: { headers: signGitlab(token), rawBody: `${body} tampered` },
      keys: [Buffer.from(token)],
      nowMs,
    });
    expect(tampered.valid).toBe(true);
  });

  it('takes the token as UTF-8 bytes and refuses one shorter than 16 bytes', () => {
    expect(gitlab.decodeKey(token)).toEqual({ key: Buffer.from(token) });
    expect(gitlab.decodeKey('short-token')).toEqual({ problem: expect.stringContaining('16 bytes') });
  });

  it('property: any token is accepted as itself, and changing any one character refuses it', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-ascii', minLength: 16, maxLength: 64 }),
        fc.nat(),
        fc.integer({ min: 1, max: 94 }),
        (configured, position, delta) => {
          expect(verify(signGitlab(configured), [configured]).valid).toBe(true);
          const index = position % configured.length;
          const changed =
            configured.slice(0, index) +
            String.fromCharCode(((configured.charCodeAt(index) - 32 + delta) % 95) + 32) +
            configured.slice(index + 1);
          expect(verify(signGitlab(changed), [configured]).valid).toBe(false);
        },
      ),
    );
  });
});

describe('gitlab scheme: identity', () => {
  const identify = (headers: Record<string, string>) => gitlab.identify({ headers, rawBody: body }, {});

  it('deduplicates by Idempotency-Key (the same on every retry) and routes by X-Gitlab-Event', () => {
    expect(
      identify({
        'idempotency-key': 'f9d8a6c2-3b1e-4c5d-9e7f-0a1b2c3d4e5f',
        'x-gitlab-webhook-uuid': '0f1e2d3c-request',
        'x-gitlab-event-uuid': '9a8b7c6d-trigger',
        'x-gitlab-event': 'Merge Request Hook',
      }),
    ).toEqual({
      signedId: 'f9d8a6c2-3b1e-4c5d-9e7f-0a1b2c3d4e5f',
      providerId: '0f1e2d3c-request',
      eventType: 'merge_request_hook',
    });
  });

  it('without Idempotency-Key (GitLab < 17.4), deduplicates by content, never by X-Gitlab-Event-UUID', () => {
    // The event UUID is shared by every hook one request triggers: it would merge distinct events.
    expect(identify({ 'x-gitlab-event-uuid': '9a8b7c6d-trigger', 'x-gitlab-event': 'Push Hook' })).toEqual({
      eventType: 'push_hook',
    });
  });

  it('turns X-Gitlab-Event names into routable types, and leaves a missing one undefined', () => {
    expect(gitlabEventType('Push Hook')).toBe('push_hook');
    expect(gitlabEventType(' Pipeline Hook ')).toBe('pipeline_hook');
    expect(gitlabEventType('System Hook')).toBe('system_hook');
    expect(gitlabEventType(undefined)).toBeUndefined();
  });

  it('refuses an Idempotency-Key that cannot be a delivery id (400)', () => {
    expect(() => identify({ 'idempotency-key': 'no spaces allowed' })).toThrow(BadRequestError);
  });
});

describe('gitlab scheme: through acceptWebhook', () => {
  const deps = {
    sources: loadWebhookSources({ WEBHOOK_SECRET_GITLAB: `${token},${olderToken}` }),
    signingKeys: createSigningKeyResolver(),
    nowMs: () => nowMs,
    maxBodyBytes: 4096,
  };
  const sender = senders.gitlab;
  const id = 'f9d8a6c2-3b1e-4c5d-9e7f-0a1b2c3d4e5f';
  const sampleBody = sender.sampleBody(sender.defaultEvent, id, nowMs / 1000);
  const post = (headers: Record<string, string>, text = sampleBody.toString()): IncomingWebhook => ({
    sourceParam: 'gitlab',
    headers: { 'content-type': sender.contentType, ...headers },
    body: text,
    isBase64Encoded: false,
  });
  const sent = (secret = token) =>
    sender.sign({
      secret,
      settings: {},
      body: sampleBody,
      id,
      event: sender.defaultEvent,
      nowSeconds: nowMs / 1000,
    }).headers;

  it("queues the sender's delivery under its Idempotency-Key and type, keeping GitLab's ids but not the token", async () => {
    const accepted = await acceptWebhook(post(sent()), deps);
    if (!('message' in accepted)) throw new Error('expected a delivery');
    expect(accepted.message.meta).toMatchObject({ source: 'gitlab', id, type: 'push_hook' });
    expect(accepted.message.meta).not.toHaveProperty('providerId');
    expect(accepted.message.meta.headers).toMatchObject({
      'x-gitlab-event': 'Push Hook',
      'x-gitlab-webhook-uuid': id,
      'x-gitlab-event-uuid': id,
      'idempotency-key': id,
    });
    expect(JSON.stringify(accepted.message)).not.toContain(token);
  });

  it('falls back to the content id, keeping X-Gitlab-Webhook-UUID for tracing', async () => {
    const { 'idempotency-key': _dropped, ...headers } = sent(olderToken);
    const accepted = await acceptWebhook(post(headers), deps);
    if (!('message' in accepted)) throw new Error('expected a delivery');
    expect(accepted.secretIndex).toBe(1);
    expect(accepted.message.meta).toMatchObject({
      id: contentDeliveryId('gitlab', sampleBody),
      providerId: id,
    });
  });

  it('answers a wrong or missing token 401', async () => {
    await expect(acceptWebhook(post(signGitlab('glwht-a-guessed-token')), deps)).rejects.toThrow(
      UnauthorizedError,
    );
    await expect(acceptWebhook(post({}), deps)).rejects.toThrow(UnauthorizedError);
  });
});
