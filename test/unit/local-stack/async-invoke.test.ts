import type { AsyncFailureRecord, AsyncInvokePolicy } from '../../../plugins/local-stack/async-invoke';
import { invokeAsync } from '../../../plugins/local-stack/async-invoke';
import type { Invoker } from '../../../plugins/local-stack/invoker';
import { silentLog } from '../../../plugins/local-stack/log';

const policy = (overrides: Partial<AsyncInvokePolicy> = {}): AsyncInvokePolicy => ({
  functionName: 'svc-f',
  functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:svc-f',
  maximumRetryAttempts: 2,
  retryDelaysMs: [1, 2],
  ...overrides,
});

describe('invokeAsync (Lambda async-invoke semantics)', () => {
  it('invokes once and resolves true when the handler succeeds', async () => {
    const invoke = jest.fn<ReturnType<Invoker>, Parameters<Invoker>>(async () => ({ payload: 'ok' }));
    await expect(invokeAsync(invoke, { a: 1 }, policy(), silentLog)).resolves.toBe(true);
    expect(invoke).toHaveBeenCalledTimes(1);
    expect(invoke).toHaveBeenCalledWith('svc-f', { a: 1 });
  });

  it('retries a failure until the handler succeeds', async () => {
    const invoke = jest
      .fn<ReturnType<Invoker>, Parameters<Invoker>>()
      .mockResolvedValueOnce({ functionError: 'Unhandled', payload: { errorMessage: 'boom' } })
      .mockResolvedValueOnce({ payload: undefined });
    await expect(invokeAsync(invoke, {}, policy(), silentLog)).resolves.toBe(true);
    expect(invoke).toHaveBeenCalledTimes(2);
  });

  it('gives up after maximumRetryAttempts + 1 attempts and sends the AWS failure record', async () => {
    const invoke: Invoker = async () => ({ functionError: 'Unhandled', payload: { errorMessage: 'boom' } });
    const sent: AsyncFailureRecord[] = [];
    const ok = await invokeAsync(
      jest.fn(invoke),
      { event: 1 },
      policy({ maximumRetryAttempts: 1, sendToOnFailure: async (record) => void sent.push(record) }),
      silentLog,
    );
    expect(ok).toBe(false);
    expect(sent).toEqual([
      {
        version: '1.0',
        timestamp: expect.any(String),
        requestContext: {
          requestId: expect.any(String),
          functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:svc-f:$LATEST',
          condition: 'RetriesExhausted',
          approximateInvokeCount: 2,
        },
        requestPayload: { event: 1 },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        responsePayload: { errorMessage: 'boom' },
      },
    ]);
  });

  it('counts an unreachable function as a failed attempt', async () => {
    const invoke = jest.fn<ReturnType<Invoker>, Parameters<Invoker>>(async () => {
      throw new Error('ECONNREFUSED');
    });
    const sent: AsyncFailureRecord[] = [];
    await invokeAsync(
      invoke,
      {},
      policy({ sendToOnFailure: async (record) => void sent.push(record) }),
      silentLog,
    );
    expect(invoke).toHaveBeenCalledTimes(3);
    expect(sent[0]!.responsePayload).toEqual({ errorMessage: 'Error: ECONNREFUSED' });
  });

  it('logs and drops the event when there is no destination, or the destination refuses it', async () => {
    const errors: string[] = [];
    const log = { ...silentLog, error: (message: string) => errors.push(message) };
    const failing: Invoker = async () => ({ functionError: 'Unhandled', payload: 'text' });
    await expect(invokeAsync(failing, {}, policy({ maximumRetryAttempts: 0 }), log)).resolves.toBe(false);
    await invokeAsync(
      failing,
      {},
      policy({
        maximumRetryAttempts: 0,
        sendToOnFailure: async () => {
          throw new Error('queue gone');
        },
      }),
      log,
    );
    expect(errors).toEqual([expect.stringContaining('dropped'), expect.stringContaining('queue gone')]);
  });

  it('waits the configured delay before each retry, repeating the last one', async () => {
    const times: number[] = [];
    const invoke: Invoker = async () => {
      times.push(Date.now());
      return { functionError: 'Unhandled', payload: undefined };
    };
    await invokeAsync(invoke, {}, policy({ maximumRetryAttempts: 3, retryDelaysMs: [20, 60] }), silentLog);
    const gaps = times.slice(1).map((time, index) => time - times[index]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(15);
    expect(gaps[1]).toBeGreaterThanOrEqual(55);
    expect(gaps[2]).toBeGreaterThanOrEqual(55);
  });
});
