/**
 * The typed errors of intake. Every failure that crosses a module boundary is one of these, so the edges
 * (HTTP error handler, SQS partial batch failures, S3 async retries) decide from `statusCode` and
 * `retryable` alone, never from messages.
 */
export interface AppErrorOptions {
  details?: unknown;
  cause?: unknown;
  /** Seconds after which the same request may succeed: answered as `Retry-After`. */
  retryAfterSeconds?: number;
  /**
   * True when the edges should log this at info, without a stack, while still applying its status and
   * retry semantics: an outcome the design expects (a duplicate already being processed), or a fault
   * already reported once where it was found (a misconfigured webhook source, logged per store read, so
   * a flood of requests does not flood the logs).
   */
  routine?: boolean;
}

/** Base of every intake error: a stable machine code, the HTTP status it maps to, and whether a retry may help. */
export class AppError extends Error {
  readonly details?: unknown;
  readonly retryAfterSeconds?: number;
  readonly routine?: boolean;

  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
    readonly retryable: boolean,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options.details !== undefined) this.details = options.details;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
    if (options.routine === true) this.routine = true;
  }
}

/** The request itself is wrong (malformed JSON, failed validation): 400, never retried. */
export class BadRequestError extends AppError {
  constructor(message = 'The request is not valid', options: AppErrorOptions = {}) {
    super('BAD_REQUEST', message, 400, false, options);
  }
}

/** Missing or wrong credentials or signature: 401. */
export class UnauthorizedError extends AppError {
  constructor(message = 'The request is not authorised', options: AppErrorOptions = {}) {
    super('UNAUTHORIZED', message, 401, false, options);
  }
}

/** A body that must be JSON is not (a JSON webhook scheme's payload, after its signature checked): 400. */
export class InvalidJsonError extends AppError {
  constructor(message = 'The body is not valid JSON', options: AppErrorOptions = {}) {
    super('INVALID_JSON', message, 400, false, options);
  }
}

/** The caller is known but may not do this (a scope or the owner claim is missing): 403. */
export class ForbiddenError extends AppError {
  constructor(message = 'The caller may not do this', options: AppErrorOptions = {}) {
    super('FORBIDDEN', message, 403, false, options);
  }
}

/** The caller used up a quota; `retryAfterSeconds` says when it refills: 429. */
export class QuotaExceededError extends AppError {
  constructor(message: string, options: AppErrorOptions & { retryAfterSeconds: number }) {
    super('QUOTA_EXCEEDED', message, 429, false, options);
  }
}

/** No function answers this method and path: 404. */
export class RouteNotFoundError extends AppError {
  constructor(message = 'No route matches this method and path', options: AppErrorOptions = {}) {
    super('ROUTE_NOT_FOUND', message, 404, false, options);
  }
}

/** The route exists but not for this method (a webhook source without a GET handshake): 405. */
export class MethodNotAllowedError extends AppError {
  constructor(message = 'The route does not answer this method', options: AppErrorOptions = {}) {
    super('METHOD_NOT_ALLOWED', message, 405, false, options);
  }
}

/** The body is larger than the route accepts: 413. */
export class PayloadTooLargeError extends AppError {
  constructor(message = 'The request body is too large', options: AppErrorOptions = {}) {
    super('PAYLOAD_TOO_LARGE', message, 413, false, options);
  }
}

/** The request conflicts with the current state (duplicate, in progress): 409. */
export class ConflictError extends AppError {
  constructor(message = 'The request conflicts with the current state', options: AppErrorOptions = {}) {
    super('CONFLICT', message, 409, false, options);
  }
}

/** The environment is missing or has invalid variables; `variables` names each one. */
export class ConfigError extends AppError {
  constructor(
    message: string,
    readonly variables: readonly string[],
  ) {
    super('CONFIG', message, 500, false);
  }
}

export interface IntegrationErrorOptions extends AppErrorOptions {
  service: string;
  operation: string;
  resource?: string;
}

/** A call to an AWS service failed. `service`/`operation` say which; `retryable` says whether to retry. */
export class IntegrationError extends AppError {
  readonly service: string;
  readonly operation: string;
  readonly resource?: string;

