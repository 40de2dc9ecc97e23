import { UnhealthyError, runCheck } from '../../../src/health/check';

describe('runCheck', () => {
  it('reports ok with the latency and the probe details', async () => {
    const result = await runCheck('s3', async () => ({ extra: 1 }), 1_000);
    expect(result).toEqual({ status: 'ok', latencyMs: expect.any(Number), extra: 1 });
  });

  it('aborts the probe signal and reports TIMEOUT when the timeout passes', async () => {
    let signal: AbortSignal | undefined;
    const result = await runCheck(
      'sqs',
      (abortSignal) => {
        signal = abortSignal;
        return new Promise(() => undefined);
      },
      50,
    );
    expect(result).toMatchObject({ status: 'error', reason: 'TIMEOUT' });
    expect(signal?.aborted).toBe(true);
    expect(result.latencyMs).toBeGreaterThanOrEqual(45);
  });

  it('reports an UnhealthyError by its reason', async () => {
    const result = await runCheck(
      'dynamodb',
      () => Promise.reject(new UnhealthyError('TABLE_CREATING')),
      1_000,
    );
    expect(result).toMatchObject({ status: 'error', reason: 'TABLE_CREATING' });
  });

  it('reports a mapped error code without an unsafe AWS code', async () => {
    const weird = Object.assign(new Error('x'), { name: 'has spaces and arn:aws:iam::123456789012:role/x' });
    const result = await runCheck('s3', () => Promise.reject(weird), 1_000);
    expect(result.reason).toBe('SERVICE_UNAVAILABLE');
  });
});
