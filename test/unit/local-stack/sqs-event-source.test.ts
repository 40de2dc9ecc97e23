import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { InvocationResult } from '../../../plugins/local-stack/invoker';
import { silentLog } from '../../../plugins/local-stack/log';
import {
  DEFAULT_SQS_CONCURRENCY,
  SqsEventSource,
  type SqsMapping,
} from '../../../plugins/local-stack/sqs-event-source';

const mapping = (overrides: Partial<SqsMapping> = {}): SqsMapping => ({
  functionKey: 'f',
  functionName: 'svc-f',
  queueArn: 'arn:aws:sqs:us-east-1:000000000000:q',
  queueUrl: 'http://127.0.0.1:1/000000000000/q',
  batchSize: 1,
  maximumBatchingWindowSeconds: 0,
  reportBatchItemFailures: true,
  enabled: true,
  ...overrides,
});

/** A queue in memory behind the two SQS calls the event source makes: one message per receive. */
function fakeQueue(count: number) {
  const waiting: Message[] = Array.from({ length: count }, (_, index) => ({
    MessageId: `m-${index}`,
    ReceiptHandle: `r-${index}`,
    Body: JSON.stringify({ fail: index % 2 === 1 }),
  }));
  const deleted: string[] = [];
  const send = jest.fn(async (command: unknown, options?: { abortSignal?: AbortSignal }) => {
    if (command instanceof ReceiveMessageCommand) {
      const message = waiting.shift();
      if (message) return { Messages: [message] };
      // An empty long poll: wait until stopped.
      await new Promise((resolve) => options?.abortSignal?.addEventListener('abort', resolve));
      throw new Error('aborted');
    }
    if (command instanceof DeleteMessageBatchCommand) {
      deleted.push(...command.input.Entries!.map((entry) => entry.ReceiptHandle!));
      return { Failed: [] };
    }
    throw new Error('unexpected command');
  });
  return { client: { send } as unknown as SQSClient, deleted };
}

/** An invoker that holds every batch until released, recording how many run at once. */
function heldInvoker() {
  let running = 0;
  let peak = 0;
  const releases: (() => void)[] = [];
  const invoke = jest.fn(async (_name: string, event: unknown): Promise<InvocationResult> => {
    running++;
    peak = Math.max(peak, running);
    await new Promise<void>((resolve) => releases.push(resolve));
    running--;
    const records = (event as { Records: { messageId: string; body: string }[] }).Records;
    return {
      payload: {
        batchItemFailures: records
          .filter((record) => (JSON.parse(record.body) as { fail: boolean }).fail)
          .map((record) => ({ itemIdentifier: record.messageId })),
      },
    };
  });
  return {
    invoke,
    peak: () => peak,
    releaseAll: () => releases.splice(0).forEach((release) => release()),
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('SqsEventSource concurrency', () => {
  it(`invokes up to ${DEFAULT_SQS_CONCURRENCY} batches at once by default, as AWS's five pollers do`, async () => {
    const { client } = fakeQueue(8);
    const held = heldInvoker();
    const source = new SqsEventSource(mapping(), {
      client,
      invoke: held.invoke,
      region: 'us-east-1',
      log: silentLog,
    });
    source.start();
    await settle();
    expect(held.peak()).toBe(DEFAULT_SQS_CONCURRENCY);
    expect(held.invoke).toHaveBeenCalledTimes(DEFAULT_SQS_CONCURRENCY);
    held.releaseAll();
    await settle();
    held.releaseAll();
    await settle();
    expect(held.invoke).toHaveBeenCalledTimes(8);
    const stopping = source.stop();
    held.releaseAll();
    await stopping;
  });

  it("receives no more than the mapping's maximumConcurrency batches before one finishes", async () => {
    const { client } = fakeQueue(6);
    const held = heldInvoker();
    const source = new SqsEventSource(mapping({ maximumConcurrency: 2 }), {
      client,
      invoke: held.invoke,
      region: 'us-east-1',
      log: silentLog,
    });
    source.start();
    await settle();
    expect(held.invoke).toHaveBeenCalledTimes(2);
    expect(client.send).toHaveBeenCalledTimes(2);
    const stopping = source.stop();
    held.releaseAll();
    await stopping;
    expect(held.peak()).toBe(2);
  });

  it('deletes only the messages each concurrent batch reported as done', async () => {
    const { client, deleted } = fakeQueue(4);
    const held = heldInvoker();
    const source = new SqsEventSource(mapping(), {
      client,
      invoke: held.invoke,
      region: 'us-east-1',
      log: silentLog,
    });
    source.start();
    await settle();
    held.releaseAll();
    await settle();
    const stopping = source.stop();
    held.releaseAll();
    await stopping;
    expect(deleted.sort()).toEqual(['r-0', 'r-2']);
  });

  it('backs off and reports once when batches cannot be delivered, then stops promptly', async () => {
    const { client } = fakeQueue(20);
    const warnings: string[] = [];
    const invoke = jest.fn(async () => {
      throw new Error('connect ECONNREFUSED');
    });
    const source = new SqsEventSource(mapping(), {
      client,
      invoke,
      region: 'us-east-1',
      log: { ...silentLog, warning: (message) => warnings.push(message) },
      errorBackoffMs: 200,
    });
    source.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await source.stop();
    expect(invoke.mock.calls.length).toBeLessThanOrEqual(DEFAULT_SQS_CONCURRENCY + 1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('ECONNREFUSED');
  });
});
