import type { Context, SQSRecord } from 'aws-lambda';
import {
  AccessDeniedError,
  BadRequestError,
  NotFoundError,
  ServiceUnavailableError,
  ThrottledError,
} from '../../../src/errors';
import { parseWebhookArchive } from '../../../src/webhooks/archive';
import type { WebhookDownstreamEvent } from '../../../src/webhooks/downstream-event';
import { serialiseWebhookMessage, type WebhookMessage } from '../../../src/webhooks/message';
import { createWebhookProcessor } from '../../../src/webhooks/processor';
import { parseRoutes } from '../../../src/webhooks/routes';
import { pauseSet } from '../../../src/webhooks/controls/pause-scope';
import type { Pause } from '../../../src/webhooks/controls/webhook-controls';
import { memoryGuards } from './memory-guards';

const context = { getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const message = (
  overrides: Partial<WebhookMessage['meta']> = {},
  body = '{"action":"opened"}',
): WebhookMessage => ({
  meta: {
    v: 1,
    source: 'github',
    type: 'pull_request',
    id: 'd-1',
    receivedAt: '2026-04-05T06:07:08.000Z',
    encoding: 'utf8',
    headers: { 'x-github-event': 'pull_request' },
    ...overrides,
  },
  body,
});
const record = (text: string, messageId = 'm-1') => ({ messageId, body: text }) as SQSRecord;

function setup(
  routes = [
    { source: '*', type: '*', function: 'audit' },
    { source: 'github', type: 'pull_*', function: 'prs' },
  ],
  pausing: { pauses?: Pause[] } = {},
) {
  const objects = new Map<string, string>();
  const invocations: { target: string; event: WebhookDownstreamEvent }[] = [];
  const dispatch = jest.fn(async (target: string, payload: string) => {
    invocations.push({ target, event: JSON.parse(payload) as WebhookDownstreamEvent });
  });
  const guards = memoryGuards();
  const onAttempt = jest.fn();
  const storage = {
    put: jest.fn(async (key: string, text: string) => {
      objects.set(key, text);
    }),
    get: jest.fn(async (key: string) => {
      const text = objects.get(key);
      if (text === undefined) throw new NotFoundError('missing', { service: 'S3', operation: 'GetObject' });
      return text;
    }),
  };
  // The operators' pauses, changed by the test between attempts; requeued records are kept in order.
  const pauses = pausing.pauses ?? [];
  const requeued: SQSRecord[] = [];
  const requeue = jest.fn(async (waiting: SQSRecord) => {
    requeued.push(waiting);
  });
  const process = createWebhookProcessor({
    bucket: 'docs',
    storage,
    routes: parseRoutes({ routes }),
    dispatch,
    guards,
    pauses: async () => pauseSet(pauses),
    requeue,
    now: () => new Date('2026-04-05T06:07:09.000Z'),
    onAttempt,
  });
  /** The processor, for deliveries no pause holds back: their outcome always names an archive. */
  const processor = async (sqsRecord: SQSRecord, lambdaContext: Context) => {
    const outcome = await process(sqsRecord, lambdaContext);
    if ('pausedSource' in outcome) throw new Error(`unexpected pause of ${outcome.pausedSource}`);
    return outcome;
  };
  return {
    objects,
    invocations,
    dispatch,
    storage,
    guards,
    processor,
    process,
    pauses,
    requeue,
    requeued,
    onAttempt,
  };
}

describe('createWebhookProcessor', () => {
  it('archives the delivery under events/<source>/<date>/<id>.json and invokes every routed function', async () => {
    const { objects, invocations, processor } = setup();
    const outcome = await processor(record(serialiseWebhookMessage(message())), context);
    expect(outcome).toEqual({ archiveKey: 'events/github/2026/04/05/d-1.json', targets: ['audit', 'prs'] });
    expect(parseWebhookArchive(objects.get('events/github/2026/04/05/d-1.json')!)).toEqual({
      source: 'github',
      type: 'pull_request',
      id: 'd-1',
      receivedAt: '2026-04-05T06:07:08.000Z',
      archivedAt: '2026-04-05T06:07:09.000Z',
      headers: { 'x-github-event': 'pull_request' },
      encoding: 'utf8',
      body: '{"action":"opened"}',
    });
    expect(invocations.map(({ target }) => target)).toEqual(['audit', 'prs']);
    expect(invocations[0]!.event).toEqual({
      kind: 'intake.webhook',
      source: 'github',
      type: 'pull_request',
      id: 'd-1',
      receivedAt: '2026-04-05T06:07:08.000Z',
      headers: { 'x-github-event': 'pull_request' },
      encoding: 'utf8',
      body: '{"action":"opened"}',
      archive: { bucket: 'docs', key: 'events/github/2026/04/05/d-1.json' },
    });
  });

  it('processes the same delivery id once: a resend (new message, later receivedAt) archives and invokes nothing more', async () => {
    const { invocations, storage, processor } = setup();
    await processor(record(serialiseWebhookMessage(message()), 'm-1'), context);
    const again = await processor(
      record(serialiseWebhookMessage(message({ receivedAt: '2026-04-06T00:00:00.000Z' })), 'm-2'),
      context,
    );
    expect(again.archiveKey).toBe('events/github/2026/04/05/d-1.json');
    expect(storage.put).toHaveBeenCalledTimes(1);
    expect(invocations).toHaveLength(2);
  });

  it('routes a delivery by its first copy: a resend under other event types and provider ids is not dispatched again', async () => {
    const { invocations, storage, processor } = setup([
      { source: 'github', type: 'push', function: 'builds' },
      { source: 'github', type: 'release', function: 'publisher' },
      { source: 'github', type: 'deployment', function: 'deployer' },
    ]);
    const copies = ['push', 'release', 'deployment', 'push'].map((type, index) =>
      message({
        type,
        providerId: `gh-${index}`,
        headers: { 'x-github-event': type, 'x-github-delivery': `gh-${index}` },
      }),
    );
    const outcomes = [];
    for (const [index, copy] of copies.entries())
      outcomes.push(await processor(record(serialiseWebhookMessage(copy), `m-${index}`), context));
    expect(invocations.map(({ target, event }) => [target, event.type, event.providerId])).toEqual([
      ['builds', 'push', 'gh-0'],
    ]);
    expect(storage.put).toHaveBeenCalledTimes(1);
    expect(outcomes.map(({ targets }) => targets)).toEqual([['builds'], ['builds'], ['builds'], ['builds']]);
  });

  it("redoes a first copy's failed invoke by the first copy's type when a resend with another type comes", async () => {
    const { dispatch, invocations, processor } = setup([
      { source: 'github', type: 'push', function: 'builds' },
      { source: 'github', type: 'release', function: 'publisher' },
    ]);
    dispatch.mockImplementationOnce(async () => {
      throw new ServiceUnavailableError('throttled', { service: 'Lambda', operation: 'Invoke' });
    });
    await expect(
      processor(record(serialiseWebhookMessage(message({ type: 'push' }))), context),
    ).rejects.toBeInstanceOf(ServiceUnavailableError);
    await processor(record(serialiseWebhookMessage(message({ type: 'release' })), 'm-2'), context);
    expect(invocations.map(({ target, event }) => [target, event.type])).toEqual([['builds', 'push']]);
  });

  it('carries the provider id into the archive and the downstream event', async () => {
    const { objects, invocations, processor } = setup();
    await processor(record(serialiseWebhookMessage(message({ providerId: 'gh-delivery-7' }))), context);
    expect(parseWebhookArchive(objects.get('events/github/2026/04/05/d-1.json')!)?.providerId).toBe(
      'gh-delivery-7',
    );
    expect(invocations.map(({ event }) => event.providerId)).toEqual(['gh-delivery-7', 'gh-delivery-7']);
  });

  it('treats the same id from another source as another delivery', async () => {
    const { invocations, processor } = setup();
    await processor(record(serialiseWebhookMessage(message())), context);
    await processor(record(serialiseWebhookMessage(message({ source: 'stripe' }))), context);
    expect(invocations.map(({ event }) => event.source)).toEqual(['github', 'github', 'stripe']);
  });

  it('fails the record when one invoke fails, and on retry re-invokes only the failed target', async () => {
    const { dispatch, invocations, processor, storage } = setup();
    dispatch.mockImplementationOnce(async () => {
      throw new ServiceUnavailableError('throttled', { service: 'Lambda', operation: 'Invoke' });
    });
    const text = serialiseWebhookMessage(message());
    await expect(processor(record(text), context)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(invocations.map(({ target }) => target)).toEqual(['prs']);
    await processor(record(text), context);
    expect(invocations.map(({ target }) => target)).toEqual(['prs', 'audit']);
    await processor(record(text), context);
    expect(invocations).toHaveLength(2);
    expect(storage.put).toHaveBeenCalledTimes(1);
  });

  it('invokes while archiving when the event carries the body, and on retry re-archives only', async () => {
    const { invocations, processor, storage } = setup();
    storage.put.mockImplementationOnce(async () => {
      throw new ServiceUnavailableError('slow down', { service: 'S3', operation: 'PutObject' });
    });
    const text = serialiseWebhookMessage(message());
    await expect(processor(record(text), context)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(invocations.map(({ target }) => target)).toEqual(['audit', 'prs']);
    await processor(record(text), context);
    await processor(record(text), context);
    expect(storage.put).toHaveBeenCalledTimes(2);
    expect(invocations).toHaveLength(2);
  });

  it('does not invoke before the archive exists when the event points to it instead of carrying the body', async () => {
    const { invocations, objects, processor, storage } = setup();
    storage.put.mockImplementationOnce(async () => {
      throw new ServiceUnavailableError('slow down', { service: 'S3', operation: 'PutObject' });
    });
    const text = serialiseWebhookMessage(message({}, JSON.stringify({ data: 'x'.repeat(300 * 1024) })));
    await expect(processor(record(text), context)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(invocations).toHaveLength(0);
    await processor(record(text), context);
    expect(objects.has('events/github/2026/04/05/d-1.json')).toBe(true);
    expect(invocations.map(({ target }) => target)).toEqual(['audit', 'prs']);
  });

  it('keeps no record when every side effect failed, so the retry redoes them all', async () => {
    const { dispatch, guards, invocations, processor, storage } = setup([
      { source: '*', type: '*', function: 'audit' },
    ]);
    const down = new ServiceUnavailableError('down', { service: 'S3', operation: 'PutObject' });
    storage.put.mockRejectedValueOnce(down);
    dispatch.mockRejectedValueOnce(down);
    const text = serialiseWebhookMessage(message());
    await expect(processor(record(text), context)).rejects.toBe(down);
    expect(guards.completed.size).toBe(0);
    await processor(record(text), context);
    expect(storage.put).toHaveBeenCalledTimes(2);
    expect(invocations.map(({ target }) => target)).toEqual(['audit']);
  });

  it('fails a retry whose pending invoke fails again, and succeeds on the next one', async () => {
    const { dispatch, invocations, processor } = setup([{ source: '*', type: '*', function: 'audit' }]);
    const down = new ServiceUnavailableError('down', { service: 'Lambda', operation: 'Invoke' });
    dispatch.mockRejectedValueOnce(down).mockRejectedValueOnce(down);
    const text = serialiseWebhookMessage(message());
    await expect(processor(record(text), context)).rejects.toBe(down);
    await expect(processor(record(text), context)).rejects.toBe(down);
    await processor(record(text), context);
    await processor(record(text), context);
    expect(invocations.map(({ target }) => target)).toEqual(['audit']);
  });

  it('fails with a retryable failure before a non-retryable one, so the step a retry can fix is retried', async () => {
    const { dispatch, invocations, processor } = setup();
    const denied = new AccessDeniedError('denied', { service: 'Lambda', operation: 'Invoke' });
    const throttled = new ThrottledError('throttled', { service: 'Lambda', operation: 'Invoke' });
    // Routed to audit then prs: audit is denied (not retryable), prs throttled (retryable).
    dispatch.mockRejectedValueOnce(denied).mockRejectedValueOnce(throttled);
    const text = serialiseWebhookMessage(message());
    await expect(processor(record(text), context)).rejects.toBe(throttled);
    // The retry redoes both; prs now goes through and only the denied step is left to decide by.
    dispatch.mockRejectedValueOnce(denied);
    await expect(processor(record(text), context)).rejects.toBe(denied);
    expect(invocations.map(({ target }) => target)).toEqual(['prs']);
  });

  it('archives an unrouted delivery without invoking anything', async () => {
    const { objects, dispatch, processor } = setup([]);
    const outcome = await processor(record(serialiseWebhookMessage(message())), context);
    expect(outcome.targets).toEqual([]);
    expect(objects.size).toBe(1);
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('reads a claimed body from S3 and archives the full body', async () => {
    const { objects, invocations, processor } = setup();
    objects.set('events/_claims/github/2026/04/05/d-1.body', '{"large":true}');
    const claimed = message({ claim: { key: 'events/_claims/github/2026/04/05/d-1.body', bytes: 14 } }, '');
    await processor(record(serialiseWebhookMessage(claimed)), context);
    expect(parseWebhookArchive(objects.get('events/github/2026/04/05/d-1.json')!)?.body).toBe(
      '{"large":true}',
    );
    expect(invocations[0]!.event.body).toBe('{"large":true}');
  });

  it('fails with a non-retryable NotFoundError (straight to the DLQ) when a claimed body is missing', async () => {
    const { processor } = setup();
    const claimed = message({ claim: { key: 'events/_claims/github/x.body', bytes: 1 } }, '');
    await expect(processor(record(serialiseWebhookMessage(claimed)), context)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('fails a poison message that is not a webhook delivery with a non-retryable BadRequestError', async () => {
    const { processor, storage } = setup();
    await expect(processor(record('not a delivery'), context)).rejects.toBeInstanceOf(BadRequestError);
    expect(storage.put).not.toHaveBeenCalled();
  });

  it('sends a reference instead of the body when the invoke payload would be too large', async () => {
    const { invocations, processor } = setup();
    await processor(
      record(serialiseWebhookMessage(message({}, JSON.stringify({ data: 'x'.repeat(300 * 1024) })))),
      context,
    );
    expect(invocations[0]!.event.body).toBeNull();
    expect(invocations[0]!.event.archive.key).toBe('events/github/2026/04/05/d-1.json');
  });
  describe('pauses', () => {
    const pause = (source: string, target?: string): Pause => ({
      source,
      ...(target === undefined ? {} : { target }),
      pausedAt: '2026-04-05T06:00:00.000Z',
      pausedBy: 'ops',
    });

    it('puts a delivery of a paused source back on the queue untouched, and processes it once resumed', async () => {
      const { objects, dispatch, process, pauses, requeued } = setup();
      pauses.push(pause('github'));
      const first = record(serialiseWebhookMessage(message()));
      expect(await process(first, context)).toEqual({ pausedSource: 'github' });
      expect(requeued).toEqual([first]);
      expect(objects.size).toBe(0);
      expect(dispatch).not.toHaveBeenCalled();

      pauses.length = 0;
      expect(await process(requeued[0]!, context)).toEqual({
        archiveKey: 'events/github/2026/04/05/d-1.json',
        targets: ['audit', 'prs'],
      });
      expect(dispatch).toHaveBeenCalledTimes(2);
    });

    it('does what is not paused, keeps a paused target waiting on the queue, then invokes only it once resumed', async () => {
      const { objects, invocations, process, pauses, requeued } = setup();
      pauses.push(pause('github', 'prs'));
      const outcome = await process(record(serialiseWebhookMessage(message())), context);
      expect(outcome).toEqual({
        archiveKey: 'events/github/2026/04/05/d-1.json',
        targets: ['audit', 'prs'],
        paused: ['prs'],
      });
      expect(objects.size).toBe(1);
      expect(invocations.map(({ target }) => target)).toEqual(['audit']);
      expect(requeued).toHaveLength(1);

      // Still paused: the copy goes back again and nothing runs twice.
      await process(requeued[0]!, context);
      expect(requeued).toHaveLength(2);
      expect(invocations.map(({ target }) => target)).toEqual(['audit']);

      pauses.length = 0;
      expect(await process(requeued[1]!, context)).toEqual({
        archiveKey: 'events/github/2026/04/05/d-1.json',
        targets: ['audit', 'prs'],
      });
      expect(invocations.map(({ target }) => target)).toEqual(['audit', 'prs']);
      expect(requeued).toHaveLength(2);
    });

    it('reports a held delivery to the history as paused: its paused targets, and the source pause', async () => {
      const { process, pauses, onAttempt, requeued } = setup();
      pauses.push(pause('github', 'prs'));
      await process(record(serialiseWebhookMessage(message())), context);
      pauses.splice(0, 1, pause('github'));
      await process(requeued[0]!, context);
      expect(onAttempt.mock.calls.map(([, report]) => report as unknown)).toEqual([
        {
          targets: { audit: 'invoked', prs: 'paused' },
          archiveKey: 'events/github/2026/04/05/d-1.json',
          duplicate: false,
          paused: true,
        },
        { targets: { audit: 'paused', prs: 'paused' }, duplicate: false, paused: true },
      ]);
    });

    it('sends a delivery held longer than the longest pause wait to the DLQ (not retryable) instead of putting it back', async () => {
      const { process, pauses, requeued, dispatch } = setup();
      pauses.push(pause('github'), pause('github', 'prs'));
      // now() is 2026-04-05T06:07:09Z: received 6 days and 2 s before, past the 6-day bound.
      const old = message({ receivedAt: '2026-03-30T06:07:07.000Z' });
      await expect(process(record(serialiseWebhookMessage(old)), context)).rejects.toMatchObject({
        code: 'PAUSED_TOO_LONG',
        retryable: false,
      });
      expect(requeued).toHaveLength(0);
      // Received 6 days before to the second: still put back.
      const recent = message({ id: 'd-2', receivedAt: '2026-03-30T06:07:09.000Z' });
      await process(record(serialiseWebhookMessage(recent)), context);
      expect(requeued).toHaveLength(1);
      expect(dispatch).not.toHaveBeenCalled();
    });

    it('pauses a target for every source with source "*"', async () => {
      const { invocations, process, pauses } = setup();
      pauses.push(pause('*', 'audit'));
      const outcome = await process(record(serialiseWebhookMessage(message())), context);
      expect(outcome).toMatchObject({ paused: ['audit'] });
      expect(invocations.map(({ target }) => target)).toEqual(['prs']);
    });

    it('leaves other sources and targets alone', async () => {
      const { invocations, process, pauses, requeued } = setup();
      pauses.push(pause('stripe'), pause('stripe', 'prs'), pause('github', 'builds'));
      expect(await process(record(serialiseWebhookMessage(message())), context)).toEqual({
        archiveKey: 'events/github/2026/04/05/d-1.json',
        targets: ['audit', 'prs'],
      });
      expect(invocations).toHaveLength(2);
      expect(requeued).toHaveLength(0);
    });

    it('fails the record (retried, nothing lost) when the copy cannot be put back on the queue', async () => {
      const { process, pauses, requeue } = setup();
      pauses.push(pause('github'));
      const refused = new ServiceUnavailableError('queue down', { service: 'SQS', operation: 'SendMessage' });
      requeue.mockRejectedValueOnce(refused);
      await expect(process(record(serialiseWebhookMessage(message())), context)).rejects.toBe(refused);
    });

    it('refuses, as a configuration error, to hold a paused delivery without a queue to put it on', async () => {
      const process = createWebhookProcessor({
        bucket: 'docs',
        storage: { put: jest.fn(), get: jest.fn() },
        routes: [],
        dispatch: jest.fn(),
        guards: memoryGuards(),
        pauses: async () => pauseSet([pause('github')]),
        now: () => new Date('2026-04-05T06:07:09.000Z'),
      });
      await expect(process(record(serialiseWebhookMessage(message())), context)).rejects.toMatchObject({
        code: 'CONFIG',
        variables: ['WEBHOOKS_QUEUE_URL'],
      });
    });
  });
});

describe('createWebhookProcessor reports each attempt for the delivery history', () => {
  const archiveKey = 'events/github/2026/04/05/d-1.json';
  const down = () => new ServiceUnavailableError('down', { service: 'Lambda', operation: 'Invoke' });
  const reported = (onAttempt: jest.Mock) => onAttempt.mock.calls.map(([, report]) => report as unknown);

  it('reports every routed target invoked and the archive key, then a resend as a duplicate', async () => {
    const { processor, onAttempt } = setup();
    const text = serialiseWebhookMessage(message());
    const sqsRecord = record(text);
    await processor(sqsRecord, context);
    await processor(record(text, 'm-2'), context);
    expect(onAttempt.mock.calls[0]![0]).toBe(sqsRecord);
    expect(reported(onAttempt)).toEqual([
      { targets: { audit: 'invoked', prs: 'invoked' }, archiveKey, duplicate: false, paused: false },
      { targets: { audit: 'invoked', prs: 'invoked' }, archiveKey, duplicate: true, paused: false },
    ]);
  });

  it('reports the failed target of a partly failed attempt, and its retry as processed', async () => {
    const { dispatch, processor, onAttempt } = setup();
    dispatch.mockImplementation(async (target: string) => {
      if (target === 'audit' && dispatch.mock.calls.length < 3) throw down();
    });
    const text = serialiseWebhookMessage(message());
    await expect(processor(record(text), context)).rejects.toBeInstanceOf(ServiceUnavailableError);
    await processor(record(text), context);
    expect(reported(onAttempt)).toEqual([
      { targets: { audit: 'failed', prs: 'invoked' }, archiveKey, duplicate: false, paused: false },
      { targets: { audit: 'invoked', prs: 'invoked' }, archiveKey, duplicate: false, paused: false },
    ]);
  });

  it('reports no archive key and every target failed when every side effect failed', async () => {
    const { dispatch, processor, storage, onAttempt } = setup([
      { source: '*', type: '*', function: 'audit' },
    ]);
    storage.put.mockRejectedValueOnce(down());
    dispatch.mockRejectedValueOnce(down());
    await expect(processor(record(serialiseWebhookMessage(message())), context)).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    expect(reported(onAttempt)).toEqual([{ targets: { audit: 'failed' }, duplicate: false, paused: false }]);
  });

  it('reports the pending invokes a retry could not try as failed when its archive failed again', async () => {
    const { dispatch, processor, storage, onAttempt } = setup();
    storage.put.mockRejectedValueOnce(down()).mockRejectedValueOnce(down());
    dispatch.mockImplementationOnce(async () => {
      throw down();
    });
    const text = serialiseWebhookMessage(message());
    await expect(processor(record(text), context)).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(processor(record(text), context)).rejects.toBeInstanceOf(ServiceUnavailableError);
    // The first invoke (audit) failed with the archive; the retry's archive failed again, so audit was not tried.
    expect(reported(onAttempt)).toEqual([
      { targets: { audit: 'failed', prs: 'invoked' }, duplicate: false, paused: false },
      { targets: { audit: 'failed', prs: 'invoked' }, duplicate: false, paused: false },
    ]);
  });

  it('reports nothing for a message that never reached its side effects', async () => {
    const { processor, onAttempt } = setup();
    await expect(processor(record('poison'), context)).rejects.toBeInstanceOf(BadRequestError);
    expect(onAttempt).not.toHaveBeenCalled();
  });
});
