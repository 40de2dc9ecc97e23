import { PassThrough, type Readable, Transform, pipeline } from 'node:stream';
import { InvalidRequestError } from '../../errors';
import type { ArgumentContext } from './arguments';
import type { ObjectBody } from './object-storage';

/** A body whose size is known up front (held in memory), or a stream of unknown size. */
export type PreparedBody = { kind: 'bytes'; bytes: Uint8Array } | { kind: 'stream'; stream: Readable };

/** Strings become UTF-8 bytes; Buffers and Uint8Arrays are used as they are; streams stay streams. */
export function prepareBody(body: ObjectBody): PreparedBody {
  if (typeof body === 'string') return { kind: 'bytes', bytes: Buffer.from(body, 'utf8') };
  if (body instanceof Uint8Array) return { kind: 'bytes', bytes: body };
  return { kind: 'stream', stream: body };
}

/**
 * Passes `source` through unchanged while counting its bytes: `bytes()` is the total once the returned
 * stream has ended. A source error destroys the returned stream with that error.
 */
export function countingStream(source: Readable): { stream: Readable; bytes: () => number } {
  let count = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      count += chunk.length;
      callback(null, chunk);
    },
  });
  pipeline(source, counter, () => {
    // Errors reach the consumer through `counter`, which pipeline destroys with them.
  });
  return { stream: counter, bytes: () => count };
}

/**
 * The same bytes as `source`, but any error it emits reaches the consumer as `mapError(error)`; and
 * destroying the returned stream (a consumer giving up) releases the source (its socket or file).
 */
export function withMappedErrors(source: Readable, mapError: (error: unknown) => Error): Readable {
  const output = new PassThrough();
  source.once('error', (error) => output.destroy(mapError(error)));
  output.once('close', () => {
    if (!source.destroyed) source.destroy();
  });
  source.pipe(output);
  return output;
}

/** Reads a stream fully into one Buffer. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Why a put fails whose stream body is not the `contentLength` bytes its caller declared. */
export function wrongLengthError(contentLength: number, ctx: ArgumentContext): InvalidRequestError {
  return new InvalidRequestError(
    `The body is not the ${contentLength} bytes its contentLength declared`,
    ctx,
  );
}

/**
 * `source` passed through unchanged while it stays within `length` bytes. As soon as it holds more, or
 * when it ends with fewer, `onWrongLength()` is called once and the stream fails with the error it returns
 * (or, when it returns none, passes nothing more and simply ends: for a consumer the caller stops itself,
 * e.g. by aborting a request). A body sent with a Content-Length is thus never longer or shorter than
 * declared.
 */
export function exactLengthStream(
  source: Readable,
  length: number,
  onWrongLength: () => Error | undefined,
): Readable {
  let count = 0;
  let wrong = false;
  const wrongLength = (callback: (error?: Error | null) => void) => {
    if (wrong) return callback();
    wrong = true;
    callback(onWrongLength() ?? null);
  };
  const checker = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      count += chunk.length;
      if (count > length || wrong) return wrongLength(callback);
      callback(null, chunk);
    },
    flush(callback) {
      if (count !== length) return wrongLength(callback);
      callback();
    },
  });
  pipeline(source, checker, () => {
    // Errors reach the consumer through `checker`, which pipeline destroys with them.
  });
  return checker;
}
