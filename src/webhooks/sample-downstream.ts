import type { WebhookDownstreamEvent } from './downstream-event';

/** What the sample downstream function reports about one event: identity, size, when it arrived (ms). */
export function describeDownstreamEvent(
  event: unknown,
  receivedAtMs: number,
): {
  source?: string;
  type?: string;
  id?: string;
  bodyBytes: number | null;
  receivedAt: number;
  valid: boolean;
} {
  const candidate = (
    typeof event === 'object' && event !== null ? event : {}
  ) as Partial<WebhookDownstreamEvent>;
  const valid =
    candidate.kind === 'intake.webhook' &&
    typeof candidate.id === 'string' &&
    typeof candidate.source === 'string';
  return {
    ...(typeof candidate.source === 'string' ? { source: candidate.source } : {}),
    ...(typeof candidate.type === 'string' ? { type: candidate.type } : {}),
    ...(typeof candidate.id === 'string' ? { id: candidate.id } : {}),
    bodyBytes:
      typeof candidate.body === 'string'
        ? Buffer.byteLength(candidate.body, candidate.encoding === 'base64' ? 'base64' : 'utf8')
        : null,
    receivedAt: receivedAtMs,
    valid,
  };
}