  constructor(
    code: string,
    message: string,
    statusCode: number,
    retryable: boolean,
    options: IntegrationErrorOptions,
  ) {
    super(code, message, statusCode, retryable, options);
    this.service = options.service;
    this.operation = options.operation;
    if (options.resource !== undefined) this.resource = options.resource;
  }
}

type IntegrationErrorArgs = [message: string, options: IntegrationErrorOptions];

/** No usable AWS credentials (or they expired). A configuration problem: not retryable. */
export class CredentialsError extends IntegrationError {
  constructor(...[message, options]: IntegrationErrorArgs) {
    super('CREDENTIALS', message, 500, false, options);
  }
}

/** IAM (or a resource policy / KMS key) denies the call. Not retryable. */
export class AccessDeniedError extends IntegrationError {
  constructor(...[message, options]: IntegrationErrorArgs) {
    super('ACCESS_DENIED', message, 500, false, options);
  }
}

/** The object, queue, table or function does not exist: 404, not retryable. */
export class NotFoundError extends IntegrationError {
  constructor(...[message, options]: IntegrationErrorArgs) {
    super('NOT_FOUND', message, 404, false, options);
  }
}

/** A conditional request (If-Match, condition expression) failed: 412, not retryable. */
export class PreconditionFailedError extends IntegrationError {
  constructor(...[message, options]: IntegrationErrorArgs) {
    super('PRECONDITION_FAILED', message, 412, false, options);
  }
}

/** The service throttled us after the SDK's own retries: retry later (503 to an HTTP caller). */
export class ThrottledError extends IntegrationError {
  constructor(...[message, options]: IntegrationErrorArgs) {
    super('THROTTLED', message, 503, true, options);
  }
}

/** The service failed on its side (5xx) or is unreachable: 503, retryable. */
export class ServiceUnavailableError extends IntegrationError {
  constructor(...[message, options]: IntegrationErrorArgs) {
    super('SERVICE_UNAVAILABLE', message, 503, true, options);
  }
}

/** The call did not finish in time (socket timeout, abort): 504, retryable. */
export class TimeoutError extends IntegrationError {
  constructor(...[message, options]: IntegrationErrorArgs) {
    super('TIMEOUT', message, 504, true, options);
  }
}

/** The service rejected our request as invalid (a bug on our side or bad input passed through): 400. */
export class InvalidRequestError extends IntegrationError {
  constructor(...[message, options]: IntegrationErrorArgs) {
    super('INVALID_REQUEST', message, 400, false, options);
  }
}

/**
 * A list cursor that was not issued for this listing (forged, truncated, or from another prefix): 400
 * INVALID_CURSOR, the caller's error, never retried.
 */
export class InvalidCursorError extends IntegrationError {
  constructor(...[message, options]: IntegrationErrorArgs) {
    super('INVALID_CURSOR', message, 400, false, options);
  }
}

/** A count would read more records than one request may (the delivery history's per-minute counts): 400, ask for a shorter span. */
export class TooManyToCountError extends AppError {
  constructor(maxRecords: number) {
    super(
      'TOO_MANY_TO_COUNT',
      `More than ${maxRecords} deliveries in the span: ask for a shorter one`,
      400,
      false,
    );
  }
}

/** True for any intake AppError (typed, with code, status and retryable). */
export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/**
 * Whether another attempt may succeed: the `retryable` flag of an AppError, set where it was created
 * (a schema failure or a ConfigError: no; throttling or a 5xx: yes). Anything else (a bug, a runtime
 * failure nobody typed) counts as retryable: its retries are bounded (maxReceiveCount, Lambda's async
 * retries) and it still ends in the DLQ or the failure destination, while a transient fault is not lost
 * to a guess.
 */
export function isRetryable(error: unknown): boolean {
  return !(error instanceof AppError) || error.retryable;
}

/**
 * Another copy of the same delivery is being processed right now (a duplicate in the same SQS batch, or a
 * concurrent redelivery): 409, retryable. Routine, not a fault: the copy comes back after the visibility
 * timeout and is then skipped as a duplicate (or redone, if the first copy crashed).
 */
export class DuplicateInFlightError extends AppError {
  constructor(message = 'Another copy of this delivery is being processed', options: AppErrorOptions = {}) {
    super('DUPLICATE_IN_FLIGHT', message, 409, true, { ...options, routine: true });
  }
}
