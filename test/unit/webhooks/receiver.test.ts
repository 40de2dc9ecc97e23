import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { ThrottledError } from '../../../src/errors';
import { logger } from '../../../src/observability/logger';
import { metrics } from '../../../src/observability/metrics';
import { httpHandler } from '../../../src/middleware/http';
import { contentDeliveryId } from '../../../src/webhooks/delivery';
import { parseWebhookMessage } from '../../../src/webhooks/message';
import type { ReceivedDeliveryFacts } from '../../../src/webhooks/history/delivery-history';
import { createWebhookReceiver } from '../../../src/webhooks/receiver';
import { signGithub } from '../../../src/webhooks/senders';
import { webhookPostEvent } from '../../helpers/webhook-fixtures';
import { createSigningKeyResolver } from '../../../src/webhooks/signing-keys';
import { loadWebhookSources } from '../../../src/webhooks/sources';

const context = { awsRequestId: 'lambda-req', getRemainingTimeInMillis: () => 5000 } as unknown as Context;
const body = '{"zen":"Keep it logically awesome."}';

function event(overrides: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  const headers = {
    'content-type': 'application/json',
    'x-github-event': 'ping',
    'x-github-delivery': 'gh-1',
    ...signGithub('receiver-test-secret', body),
  };
  return { ...webhookPostEvent('github', headers, body, 'api-req-1'), ...overrides };
}

function receiver(
  sendMessage = jest.fn(async (_text: string) => undefined),
  recordReceived = jest.fn(async (_facts: ReceivedDeliveryFacts) => undefined),
) {
  let receipts = 0;
  const handler = httpHandler(
    createWebhookReceiver({
      sources: loadWebhookSources({ WEBHOOK_SECRET_GITHUB: 'receiver-test-secret' }),
      signingKeys: createSigningKeyResolver(),
      nowMs: Date.now,
      maxBodyBytes: 1024,
      sendMessage,
      storeClaim: jest.fn(),
      history: { recordReceived },
      newReceipt: () => `receipt-${++receipts}`,
    }),
  );
  return { handler, sendMessage, recordReceived };
}

const errorOf = (result: { body?: string }) =>
  (JSON.parse(result.body ?? '{}') as { error: { code: string; requestId: string } }).error;

