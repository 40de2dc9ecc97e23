import type { Context, SQSRecord } from 'aws-lambda';
import { AccessDeniedError, DuplicateInFlightError, ServiceUnavailableError } from '../../../../src/errors';
import { metrics } from '../../../../src/observability/metrics';
import type { AttemptUpdate, ReceivedDeliveryFacts } from '../../../../src/webhooks/history/delivery-history';
import { attemptUpdate, deliveryAttemptRecorder } from '../../../../src/webhooks/history/recording-attempts';
import { serialiseWebhookMessage, type WebhookMessageMeta } from '../../../../src/webhooks/message';

const context = {} as Context;
const at = new Date('2026-12-06T10:00:00.000Z');
const meta = (overrides: Partial<WebhookMessageMeta> = {}): WebhookMessageMeta => ({
  v: 1,
  source: 'github',
  type: 'push',
  id: 'd-1',
  receivedAt: '2026-12-06T09:59:59.000Z',
  encoding: 'utf8',
  headers: {},
  receipt: 'receipt-1',
  ...overrides,
});
const sqsRecord = (body: string, receiveCount = '1') =>
  ({
    messageId: 'message-1',
    body,
    attributes: { ApproximateReceiveCount: receiveCount },
  }) as unknown as SQSRecord;
const update = (
  result: Parameters<typeof attemptUpdate>[0]['result'],
  receiveCount?: number,
  replay?: string,
) =>
  attemptUpdate({
    result,
    meta: replay === undefined ? {} : { replay },
    ...(receiveCount === undefined ? {} : { receiveCount }),
    maxReceiveCount: 5,
    at,
    durationMs: 12,
  });

describe('attemptUpdate: what one attempt means for the delivery history', () => {
  it.each<[string, Parameters<typeof update>, AttemptUpdate['status'], string | undefined]>([
    ['a success', [{ ok: true }, 1], 'processed', undefined],
    ['a replayed copy processed', [{ ok: true }, 1, 'run-1'], 'replayed', undefined],
    [
      'a retryable failure before the last receive',
      [
        { ok: false, error: new ServiceUnavailableError('down', { service: 'Lambda', operation: 'Invoke' }) },
        4,
      ],
      'failed',
      'SERVICE_UNAVAILABLE',
    ],
    [
      'a retryable failure on the last receive',
      [
        { ok: false, error: new ServiceUnavailableError('down', { service: 'Lambda', operation: 'Invoke' }) },
        5,
      ],
      'dead-lettered',
      'SERVICE_UNAVAILABLE',
    ],
    [
      'a non-retryable failure (sent to the DLQ at once)',
      [{ ok: false, error: new AccessDeniedError('no', { service: 'Lambda', operation: 'Invoke' }) }, 1],
      'dead-lettered',
      'ACCESS_DENIED',
    ],
    ['an untyped failure', [{ ok: false, error: new Error('bug') }, 2], 'failed', 'INTERNAL'],
    [
      'a copy in flight elsewhere',
      [{ ok: false, error: new DuplicateInFlightError() }, 1],
      'failed',
      'DUPLICATE_IN_FLIGHT',
    ],
    [
      'a failure whose receive count is unknown',
      [{ ok: false, error: new Error('bug') }],
      'failed',
      'INTERNAL',
    ],
  ])('records %s as %s', (_name, args, status, errorCode) => {
    const result = update(...args);
    expect(result.status).toBe(status);
    expect(result.attempt).toEqual({
      at: at.toISOString(),
      durationMs: 12,
      outcome: status,
      ...(errorCode === undefined ? {} : { errorCode }),
      ...(args[1] === undefined ? {} : { receiveCount: args[1] }),
    });
  });

  it("records a success that redid nothing as duplicate, with the processor's targets and archive key", () => {
    expect(
      attemptUpdate({
        result: { ok: true },
        meta: {},
        report: {
          targets: { audit: 'invoked' },
          archiveKey: 'events/k.json',
          duplicate: true,
          paused: false,
        },
        maxReceiveCount: 5,
        at,
        durationMs: 1,
      }),
    ).toMatchObject({ status: 'duplicate', targets: { audit: 'invoked' }, archiveKey: 'events/k.json' });
  });
});

