import type { S3Event, S3EventRecord } from 'aws-lambda';
import { NotFoundError } from '../../../src/errors';
import { decodeS3Key, s3EventHandler, type S3ObjectEvent } from '../../../src/middleware/s3';
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

describe('s3EventHandler', () => {
  it('hands each record to the handler with its key decoded and the object facts', async () => {
    const seen: S3ObjectEvent[] = [];
    const handler = s3EventHandler(async (object) => {
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
  });

  it('attempts every record, then fails the invocation with the first failure so Lambda retries it', async () => {
    const attempted: string[] = [];
    const failure = new NotFoundError('gone', { service: 'S3', operation: 'GetObject' });
    const handler = s3EventHandler(async ({ key }) => {
      attempted.push(key);
      if (key.endsWith('a')) throw failure;
      if (key.endsWith('b')) throw new Error('second');
    });
    await expect(handler(event('k/a', 'k/b', 'k/c'), lambdaContext())).rejects.toBe(failure);
    expect(attempted).toEqual(['k/a', 'k/b', 'k/c']);
  });
});
