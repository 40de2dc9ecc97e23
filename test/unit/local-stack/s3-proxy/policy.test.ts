import { createHmac } from 'node:crypto';
import { checkContentLength, checkPolicy } from '../../../../plugins/local-stack/s3-proxy/policy-conditions';
import { decodePostPolicy } from '../../../../plugins/local-stack/s3-proxy/policy-document';
import { verifyPostSignature } from '../../../../plugins/local-stack/s3-proxy/post-signature';
import { S3PostError, s3ErrorXml } from '../../../../plugins/local-stack/s3-proxy/s3-post-error';

const encode = (document: unknown) => Buffer.from(JSON.stringify(document)).toString('base64');
const future = '2099-01-01T00:00:00Z';
const now = new Date('2026-01-01T00:00:00Z');

function rejection(run: () => unknown): S3PostError {
  try {
    run();
  } catch (error) {
    return error as S3PostError;
  }
  throw new Error('expected a rejection');
}

describe('decodePostPolicy', () => {
  it('reads object, eq, starts-with and content-length-range conditions, field names lower-cased', () => {
    const policy = decodePostPolicy(
      encode({
        expiration: future,
        conditions: [
          { Bucket: 'b' },
          ['eq', '$Key', 'k'],
          ['starts-with', '$Content-Type', 'image/'],
          ['content-length-range', 1, 5],
        ],
      }),
    );
    expect(policy.conditions.map(({ source: _source, ...rest }) => rest)).toEqual([
      { kind: 'eq', field: 'bucket', value: 'b' },
      { kind: 'eq', field: 'key', value: 'k' },
      { kind: 'starts-with', field: 'content-type', prefix: 'image/' },
      { kind: 'content-length-range', min: 1, max: 5 },
    ]);
  });

  it.each([
    ['not JSON', Buffer.from('{oops').toString('base64')],
    ['not an object', encode(42)],
    ['no expiration', encode({ conditions: [] })],
    ['a bad expiration', encode({ expiration: 'soon', conditions: [] })],
    ['no conditions', encode({ expiration: future })],
    ['an unknown operator', encode({ expiration: future, conditions: [['matches', '$key', 'x']] })],
    ['a field without $', encode({ expiration: future, conditions: [['eq', 'key', 'x']] })],
    ['an inverted range', encode({ expiration: future, conditions: [['content-length-range', 5, 1]] })],
    ['a two-element condition', encode({ expiration: future, conditions: [['eq', '$key']] })],
    ['a non-string object value', encode({ expiration: future, conditions: [{ key: 1 }] })],
    ['a scalar condition', encode({ expiration: future, conditions: ['key'] })],
  ])('answers 400 InvalidPolicyDocument for %s', (_name, policy) => {
    expect(rejection(() => decodePostPolicy(policy))).toMatchObject({
      statusCode: 400,
      code: 'InvalidPolicyDocument',
    });
  });
});

describe('checkPolicy', () => {
  const policy = decodePostPolicy(
    encode({
      expiration: future,
      conditions: [
        { bucket: 'docs' },
        ['starts-with', '$key', 'uploads/'],
        ['starts-with', '$Content-Type', 'image/'],
        ['starts-with', '$x-amz-meta-note', ''],
        ['content-length-range', 2, 10],
      ],
    }),
  );
  const fields = (extra: Record<string, string> = {}) =>
    new Map(Object.entries({ key: 'uploads/a', 'content-type': 'image/png, image/gif', ...extra }));

  it('returns the content-length-range when every condition holds', () => {
    expect(checkPolicy(policy, fields(), 'docs', now)).toEqual({ min: 2, max: 10 });
  });

  it('checks the bucket in the path against the bucket condition', () => {
    expect(rejection(() => checkPolicy(policy, fields(), 'other', now)).message).toMatch(/"bucket":"docs"/);
  });

  it('requires every listed Content-Type to match a starts-with', () => {
    expect(
      rejection(() => checkPolicy(policy, fields({ 'content-type': 'image/png, text/html' }), 'docs', now)),
    ).toMatchObject({
      statusCode: 403,
      code: 'AccessDenied',
    });
  });

  it('fails a starts-with on an absent field, and ignores x-ignore-* fields', () => {
    const noType = new Map([['key', 'uploads/a']]);
    expect(rejection(() => checkPolicy(policy, noType, 'docs', now)).code).toBe('AccessDenied');
    expect(checkPolicy(policy, fields({ 'x-ignore-tracking': '1' }), 'docs', now).max).toBe(10);
  });

  it('defaults to any size without a content-length-range', () => {
    const open = decodePostPolicy(encode({ expiration: future, conditions: [] }));
    expect(checkPolicy(open, new Map(), 'docs', now)).toEqual({ min: 0, max: Number.POSITIVE_INFINITY });
  });
});

