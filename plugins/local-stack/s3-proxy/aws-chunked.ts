import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { S3PostError } from './s3-post-error';

/** A chunk header (`<hex size>[;chunk-signature=<64 hex>]`) is short; anything longer is not one. */
const MAX_HEADER_BYTES = 1024;

/**
 * Decodes an `aws-chunked` request body (what the SDK sends for a streamed PutObject or UploadPart with a
 * flexible checksum: `Content-Encoding: aws-chunked`, `x-amz-content-sha256: STREAMING-…`) into the object's
 * plain bytes, as S3 stores them; the emulator behind would store the framing itself. Chunk signatures
 * and the trailing checksum are not verified (the request's seed signature is). A body that ends before its
 * last (zero-length) chunk, or whose framing is malformed, fails with 400 IncompleteBody.
 */
export class AwsChunkedDecoder extends Transform {
  private state: 'header' | 'data' | 'data-end' | 'trailer' = 'header';
  private remaining = 0;
  private pending: Buffer = Buffer.alloc(0);

  /** True when the request body is aws-chunked (so it must be decoded before the emulator stores it). */
  static applies(headers: { 'content-encoding'?: string | undefined }): boolean {
    return (headers['content-encoding'] ?? '')
      .split(',')
      .some((encoding) => encoding.trim().toLowerCase() === 'aws-chunked');
  }

  /**
   * The headers to send on with the decoded body: its length (`x-amz-decoded-content-length`, which S3
   * requires of an aws-chunked upload: 411 MissingContentLength without it) and no trace of the encoding.
   */
  static decodedHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
    const {
      'x-amz-decoded-content-length': decodedLength,
      'x-amz-trailer': _trailer,
      'transfer-encoding': _transferEncoding,
      'content-length': _contentLength,
      'content-encoding': contentEncoding = '',
      ...rest
    } = headers;
    if (typeof decodedLength !== 'string')
      throw new S3PostError(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
    const encodings = contentEncoding
      .split(',')
      .map((encoding) => encoding.trim())
      .filter((encoding) => encoding !== '' && encoding.toLowerCase() !== 'aws-chunked');
    return {
      ...rest,
      'content-length': decodedLength,
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      ...(encodings.length > 0 ? { 'content-encoding': encodings.join(', ') } : {}),
    };
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const input = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    let offset = 0;
    while (offset < input.length && this.state !== 'trailer') {
      if (this.state === 'data') {
        const end = Math.min(input.length, offset + this.remaining);
        this.push(input.subarray(offset, end));
        this.remaining -= end - offset;
        offset = end;
        if (this.remaining === 0) this.state = 'data-end';
        continue;
      }
      const lineEnd = input.indexOf('\r\n', offset);
      if (lineEnd === -1) {
        this.pending = input.subarray(offset);
        if (this.pending.length > MAX_HEADER_BYTES) return callback(incompleteBody());
        break;
      }
      const line = input.toString('latin1', offset, lineEnd);
      offset = lineEnd + 2;
      if (this.state === 'data-end') {
        if (line !== '') return callback(incompleteBody());
        this.state = 'header';
        continue;
      }
      const size = /^([0-9a-fA-F]{1,16})(;.*)?$/.exec(line)?.[1];
      if (size === undefined) return callback(incompleteBody());
      this.remaining = Number.parseInt(size, 16);
      this.state = this.remaining === 0 ? 'trailer' : 'data';
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    callback(this.state === 'trailer' ? null : incompleteBody());
  }
}

const incompleteBody = () =>
  new S3PostError(
    400,
    'IncompleteBody',
    'You did not provide the number of bytes specified by the Content-Length HTTP header.',
  );
