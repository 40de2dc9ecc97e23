import { randomUUID } from 'node:crypto';
import type { Invoker } from './invoker';
import type { LocalLog } from './log';

/** The record Lambda sends to an async invocation's on-failure destination. */
export interface AsyncFailureRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'RetriesExhausted';
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  responseContext: { statusCode: number; executedVersion: string; functionError: string };
  responsePayload: unknown;
}

/** How one function handles async invokes: its retries, their delays, and where failures go. */
export interface AsyncInvokePolicy {
  functionName: string;
  functionArn: string;
  /** Retries after the first attempt (AWS: 0–2, default 2). */
  maximumRetryAttempts: number;
  /** Delay before each retry; the last one repeats (AWS waits about 1 then 2 minutes). */
  retryDelaysMs: number[];
  /** Sends the failure record to the function's on-failure destination, if it has one. */
  sendToOnFailure?: (record: AsyncFailureRecord) => Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Emulates Lambda's asynchronous invocation of `event`: retries a failing handler with backoff, then
 * hands a failure record to the on-failure destination (or logs that the event is dropped). Resolves
 * true when the handler succeeded; never rejects.
 */
export async function invokeAsync(
  invoke: Invoker,
  event: unknown,
  policy: AsyncInvokePolicy,
  log: LocalLog,
): Promise<boolean> {
  const requestId = randomUUID();
  const attempts = policy.maximumRetryAttempts + 1;
  let lastError: { functionError: string; payload: unknown } = {
    functionError: 'Unhandled',
    payload: undefined,
  };
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    if (attempt > 1) {
      const delays = policy.retryDelaysMs;
      await sleep(delays[Math.min(attempt - 2, delays.length - 1)] ?? 0);
    }
    try {
      const result = await invoke(policy.functionName, event);
      if (!result.functionError) return true;
      lastError = { functionError: result.functionError, payload: result.payload };
      log.warning(
        `${policy.functionName} failed (attempt ${attempt} of ${attempts}): ${describe(result.payload)}`,
      );
    } catch (error) {
      lastError = { functionError: 'Unhandled', payload: { errorMessage: String(error) } };
      log.warning(
        `${policy.functionName} could not be invoked (attempt ${attempt} of ${attempts}): ${String(error)}`,
      );
    }
  }
  const record: AsyncFailureRecord = {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId,
      functionArn: `${policy.functionArn}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: attempts,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: lastError.functionError },
    responsePayload: lastError.payload,
  };
  if (!policy.sendToOnFailure) {
    log.error(
      `${policy.functionName} failed ${attempts} times; the event is dropped (no onFailure destination)`,
    );
    return false;
  }
  try {
    await policy.sendToOnFailure(record);
    log.warning(
      `${policy.functionName} failed ${attempts} times; the event went to its onFailure destination`,
    );
  } catch (error) {
    log.error(`${policy.functionName}: the onFailure destination refused the event: ${String(error)}`);
  }
  return false;
}

function describe(payload: unknown): string {
  const message = (payload as { errorMessage?: unknown } | undefined)?.errorMessage;
  return typeof message === 'string' ? message : (JSON.stringify(payload) ?? 'no payload');
}
