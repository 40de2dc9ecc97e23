import {
  AccessDeniedError,
  CredentialsError,
  IntegrationError,
  type IntegrationErrorOptions,
  InvalidRequestError,
  NotFoundError,
  PreconditionFailedError,
  ServiceUnavailableError,
  ThrottledError,
  TimeoutError,
} from '../errors';

export interface IntegrationContext {
  service: string;
  operation: string;
  resource?: string;
}

/** The parts of an SDK v3 ServiceException (or a Node network error) that decide what went wrong. */
interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

const credentialNames = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'TokenRefreshRequired',
]);
const accessDeniedNames = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'KMSAccessDeniedException',
  'KMS.AccessDeniedException',
  'AuthorizationError',
  'Forbidden',
]);
const notFoundNames = new Set([
  'NoSuchKey',
  'NoSuchBucket',
  'NoSuchUpload',
  'NotFound',
  'ResourceNotFoundException',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'NonExistentQueue',
]);
const preconditionNames = new Set(['PreconditionFailed', 'ConditionalCheckFailedException']);
const throttleNames = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'TooManyRequests',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TransactionInProgressException',
  'EC2ThrottledException',
  'BandwidthLimitExceeded',
  'PriorRequestNotComplete',
]);
const timeoutNames = new Set(['TimeoutError', 'AbortError', 'RequestTimeout', 'RequestTimeoutException']);
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * The one place SDK v3 errors become intake's typed errors: by error name/code first, then by HTTP status,
 * `$fault` and `$retryable`. Never throws; an unrecognised error becomes a retryable ServiceUnavailableError
 * when the service blamed itself (or we could not tell), and a non-retryable InvalidRequestError when it
 * blamed the request. An IntegrationError passes through unchanged. Messages name the service and operation,
 * never the raw SDK message (which can hold ARNs and account ids); the original is kept as `cause`.
 */
export function toIntegrationError(error: unknown, context: IntegrationContext): IntegrationError {
  if (error instanceof IntegrationError) return error;
  const shape: SdkErrorShape = typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
  // A bare `Error` name says nothing: fall back to `Code` (some XML errors) or a Node network `code`.
  const name = firstString(shape.name === 'Error' ? undefined : shape.name, shape.Code);
  const code = firstString(shape.code);
  const status =
    typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;
  const options: IntegrationErrorOptions = {
    ...context,
    cause: error,
    details: { awsCode: name ?? code, status },
  };
  const what = `${context.service} ${context.operation}`;

  if (name !== undefined && credentialNames.has(name)) {
    return new CredentialsError(`${what} has no valid AWS credentials`, options);
  }
  // Before the 403 rule: SQS answers RequestThrottled (and KMS some throttles) with HTTP 403.
  if ((name !== undefined && throttleNames.has(name)) || status === 429 || isThrottlingFlag(shape)) {
    return new ThrottledError(`${what} was throttled`, options);
  }
  if ((name !== undefined && accessDeniedNames.has(name)) || status === 403) {
    return new AccessDeniedError(`${what} was denied`, options);
  }
  if ((name !== undefined && timeoutNames.has(name)) || code === 'ETIMEDOUT') {
    return new TimeoutError(`${what} timed out`, options);
  }
  if (code !== undefined && networkCodes.has(code)) {
    return new ServiceUnavailableError(`${what} could not reach the service (${code})`, options);
  }
  if ((name !== undefined && notFoundNames.has(name)) || status === 404) {
    return new NotFoundError(`${what}: the resource does not exist`, options);
  }
  if ((name !== undefined && preconditionNames.has(name)) || status === 412) {
    return new PreconditionFailedError(`${what}: a precondition failed`, options);
  }
  if ((status !== undefined && status >= 500) || shape.$fault === 'server' || shape.$retryable) {
    return new ServiceUnavailableError(`${what} failed on the service side`, options);
  }
  if ((status !== undefined && status >= 400) || shape.$fault === 'client') {
    return new InvalidRequestError(`${what} was rejected as invalid`, options);
  }
  return new ServiceUnavailableError(`${what} failed`, options);
}

function firstString(...values: unknown[]): string | undefined {
  return values.find((value): value is string => typeof value === 'string' && value.length > 0);
}

function isThrottlingFlag(shape: SdkErrorShape): boolean {
  const retryable = shape.$retryable;
  return (
    typeof retryable === 'object' &&
    retryable !== null &&
    (retryable as { throttling?: unknown }).throttling === true
  );
}
