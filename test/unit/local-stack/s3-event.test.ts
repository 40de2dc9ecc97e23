import fc from 'fast-check';
import {
  buildS3Event,
  changeFromS3rverEvent,
  encodeS3EventKey,
  matchesEventPattern,
  nextSequencer,
  subscriptionMatches,
  type S3Subscription,
} from '../../../plugins/local-stack/s3-event';

describe('encodeS3EventKey', () => {
  it('writes spaces as + and keeps slashes, as S3 notifications do', () => {
    expect(encodeS3EventKey('uploads/my file.pdf')).toBe('uploads/my+file.pdf');
  });

  it('percent-encodes UTF-8, plus signs and reserved punctuation', () => {
    expect(encodeS3EventKey('a/ü+é (1)!~*.txt')).toBe('a/%C3%BC%2B%C3%A9+%281%29%21%7E*.txt');
  });

  it('round-trips through the decoding every S3 consumer applies', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (key) => {
        expect(decodeURIComponent(encodeS3EventKey(key).replace(/\+/g, ' '))).toBe(key);
      }),
    );
  });

  it('writes exactly one + per space and never a raw space', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (key) => {
        const encoded = encodeS3EventKey(key);
        expect(encoded).not.toContain(' ');
        expect(encoded.split('+').length - 1).toBe(key.split(' ').length - 1);
      }),
    );
  });
});

describe('matchesEventPattern', () => {
  it.each([
    ['ObjectCreated:Put', 's3:ObjectCreated:*', true],
    ['ObjectCreated:Copy', 's3:ObjectCreated:Put', false],
    ['ObjectCreated:Put', 's3:ObjectCreated:Put', true],
    ['ObjectRemoved:Delete', 's3:ObjectCreated:*', false],
    ['ObjectRemoved:Delete', 's3:ObjectRemoved:*', true],
  ])('%s against %s → %s', (eventName, pattern, expected) => {
    expect(matchesEventPattern(eventName, pattern)).toBe(expected);
  });
});

describe('subscriptionMatches', () => {
  const subscription: S3Subscription = {
    functionKey: 'f',
    functionName: 'svc-local-f',
    bucket: 'docs',
    events: ['s3:ObjectCreated:*'],
    prefix: 'uploads/',
    suffix: '.pdf',
  };
  const change = { eventName: 'ObjectCreated:Put', bucket: 'docs', key: 'uploads/a.pdf' };

  it('matches the same bucket, event, prefix and suffix', () => {
    expect(subscriptionMatches(subscription, change)).toBe(true);
  });

  it.each([
    ['another bucket', { bucket: 'other' }],
    ['another prefix', { key: 'manifests/a.pdf' }],
    ['another suffix', { key: 'uploads/a.png' }],
    ['another event', { eventName: 'ObjectRemoved:Delete' }],
  ])('ignores %s', (_label, override) => {
    expect(subscriptionMatches(subscription, { ...change, ...override })).toBe(false);
  });

  it('without rules, matches every key of the bucket', () => {
    const { prefix: _p, suffix: _s, ...open } = subscription;
    expect(subscriptionMatches(open, { ...change, key: 'anything' })).toBe(true);
  });
});

describe('nextSequencer', () => {
  it('grows strictly even within one millisecond', () => {
    const first = nextSequencer(1_000);
    const second = nextSequencer(1_000);
    expect(BigInt(`0x${second}`)).toBeGreaterThan(BigInt(`0x${first}`));
  });
});

describe('buildS3Event', () => {
  it('builds an eventVersion 2.1 record with the encoded key, size and ETag', () => {
    const event = buildS3Event(
      { eventName: 'ObjectCreated:Put', bucket: 'docs', key: 'a b.txt', size: 3, eTag: 'abc' },
      'eu-west-1',
      'cfg',
    );
    expect(event.Records).toHaveLength(1);
    expect(event.Records[0]).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'eu-west-1',
      eventName: 'ObjectCreated:Put',
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'cfg',
        bucket: { name: 'docs', arn: 'arn:aws:s3:::docs' },
        object: { key: 'a+b.txt', size: 3, eTag: 'abc' },
      },
    });
  });

  it('leaves size and ETag out of removal events, as S3 does', () => {
    const event = buildS3Event(
      { eventName: 'ObjectRemoved:Delete', bucket: 'docs', key: 'k' },
      'us-east-1',
      'c',
    );
    expect(event.Records[0]!.s3.object).not.toHaveProperty('size');
    expect(event.Records[0]!.s3.object).not.toHaveProperty('eTag');
    expect(event.Records[0]!.s3.object.sequencer).toBeDefined();
  });
});

describe('changeFromS3rverEvent', () => {
  it('reads bucket, raw key, size, unquoted ETag and source IP from an s3rver event', () => {
    const message = {
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          requestParameters: { sourceIPAddress: '10.0.0.1' },
          s3: { bucket: { name: 'docs' }, object: { key: 'a b.txt', size: 2, eTag: '"e1"' } },
        },
      ],
    };
    expect(changeFromS3rverEvent(message)).toEqual({
      eventName: 'ObjectCreated:Put',
      bucket: 'docs',
      key: 'a b.txt',
      size: 2,
      eTag: 'e1',
      sourceIPAddress: '10.0.0.1',
    });
  });

  it('keeps a copy event without ETag as it is', () => {
    const message = {
      Records: [{ eventName: 'ObjectCreated:Copy', s3: { bucket: { name: 'b' }, object: { key: 'k' } } }],
    };
    expect(changeFromS3rverEvent(message)).toEqual({
      eventName: 'ObjectCreated:Copy',
      bucket: 'b',
      key: 'k',
    });
  });

  it.each([
    undefined,
    {},
    { Records: [] },
    { Records: [{ eventName: 'x', s3: { bucket: {}, object: {} } }] },
  ])('ignores what is not an object change: %p', (message) => {
    expect(changeFromS3rverEvent(message)).toBeUndefined();
  });
});
