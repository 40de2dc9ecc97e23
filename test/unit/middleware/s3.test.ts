import type { S3Event, S3EventRecord } from 'aws-lambda';
import type { AsyncFailure } from '../../../src/aws/async-failure-destination';
import { toIntegrationError } from '../../../src/aws/error-mapping';
import { AppError, ConfigError } from '../../../src/errors';
import {
  decodeS3Key,
  s3EventHandler,
  type S3ObjectEvent,
  type S3RecordHandler,
} from '../../../src/middleware/s3';
import { logger } from '../../../src/observability/logger';
import { lambdaContext } from './events';

function s3Record(encodedKey: string): S3EventRecord {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: '2026-11-23T14:00:00.000Z',
    eventName: 'ObjectCreated:Put',
    userIdentity: { principalId: 'x' },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: { 'x-amz-request-id': 'r', 'x-amz-id-2': 'i' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'c',
      bucket: {
        name: 'intake-test-documents',
        ownerIdentity: { principalId: 'x' },
        arn: 'arn:aws:s3:::intake-test-documents',
      },
      object: { key: encodedKey, size: 12, eTag: 'etag', sequencer: '01', versionId: 'v1' },
    },
  };
}

const event = (...keys: string[]): S3Event => ({ Records: keys.map(s3Record) });

describe('decodeS3Key', () => {
  it.each([
    ['uploads/a+b.txt', 'uploads/a b.txt'],
    ['uploads/a%2Bb.txt', 'uploads/a+b.txt'],
    ['uploads/r%C3%A9sum%C3%A9+final.pdf', 'uploads/résumé final.pdf'],
    ['uploads/%E6%97%A5%E6%9C%AC.png', 'uploads/日本.png'],
    ['plain/key', 'plain/key'],
  ])('%s → %s', (encoded, decoded) => {
    expect(decodeS3Key(encoded)).toBe(decoded);
  });
});

/** An S3 stack whose failure destination records what it was given (or refuses, when told to). */
function stack(recordHandler: S3RecordHandler, options: { destinationRefuses?: boolean } = {}) {
  const sent: AsyncFailure[] = [];
  const handler = s3EventHandler(recordHandler, {
    failureDestination: async (failure) => {
      if (options.destinationRefuses) throw new Error('the failure queue is down');
      sent.push(failure);
    },
  });
  return { handler, sent };
}

const call = { service: 'S3', operation: 'GetObject' };
// SDK errors as the SDK throws them, built by hand: no emulator can be made to throttle, answer 5xx or
// deny access on demand. error-mapping.test.ts covers the mapping itself.
const sdkError = (name: string, status: number, fault: 'client' | 'server') =>
  toIntegrationError(
    Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode: status } }),
    call,
  );

