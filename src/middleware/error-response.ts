import { AppError } from '../errors';
import { jsonResponse, type HttpResult } from './http-types';

export interface ErrorBody {
  error: { code: string; message: string; requestId: string; fields?: unknown };
}

/**
 * The one mapping from a thrown value to an HTTP answer `{"error":{"code","message","requestId"}}`.
 * An AppError below 500 answers with its own status, code and message (plus `fields` for validation, and
 * `Retry-After` when it says when to retry, as a 429 does).
 * Anything 5xx answers with a generic message: a retryable AppError keeps its code (THROTTLED, TIMEOUT…)
 * so clients know to retry, and `Retry-After` (its own, else 1 s); every other error, typed or not, becomes 500 INTERNAL. Internals never leak.
 */
export function errorResponse(error: unknown, requestId: string): HttpResult {
  if (error instanceof AppError && error.statusCode >= 400 && error.statusCode < 500) {
    const fields = error.code === 'BAD_REQUEST' ? fieldsOf(error.details) : undefined;
    const response = jsonResponse(
      error.statusCode,
      { error: { code: error.code, message: error.message, requestId, ...(fields ? { fields } : {}) } },
      requestId,
    );
    if (error.retryAfterSeconds !== undefined) {
      response.headers = { ...response.headers, 'retry-after': String(error.retryAfterSeconds) };
    }
    return response;
  }
  if (error instanceof AppError && error.retryable) {
    const response = jsonResponse(
      error.statusCode,
      { error: { code: error.code, message: 'A dependency is unavailable; retry later', requestId } },
      requestId,
    );
    // A dependency that says when it will be tried again (a misconfiguration re-read after its cache age) is
    // worth waiting for; anything else is worth retrying at once.
    response.headers = { ...response.headers, 'retry-after': String(error.retryAfterSeconds ?? 1) };
    return response;
  }
  return jsonResponse(500, { error: { code: 'INTERNAL', message: 'Internal error', requestId } }, requestId);
}

function fieldsOf(details: unknown): unknown {
  return typeof details === 'object' && details !== null && 'fields' in details
    ? (details as { fields: unknown }).fields
    : undefined;
}
