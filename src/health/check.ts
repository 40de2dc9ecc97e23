import { toIntegrationError } from '../aws/error-mapping';

export interface CheckResult {
  status: 'ok' | 'error';
  latencyMs: number;
  /** Why a check failed: our error code and the AWS error name, never a raw message (those can hold ARNs). */
  reason?: string;
  [detail: string]: unknown;
}

/** A probe of one integration: resolves with details to report, throws when the integration is unhealthy. */
export type Probe = (signal: AbortSignal) => Promise<Record<string, unknown>>;

export class UnhealthyError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'UnhealthyError';
  }
}

/**
 * Runs one probe bounded by `timeoutMs`: the AbortSignal cancels its SDK calls (retries included) and a
 * timer settles the check even if a call ignores the signal, so a dead endpoint costs at most the timeout.
 * Never throws: the outcome is a CheckResult with the latency and, on failure, a safe reason.
 */
export async function runCheck(service: string, probe: Probe, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new UnhealthyError('TIMEOUT'));
    }, timeoutMs);
  });
  try {
    const details = await Promise.race([probe(controller.signal), deadline]);
    return { status: 'ok', latencyMs: elapsedSince(started), ...details };
  } catch (error) {
    return { status: 'error', latencyMs: elapsedSince(started), reason: reasonOf(error, service) };
  } finally {
    clearTimeout(timer);
  }
}

function reasonOf(error: unknown, service: string): string {
  if (error instanceof UnhealthyError) return error.reason;
  const mapped = toIntegrationError(error, { service, operation: 'health' });
  const awsCode = (mapped.details as { awsCode?: unknown } | undefined)?.awsCode;
  return typeof awsCode === 'string' && awsCode !== mapped.code && /^[\w.-]{1,64}$/.test(awsCode)
    ? `${mapped.code} (${awsCode})`
    : mapped.code;
}

function elapsedSince(started: number): number {
  return Math.round(performance.now() - started);
}