it('records a delivery put back on the queue for a paused target as still queued, its attempt paused', () => {
  expect(
    attemptUpdate({
      result: { ok: true },
      meta: {},
      report: {
        targets: { audit: 'invoked', billing: 'paused' },
        archiveKey: 'events/k.json',
        duplicate: false,
        paused: true,
      },
      receiveCount: 1,
      maxReceiveCount: 5,
      at,
      durationMs: 3,
    }),
  ).toEqual({
    status: 'queued',
    attempt: { at: at.toISOString(), durationMs: 3, outcome: 'paused', receiveCount: 1 },
    targets: { audit: 'invoked', billing: 'paused' },
    archiveKey: 'events/k.json',
  });
});

describe('deliveryAttemptRecorder', () => {
  function recorder(
    recordAttempt = jest.fn(async (_facts: ReceivedDeliveryFacts, _update: AttemptUpdate) => undefined),
  ) {
    let clock = at.getTime();
    const attempts = deliveryAttemptRecorder({
      history: { recordAttempt },
      maxReceiveCount: 5,
      now: () => new Date((clock += 7)),
    });
    return { attempts, recordAttempt };
  }

  it('writes one attempt per record handled, under the message receipt, with the report the processor gave', async () => {
    const { attempts, recordAttempt } = recorder();
    const text = serialiseWebhookMessage({ meta: meta(), body: '{}' });
    const handled = sqsRecord(text);
    const handler = attempts.recording(async (record) => {
      attempts.onAttempt(record, {
        targets: { audit: 'invoked' },
        archiveKey: 'events/k.json',
        duplicate: false,
        paused: false,
      });
      return 'result';
    });
    await expect(handler(handled, context)).resolves.toBe('result');
    expect(recordAttempt).toHaveBeenCalledTimes(1);
    const [facts, written] = recordAttempt.mock.calls[0]!;
    expect(facts).toEqual({
      receipt: 'receipt-1',
      source: 'github',
      type: 'push',
      id: 'd-1',
      receivedAt: '2026-12-06T09:59:59.000Z',
    });
    expect(written).toEqual({
      status: 'processed',
      attempt: { at: '2026-12-06T10:00:00.007Z', durationMs: 7, outcome: 'processed', receiveCount: 1 },
      targets: { audit: 'invoked' },
      archiveKey: 'events/k.json',
    });
  });

  it("passes the handler's error through unchanged after recording the failed attempt", async () => {
    const { attempts, recordAttempt } = recorder();
    const error = new ServiceUnavailableError('down', { service: 'S3', operation: 'PutObject' });
    const handler = attempts.recording(async () => {
      throw error;
    });
    const text = serialiseWebhookMessage({ meta: meta({ receipt: undefined, replay: 'run-1' }), body: '' });
    await expect(handler(sqsRecord(text, '5'), context)).rejects.toBe(error);
    const [facts, written] = recordAttempt.mock.calls[0]!;
    // A message queued before receipts were kept is recorded under its SQS message id.
    expect(facts).toMatchObject({ receipt: 'message-1', replay: 'run-1' });
    expect(written).toMatchObject({ status: 'dead-lettered', attempt: { errorCode: 'SERVICE_UNAVAILABLE' } });
  });

  it('records nothing for a message that is not a webhook delivery', async () => {
    const { attempts, recordAttempt } = recorder();
    const handler = attempts.recording(async () => {
      throw new Error('poison');
    });
    await expect(handler(sqsRecord('poison', 'x'), context)).rejects.toThrow('poison');
    expect(recordAttempt).not.toHaveBeenCalled();
  });

  it('never fails or retries a record because the history write failed: a warning and a metric', async () => {
    const addMetric = jest.spyOn(metrics, 'addMetric');
    try {
      const { attempts } = recorder(
        jest.fn(async (_facts: ReceivedDeliveryFacts, _update: AttemptUpdate): Promise<undefined> => {
          throw new ServiceUnavailableError('history down', { service: 'DynamoDB', operation: 'UpdateItem' });
        }),
      );
      const handler = attempts.recording(async () => 'done');
      const text = serialiseWebhookMessage({ meta: meta(), body: '{}' });
      await expect(handler(sqsRecord(text), context)).resolves.toBe('done');
      expect(addMetric).toHaveBeenCalledWith('DeliveryHistoryWriteFailed', 'Count', 1);
    } finally {
      addMetric.mockRestore();
    }
  });
});