describe('POST /webhooks/{source}', () => {
  it('answers 202 with the delivery id only after the message is queued', async () => {
    const { handler, sendMessage } = receiver();
    const result = await handler(event(), context);
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body!)).toEqual({ id: contentDeliveryId('github', body) });
    expect(sendMessage).toHaveBeenCalledTimes(1);
    expect(parseWebhookMessage(sendMessage.mock.calls[0]![0]).meta).toMatchObject({
      source: 'github',
      id: contentDeliveryId('github', body),
      providerId: 'gh-1',
      type: 'ping',
    });
  });

  it('gives each accepted POST its own receipt, in the queued message and recorded queued once queued', async () => {
    const order: string[] = [];
    const { handler, sendMessage, recordReceived } = receiver(
      jest.fn(async (_text: string) => void order.push('queued')),
      jest.fn(async (_facts: ReceivedDeliveryFacts) => void order.push('recorded')),
    );
    await handler(event(), context);
    await handler(event(), context);
    expect(order).toEqual(['queued', 'recorded', 'queued', 'recorded']);
    const queued = sendMessage.mock.calls.map(([text]) => parseWebhookMessage(text).meta);
    expect(queued.map((meta) => meta.receipt)).toEqual(['receipt-1', 'receipt-2']);
    expect(recordReceived.mock.calls[0]![0]).toEqual({
      receipt: 'receipt-1',
      source: 'github',
      type: 'ping',
      id: contentDeliveryId('github', body),
      providerId: 'gh-1',
      receivedAt: queued[0]!.receivedAt,
    });
  });

  it('still answers 202 when the history write fails: the queue holds the delivery; a warning and a metric say so', async () => {
    const addMetric = jest.spyOn(metrics, 'addMetric');
    const warn = jest.spyOn(logger, 'warn');
    try {
      const { handler, sendMessage } = receiver(
        undefined,
        jest.fn(async (_facts: ReceivedDeliveryFacts): Promise<undefined> => {
          throw new ThrottledError('throttled', { service: 'DynamoDB', operation: 'UpdateItem' });
        }),
      );
      const result = await handler(event(), context);
      expect(result.statusCode).toBe(202);
      expect(sendMessage).toHaveBeenCalledTimes(1);
      expect(addMetric).toHaveBeenCalledWith('DeliveryHistoryWriteFailed', 'Count', 1);
      expect(warn.mock.calls[0]![1]).toMatchObject({ receipt: 'receipt-1', source: 'github' });
    } finally {
      addMetric.mockRestore();
      warn.mockRestore();
    }
  });

  it('records nothing when the queue refused the delivery', async () => {
    const { handler, recordReceived } = receiver(
      jest
        .fn()
        .mockRejectedValue(new ThrottledError('throttled', { service: 'SQS', operation: 'SendMessage' })),
    );
    expect((await handler(event(), context)).statusCode).toBe(503);
    expect(recordReceived).not.toHaveBeenCalled();
  });

  it.each([
    ['401 for a bad signature', { body: `${body} ` }, 401, 'UNAUTHORIZED'],
    ['404 for an unknown source', { pathParameters: { source: 'gitlab' } }, 404, 'ROUTE_NOT_FOUND'],
    [
      '400 for a malformed signature header',
      { headers: { 'x-hub-signature-256': 'nonsense' } },
      400,
      'BAD_REQUEST',
    ],
    ['413 for a body over the limit', { body: 'x'.repeat(2000) }, 413, 'PAYLOAD_TOO_LARGE'],
  ])('answers %s as JSON with the request id, queueing nothing', async (_name, overrides, status, code) => {
    const { handler, sendMessage } = receiver();
    const result = await handler(event(overrides as Partial<APIGatewayProxyEventV2>), context);
    expect(result.statusCode).toBe(status);
    expect(errorOf(result)).toMatchObject({ code, requestId: 'api-req-1' });
    expect(sendMessage).not.toHaveBeenCalled();
  });

  it('answers 503 with retry-after when the queue is unavailable', async () => {
    const { handler } = receiver(
      jest
        .fn()
        .mockRejectedValue(new ThrottledError('throttled', { service: 'SQS', operation: 'SendMessage' })),
    );
    const result = await handler(event(), context);
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBe('1');
    expect(errorOf(result).code).toBe('SERVICE_UNAVAILABLE');
  });

  // The attack: unauthenticated POSTs to a source whose SSM parameter is missing, each costing an SSM call.
  it('answers a misconfigured source 503 with retry-after, reading the store and logging once per cache age, counted apart from 5xx', async () => {
    const fetchSecret = jest.fn().mockRejectedValue(
      Object.assign(new Error('Parameter not found'), {
        name: 'ParameterNotFound',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const addMetric = jest.spyOn(metrics, 'addMetric');
    const logError = jest.spyOn(logger, 'error');
    const handler = httpHandler(
      createWebhookReceiver({
        sources: loadWebhookSources({ WEBHOOK_SECRET_PARAMETER_GITHUB: 'ssm:/intake/test/webhooks/github' }),
        signingKeys: createSigningKeyResolver({ fetchSecret, maxAgeSeconds: 120 }),
        nowMs: Date.now,
        maxBodyBytes: 1024,
        sendMessage: jest.fn(),
        storeClaim: jest.fn(),
        history: { recordReceived: jest.fn() },
      }),
    );
    try {
      for (let index = 0; index < 25; index++) {
        const unsigned = event({
          headers: { 'x-hub-signature-256': `sha256=${index.toString(16).padStart(64, '0')}` },
        });
        const result = await handler(unsigned, context);
        expect(result.statusCode).toBe(503);
        expect(result.headers?.['retry-after']).toBe('120');
        expect(errorOf(result)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', requestId: 'api-req-1' });
        expect(result.body).not.toContain('/intake/test');
      }
      expect(fetchSecret).toHaveBeenCalledTimes(1);
      const counted = addMetric.mock.calls.map(([name]) => name);
      expect(counted.filter((name) => name === 'WebhookSourceMisconfigured')).toHaveLength(25);
      expect(counted).not.toContain('WebhookReceive5xx');
      // Loud once: one error line per store read, naming the source and parameter, not one per request.
      expect(logError.mock.calls.map(([message]) => message)).toEqual([
        'Webhook source misconfigured: its deliveries are answered 503 until it is fixed',
      ]);
      expect(logError.mock.calls[0]![1]).toMatchObject({
        source: 'github',
        parameter: 'ssm:/intake/test/webhooks/github',
      });
    } finally {
      addMetric.mockRestore();
      logError.mockRestore();
    }
  });
});
