import { ServiceUnavailableError, ThrottledError } from '../../../src/errors';
import { enqueueWebhook } from '../../../src/webhooks/enqueue';
import { parseWebhookMessage, type WebhookMessage } from '../../../src/webhooks/message';

const message = (body: string, encoding: 'utf8' | 'base64' = 'utf8'): WebhookMessage => ({
  meta: {
    v: 1,
    source: 'github',
    type: 'push',
    id: 'd-1',
    receivedAt: '2026-01-02T03:04:05.000Z',
    encoding,
    headers: {},
  },
  body,
});

function fakes() {
  const sent: string[] = [];
  const claims = new Map<string, string>();
  return {
    sent,
    claims,
    sendMessage: jest.fn(async (text: string) => {
      sent.push(text);
    }),
    storeClaim: jest.fn(async (key: string, text: string) => {
      claims.set(key, text);
    }),
  };
}

describe('enqueueWebhook', () => {
  it('sends a message that fits as metadata plus the body, storing nothing', async () => {
    const deps = fakes();
    await enqueueWebhook(message('{"a":1}'), deps);
    expect(deps.sent).toHaveLength(1);
    expect(parseWebhookMessage(deps.sent[0]!)).toEqual(message('{"a":1}'));
    expect(deps.storeClaim).not.toHaveBeenCalled();
  });

  it('stores an oversized body first and queues a claim reference (UTF-8 bytes, not characters, count)', async () => {
    const deps = { ...fakes(), maxMessageBytes: 1000 };
    const body = 'é'.repeat(450); // 450 characters, 900 bytes: with the metadata line it exceeds 1000 bytes
    await enqueueWebhook(message(body), deps);
    const queued = parseWebhookMessage(deps.sent[0]!);
    expect(queued.body).toBe('');
    expect(queued.meta.claim).toEqual({ key: 'events/_claims/github/2026/01/02/d-1.body', bytes: 900 });
    expect(deps.claims.get('events/_claims/github/2026/01/02/d-1.body')).toBe(body);
    expect(deps.storeClaim.mock.invocationCallOrder[0]).toBeLessThan(
      deps.sendMessage.mock.invocationCallOrder[0]!,
    );
  });

  it('keeps a body of exactly the limit inline', async () => {
    const deps = { ...fakes(), maxMessageBytes: 0 };
    const probe = fakes();
    await enqueueWebhook(message('x'.repeat(10)), probe);
    deps.maxMessageBytes = Buffer.byteLength(probe.sent[0]!);
    await enqueueWebhook(message('x'.repeat(10)), deps);
    expect(deps.storeClaim).not.toHaveBeenCalled();
  });

  it('re-sends a body SQS refuses (control characters) base64-encoded, preserving every byte', async () => {
    const deps = fakes();
    const body = 'bell\u0007 and nul\u0000';
    deps.sendMessage.mockImplementationOnce(async () => {
      throw new ServiceUnavailableError('x', {
        service: 'SQS',
        operation: 'SendMessage',
        cause: Object.assign(new Error('bad'), { name: 'InvalidMessageContents' }),
      });
    });
    await enqueueWebhook(message(body), deps);
    const queued = parseWebhookMessage(deps.sent.at(-1)!);
    expect(queued.meta.encoding).toBe('base64');
    expect(Buffer.from(queued.body, 'base64').toString('utf8')).toBe(body);
  });

  it('answers 503 when the queue cannot take the message, keeping the cause', async () => {
    const deps = fakes();
    const throttled = new ThrottledError('throttled', { service: 'SQS', operation: 'SendMessage' });
    deps.sendMessage.mockRejectedValue(throttled);
    const attempt = enqueueWebhook(message('{}'), deps);
    await expect(attempt).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(attempt).rejects.toMatchObject({ statusCode: 503, retryable: true, cause: throttled });
  });

  it('answers 503 when the base64 retry fails too, or when a base64 message is refused', async () => {
    const refused = Object.assign(new Error('bad'), { name: 'InvalidMessageContents' });
    const deps = fakes();
    deps.sendMessage.mockRejectedValue(refused);
    await expect(enqueueWebhook(message('\u0000'), deps)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(deps.sendMessage).toHaveBeenCalledTimes(2);
    const base64 = fakes();
    base64.sendMessage.mockRejectedValue(refused);
    await expect(enqueueWebhook(message('AA==', 'base64'), base64)).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    expect(base64.sendMessage).toHaveBeenCalledTimes(1);
  });

  it('answers 503 when the claim cannot be stored, and queues nothing', async () => {
    const deps = { ...fakes(), maxMessageBytes: 10 };
    deps.storeClaim.mockRejectedValue(new Error('s3 down'));
    await expect(enqueueWebhook(message('x'.repeat(100)), deps)).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    expect(deps.sendMessage).not.toHaveBeenCalled();
  });
});
