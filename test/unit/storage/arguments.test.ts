import { InvalidRequestError } from '../../../src/errors';
import {
  assertValidKey,
  assertValidTags,
  boundedExpiresIn,
  boundedListLimit,
  normaliseMetadata,
  rangeHeader,
} from '../../../src/aws/storage/arguments';
import { copySource, fromTagSet, taggingHeader } from '../../../src/aws/storage/s3-attributes';

const ctx = { service: 's3', operation: 'Test', resource: 'b/k' };

describe('storage arguments', () => {
  it('accepts a 1024-byte key and refuses longer, empty or NUL-holding keys, naming the call', () => {
    expect(() => assertValidKey('é'.repeat(512), ctx)).not.toThrow();
    for (const key of ['é'.repeat(512) + 'x', '', 'a\0b']) {
      expect(() => assertValidKey(key, ctx)).toThrow(InvalidRequestError);
    }
    expect(() => assertValidKey('', ctx)).toThrow(
      expect.objectContaining({ operation: 'Test', resource: 'b/k', statusCode: 400 }),
    );
  });

  it('lowercases metadata names and refuses non-ASCII values, bad names and more than 2 KB', () => {
    expect(normaliseMetadata({ 'Document-ID': 'A1' }, ctx)).toEqual({ 'document-id': 'A1' });
    expect(normaliseMetadata(undefined, ctx)).toEqual({});
    expect(() => normaliseMetadata({ name: 'naïve' }, ctx)).toThrow(InvalidRequestError);
    expect(() => normaliseMetadata({ 'bad name': 'x' }, ctx)).toThrow(InvalidRequestError);
    expect(() => normaliseMetadata({ big: 'x'.repeat(2048) }, ctx)).toThrow(InvalidRequestError);
  });

  it('accepts up to 10 tags of allowed characters and refuses the rest', () => {
    expect(() => assertValidTags({ status: 'processed', 'ünï cødé': 'a+b=c.d_e:f/g@h' }, ctx)).not.toThrow();
    expect(() => assertValidTags({ '': 'x' }, ctx)).toThrow(InvalidRequestError);
    expect(() => assertValidTags({ k: 'x'.repeat(257) }, ctx)).toThrow(InvalidRequestError);
    expect(() => assertValidTags({ k: 'semi;colon' }, ctx)).toThrow(InvalidRequestError);
  });

  it('bounds expiries to 1 s – 7 days and page sizes to 1–1000', () => {
    expect(boundedExpiresIn(undefined, 900, ctx)).toBe(900);
    expect(() => boundedExpiresIn(604_801, 900, ctx)).toThrow(InvalidRequestError);
    expect(boundedListLimit(undefined, ctx)).toBe(1000);
    expect(() => boundedListLimit(2.5, ctx)).toThrow(InvalidRequestError);
  });

  it('writes Range and tagging headers and copy sources as S3 reads them', () => {
    expect(rangeHeader({ start: 5 })).toBe('bytes=5-');
    expect(rangeHeader({ start: 0, end: 9 })).toBe('bytes=0-9');
    expect(taggingHeader({ 'a b': 'c&d', e: 'ü' })).toBe('a%20b=c%26d&e=%C3%BC');
    expect(copySource('bkt', 'a+b/c d/ü')).toBe('bkt/a%2Bb/c%20d/%C3%BC');
  });

  it('reads tag sets from S3 responses', () => {
    expect(
      fromTagSet([
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: undefined as unknown as string },
      ]),
    ).toEqual({ a: '1', b: '' });
    expect(fromTagSet(undefined)).toEqual({});
  });
});
