import fc from 'fast-check';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { AwsChunkedDecoder } from '../../../../plugins/local-stack/s3-proxy/aws-chunked';

/** An aws-chunked body as the SDK frames it: `<hex size>[;ext]\r\n<bytes>\r\n`…, `0\r\n`, trailers, `\r\n`. */
function frame(chunks: Buffer[], extension = ''): Buffer {
  return Buffer.concat([
    ...chunks.flatMap((chunk) => [
      Buffer.from(`${chunk.length.toString(16)}${extension}\r\n`),
      chunk,
      Buffer.from('\r\n'),
    ]),
    Buffer.from(`0${extension}\r\nx-amz-checksum-crc32:gtnkmQ==\r\n\r\n`),
  ]);
}

/** Decodes `body` delivered in pieces cut at `cuts` (offsets), as a socket might deliver it. */
function decode(body: Buffer, cuts: number[] = []): Promise<Buffer> {
  const offsets = [...new Set([0, ...cuts.map((cut) => cut % (body.length + 1)), body.length])].sort(
    (a, b) => a - b,
  );
  const pieces = offsets.slice(1).map((end, index) => body.subarray(offsets[index], end));
  return buffer(Readable.from(pieces).pipe(new AwsChunkedDecoder()));
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: { statusCode: number; code: string }) => ({ status: error.statusCode, code: error.code }),
  );

describe('AwsChunkedDecoder', () => {
  it('yields the object bytes of any framing, however the body is cut into pieces', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.constantFrom('', `;chunk-signature=${'a'.repeat(64)}`),
        async (chunks, cuts, extension) => {
          const bytes = chunks.map((chunk) => Buffer.from(chunk));
          expect(await decode(frame(bytes, extension), cuts)).toEqual(Buffer.concat(bytes));
        },
      ),
    );
  });

  it('refuses a body that ends before its last chunk with 400 IncompleteBody', async () => {
    const body = frame([Buffer.from('hello world')]);
    expect(await failure(decode(body.subarray(0, 8)))).toEqual({ status: 400, code: 'IncompleteBody' });
  });

  it.each([
    ['a size that is not hexadecimal', 'zz\r\nhello\r\n0\r\n\r\n'],
    ['data longer than its size', '2\r\nhello\r\n0\r\n\r\n'],
    ['a header line with no end', `${'f'.repeat(2000)}`],
  ])('refuses %s with 400 IncompleteBody', async (_case, body) => {
    expect(await failure(decode(Buffer.from(body)))).toEqual({ status: 400, code: 'IncompleteBody' });
  });

  it('applies only to bodies whose Content-Encoding lists aws-chunked', () => {
    expect(AwsChunkedDecoder.applies({ 'content-encoding': 'aws-chunked' })).toBe(true);
    expect(AwsChunkedDecoder.applies({ 'content-encoding': 'gzip, AWS-Chunked' })).toBe(true);
    expect(AwsChunkedDecoder.applies({ 'content-encoding': 'gzip' })).toBe(false);
    expect(AwsChunkedDecoder.applies({})).toBe(false);
  });

  it('sends on the decoded length and no trace of the chunked encoding, keeping other encodings', () => {
    expect(
      AwsChunkedDecoder.decodedHeaders({
        host: '127.0.0.1',
        'content-encoding': 'aws-chunked, gzip',
        'content-length': '96',
        'transfer-encoding': 'chunked',
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'x-amz-decoded-content-length': '12',
        'x-amz-trailer': 'x-amz-checksum-crc32',
      }),
    ).toEqual({
      host: '127.0.0.1',
      'content-encoding': 'gzip',
      'content-length': '12',
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    });
    expect(
      AwsChunkedDecoder.decodedHeaders({
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '0',
      }),
    ).toEqual({ 'content-length': '0', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' });
  });

  it('refuses an aws-chunked body without its decoded length with 411 MissingContentLength, as S3 does', () => {
    expect(() => AwsChunkedDecoder.decodedHeaders({ 'content-encoding': 'aws-chunked' })).toThrow(
      expect.objectContaining({ statusCode: 411, code: 'MissingContentLength' }),
    );
  });
});