describe('s3EventHandler', () => {
  it('hands each record to the handler with its key decoded and the object facts', async () => {
    const seen: S3ObjectEvent[] = [];
    const { handler, sent } = stack(async (object) => {
      seen.push(object);
    });
    await handler(event('uploads/id/caf%C3%A9+menu.pdf', 'uploads/id/b.png'), lambdaContext());
    expect(seen.map(({ key }) => key)).toEqual(['uploads/id/café menu.pdf', 'uploads/id/b.png']);
    expect(seen[0]).toMatchObject({
      eventName: 'ObjectCreated:Put',
      bucket: 'intake-test-documents',
      size: 12,
      eTag: 'etag',
      versionId: 'v1',
      sequencer: '01',
    });
    expect(sent).toEqual([]);
  });

  it('accepts an ObjectRemoved record, which has no size and no ETag', async () => {
    const seen: S3ObjectEvent[] = [];
    const removed = s3Record('uploads/id/a.pdf');
    removed.eventName = 'ObjectRemoved:Delete';
    removed.s3.object = { key: 'uploads/id/a.pdf', sequencer: '02' } as S3EventRecord['s3']['object'];
    await stack(async (object) => void seen.push(object)).handler({ Records: [removed] }, lambdaContext());
    expect(seen).toEqual([
      expect.objectContaining({ key: 'uploads/id/a.pdf', size: undefined, eTag: undefined }),
    ]);
  });

  const withoutKey = () => {
    const record = s3Record('k/a') as unknown as { s3: { object: Record<string, unknown> } };
    delete record.s3.object['key'];
    return { Records: [record] } as unknown as S3Event;
  };
  it.each([
    ['a record failing its schema (no key)', withoutKey, 'BAD_REQUEST'],
    ['a key that is not URL-encoded', () => event('uploads/%E0%A4%A'), 'BAD_REQUEST'],
    ['a record that is not an object', () => ({ Records: ['garbage'] }) as unknown as S3Event, 'BAD_REQUEST'],
    [
      'an event that is not an S3 notification',
      () => ({ Service: 'Amazon S3' }) as unknown as S3Event,
      'BAD_REQUEST',
    ],
  ])(
    'sends %s to the failure destination at once, without calling the handler',
    async (_name, make, code) => {
      const handled: string[] = [];
      const { handler, sent } = stack(async ({ key }) => void handled.push(key));
      await expect(handler(make(), lambdaContext())).resolves.toBeUndefined();
      expect(handled).toEqual([]);
      expect(sent.map(({ failure }) => failure.code)).toEqual([code]);
      expect(sent[0]!.context.awsRequestId).toBe('lambda-request-id');
    },
  );

  it.each([
    ['a ConfigError', () => new ConfigError('Invalid configuration', ['DOCUMENTS_BUCKET'])],
    ['AccessDenied', () => sdkError('AccessDenied', 403, 'client')],
    ['NoSuchKey', () => sdkError('NoSuchKey', 404, 'client')],
  ])(
    'sends a record failing with %s to the failure destination at once and ends the invocation (no retries)',
    async (_name, makeError) => {
      const error = makeError();
      expect(error.retryable).toBe(false);
      const { handler, sent } = stack(async ({ key }) => {
        if (key === 'k/bad') throw error;
      });
      await expect(handler(event('k/ok', 'k/bad'), lambdaContext())).resolves.toBeUndefined();
      expect(sent).toEqual([
        expect.objectContaining({
          failure: error,
          event: {
            Records: [
              expect.objectContaining({
                s3: expect.objectContaining({ object: expect.objectContaining({ key: 'k/bad' }) }),
              }),
            ],
          },
        }),
      ]);
    },
  );

  it.each([
    ['throttling', () => sdkError('SlowDown', 503, 'server')],
    ['a 5xx', () => sdkError('InternalError', 500, 'server')],
    ['an unknown Error', () => new Error('something nobody typed')],
  ])(
    'fails the invocation on %s, so Lambda retries it, and sends nothing itself',
    async (_name, makeError) => {
      const error = makeError();
      const { handler, sent } = stack(async () => {
        throw error;
      });
      await expect(handler(event('k/a'), lambdaContext())).rejects.toBe(error);
      expect(sent).toEqual([]);
    },
  );

  it('attempts every record, then fails with the first retryable failure when failures are mixed', async () => {
    const attempted: string[] = [];
    const throttled = sdkError('SlowDown', 503, 'server');
    const { handler, sent } = stack(async ({ key }) => {
      attempted.push(key);
      if (key.endsWith('a')) throw sdkError('NoSuchKey', 404, 'client');
      if (key.endsWith('b')) throw throttled;
    });
    await expect(handler(event('k/a', 'k/b', 'k/c'), lambdaContext())).rejects.toBe(throttled);
    expect(attempted).toEqual(['k/a', 'k/b', 'k/c']);
    // Lambda retries the whole event; its own failure record covers the NoSuchKey too if retries run out.
    expect(sent).toEqual([]);
  });

  it('fails the invocation when the failure destination refuses a non-retryable record, so it is not lost', async () => {
    const error = new ConfigError('Invalid configuration', ['X']);
    const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      const { handler } = stack(
        async () => {
          throw error;
        },
        { destinationRefuses: true },
      );
      await expect(handler(event('k/a'), lambdaContext())).rejects.toBe(error);
      expect(logged).toHaveBeenCalledWith(
        expect.stringContaining('the failure destination refused it'),
        expect.objectContaining({ error: expect.any(Error) }),
      );
    } finally {
      logged.mockRestore();
    }
  });

  it('logs a record sent to the failure destination as an error naming its code', async () => {
    const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      const { handler } = stack(async () => {
        throw new ConfigError('Invalid configuration', ['X']);
      });
      await handler(event('k/a'), lambdaContext());
      expect(logged).toHaveBeenCalledWith(
        'S3 object failed and is not retryable: sent to the failure destination',
        expect.objectContaining({ key: 'k/a', code: 'CONFIG', error: expect.any(AppError) }),
      );
    } finally {
      logged.mockRestore();
    }
  });
});
