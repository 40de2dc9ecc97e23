import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { toIntegrationError } from '../../../src/aws/error-mapping';
import { NotFoundError } from '../../../src/errors';

const context = { service: 'S3', operation: 'GetObject', resource: 'uploads/x' };

/** An object shaped like an SDK v3 ServiceException. */
function sdkError(name: string, httpStatusCode?: number, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(`raw message with arn:aws:s3:::secret-bucket/${name}`), {
    name,
    $metadata: { httpStatusCode },
    ...extra,
  });
}

function networkError(code: string) {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:4569`), { code });
}

describe('toIntegrationError', () => {
  it.each([
    ['CredentialsProviderError', undefined, 'CREDENTIALS', false],
    ['ExpiredToken', 400, 'CREDENTIALS', false],
    ['InvalidAccessKeyId', 403, 'CREDENTIALS', false],
    ['AccessDenied', 403, 'ACCESS_DENIED', false],
    ['AccessDeniedException', 400, 'ACCESS_DENIED', false],
    ['SomethingForbidden', 403, 'ACCESS_DENIED', false],
    ['NoSuchKey', 404, 'NOT_FOUND', false],
    ['NoSuchBucket', 404, 'NOT_FOUND', false],
    ['NotFound', 404, 'NOT_FOUND', false],
    ['ResourceNotFoundException', 400, 'NOT_FOUND', false],
    ['QueueDoesNotExist', 400, 'NOT_FOUND', false],
    ['AWS.SimpleQueueService.NonExistentQueue', 400, 'NOT_FOUND', false],
    ['UnknownButMissing', 404, 'NOT_FOUND', false],
    ['PreconditionFailed', 412, 'PRECONDITION_FAILED', false],
    ['ConditionalCheckFailedException', 400, 'PRECONDITION_FAILED', false],
    ['Throttling', 400, 'THROTTLED', true],
    ['ThrottlingException', 400, 'THROTTLED', true],
    ['SlowDown', 503, 'THROTTLED', true],
    ['TooManyRequestsException', 429, 'THROTTLED', true],
    ['ProvisionedThroughputExceededException', 400, 'THROTTLED', true],
    ['RequestLimitExceeded', 400, 'THROTTLED', true],
    // SQS answers its throttle with HTTP 403: still a throttle, not access denied.
    ['RequestThrottled', 403, 'THROTTLED', true],
    ['Whatever', 429, 'THROTTLED', true],
    ['InternalError', 500, 'SERVICE_UNAVAILABLE', true],
    ['ServiceUnavailable', 503, 'SERVICE_UNAVAILABLE', true],
    ['TimeoutError', undefined, 'TIMEOUT', true],
    ['AbortError', undefined, 'TIMEOUT', true],
    ['RequestTimeout', 400, 'TIMEOUT', true],
    ['ValidationException', 400, 'INVALID_REQUEST', false],
    ['InvalidParameterValue', 400, 'INVALID_REQUEST', false],
  ])('%s (HTTP %s) → %s, retryable %s', (name, status, code, retryable) => {
    const mapped = toIntegrationError(sdkError(name, status), context);
    expect(mapped).toMatchObject({
      code,
      retryable,
      service: 'S3',
      operation: 'GetObject',
      resource: 'uploads/x',
    });
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'])(
    'a network failure (%s) is a retryable SERVICE_UNAVAILABLE naming the code',
    (code) => {
      const mapped = toIntegrationError(networkError(code), context);
      expect(mapped).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
      expect(mapped.message).toContain(code);
    },
  );

  it('a socket timeout (ETIMEDOUT) is a retryable TIMEOUT', () => {
    expect(toIntegrationError(networkError('ETIMEDOUT'), context)).toMatchObject({
      code: 'TIMEOUT',
      retryable: true,
    });
  });

  it('uses $fault and $retryable when name and status say nothing', () => {
    expect(toIntegrationError(sdkError('Odd', undefined, { $fault: 'server' }), context).code).toBe(
      'SERVICE_UNAVAILABLE',
    );
    expect(toIntegrationError(sdkError('Odd', undefined, { $retryable: {} }), context).code).toBe(
      'SERVICE_UNAVAILABLE',
    );
    expect(
      toIntegrationError(sdkError('Odd', undefined, { $retryable: { throttling: true } }), context).code,
    ).toBe('THROTTLED');
    expect(toIntegrationError(sdkError('Odd', undefined, { $fault: 'client' }), context).code).toBe(
      'INVALID_REQUEST',
    );
  });

  it('reads the error code from `Code` when `name` is generic', () => {
    const error = Object.assign(new Error('x'), { name: '', Code: 'NoSuchKey', $metadata: {} });
    expect(toIntegrationError(error, context).code).toBe('NOT_FOUND');
  });

  it('treats anything unrecognised (even a non-error) as a retryable failure, so no event is dropped', () => {
    expect(toIntegrationError('boom', context)).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      retryable: true,
    });
    expect(toIntegrationError(new Error('plain'), context)).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      retryable: true,
    });
  });

  it('never copies the raw SDK message (it can hold ARNs), keeps the original as cause and the AWS code in details', () => {
    const original = sdkError('AccessDenied', 403);
    const mapped = toIntegrationError(original, context);
    expect(mapped.message).toBe('S3 GetObject was denied');
    expect(mapped.message).not.toContain('arn:');
    expect(mapped.cause).toBe(original);
    expect(mapped.details).toEqual({ awsCode: 'AccessDenied', status: 403 });
  });

  it('passes an IntegrationError through unchanged', () => {
    const already = new NotFoundError('gone', context);
    expect(toIntegrationError(already, { service: 'SQS', operation: 'x' })).toBe(already);
  });
});

// aws-sdk-client-mock: throttling and 5xx cannot be provoked on the emulators, so these paths use mocks.
describe('toIntegrationError on errors thrown by real SDK clients', () => {
  it('maps an S3 SlowDown service exception to THROTTLED', async () => {
    const s3 = mockClient(S3Client);
    s3.on(GetObjectCommand).rejects(
      new S3ServiceException({
        name: 'SlowDown',
        $fault: 'server',
        $metadata: { httpStatusCode: 503 },
        message: 'x',
      }),
    );
    const client = new S3Client({ region: 'us-east-1' });
    const error = await client.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' })).catch((e: unknown) => e);
    expect(toIntegrationError(error, context)).toMatchObject({ code: 'THROTTLED', retryable: true });
    s3.restore();
  });

  it('maps an SQS 500 to a retryable SERVICE_UNAVAILABLE', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageCommand).rejects(
      Object.assign(new Error('We encountered an internal error'), {
        name: 'InternalError',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
      }),
    );
    const client = new SQSClient({ region: 'us-east-1' });
    const error = await client
      .send(new SendMessageCommand({ QueueUrl: 'http://q', MessageBody: 'x' }))
      .catch((e: unknown) => e);
    expect(toIntegrationError(error, { service: 'SQS', operation: 'SendMessage' })).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      retryable: true,
      statusCode: 503,
    });
    sqs.restore();
  });
});