describe('checkContentLength', () => {
  it('accepts the bounds themselves', () => {
    expect(() => checkContentLength(2, { min: 2, max: 10 })).not.toThrow();
    expect(() => checkContentLength(10, { min: 2, max: 10 })).not.toThrow();
  });
});

describe('verifyPostSignature', () => {
  const credentials = { accessKeyId: 'AK', secretAccessKey: 'secret' };
  const policy = encode({ expiration: future, conditions: [] });
  const sign = (date: string, region: string) => {
    const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
    const key = hmac(hmac(hmac(hmac('AWS4secret', date), region), 's3'), 'aws4_request');
    return hmac(key, policy).toString('hex');
  };
  const fields = (overrides: Record<string, string> = {}) =>
    new Map(
      Object.entries({
        policy,
        'x-amz-algorithm': 'AWS4-HMAC-SHA256',
        'x-amz-credential': 'AK/20260101/eu-west-1/s3/aws4_request',
        'x-amz-date': '20260101T000000Z',
        'x-amz-signature': sign('20260101', 'eu-west-1'),
        ...overrides,
      }),
    );

  it('accepts a signature made with the secret for the credential scope, in any hex case', () => {
    expect(() => verifyPostSignature(fields(), [credentials])).not.toThrow();
    const upper = fields({ 'x-amz-signature': sign('20260101', 'eu-west-1').toUpperCase() });
    expect(() => verifyPostSignature(upper, [credentials])).not.toThrow();
  });

  it('refuses a signature for another region or a truncated one', () => {
    expect(
      rejection(() =>
        verifyPostSignature(fields({ 'x-amz-signature': sign('20260101', 'us-east-1') }), [credentials]),
      ).code,
    ).toBe('SignatureDoesNotMatch');
    expect(
      rejection(() => verifyPostSignature(fields({ 'x-amz-signature': 'abc' }), [credentials])).code,
    ).toBe('SignatureDoesNotMatch');
  });

  it.each<Record<string, string>>([
    { 'x-amz-algorithm': 'AWS4-HMAC-SHA1' },
    { 'x-amz-credential': 'AK/20260101/eu-west-1/sqs/aws4_request' },
    { 'x-amz-date': '' },
  ])('answers 400 InvalidArgument for %j', (override) => {
    expect(rejection(() => verifyPostSignature(fields(override), [credentials]))).toMatchObject({
      statusCode: 400,
      code: 'InvalidArgument',
    });
  });
});

describe('s3ErrorXml', () => {
  it('writes S3 error XML with extra elements, escaping markup', () => {
    const xml = s3ErrorXml(new S3PostError(400, 'EntityTooLarge', 'a < b & c', { MaxSizeAllowed: 5 }));
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>EntityTooLarge<\/Code><Message>a &lt; b &amp; c<\/Message><MaxSizeAllowed>5<\/MaxSizeAllowed><RequestId>[0-9A-F]{16}<\/RequestId><\/Error>$/,
    );
  });
});
