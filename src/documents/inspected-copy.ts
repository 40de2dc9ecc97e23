import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ObjectStorage, ObjectStream, PutResult } from '../aws/storage';
import { inspectDocument, type DocumentInspection, type InspectOptions } from './inspection/inspect-document';

export interface InspectedCopy {
  inspection: DocumentInspection;
  /** The copy at `targetKey`: byte for byte what `inspection` describes. */
  copy: PutResult;
}

/**
 * Inspects `source` and, in the same single pass, writes the very bytes it hashes to `targetKey`. What the
 * inspection describes is therefore exactly what the copy holds, whatever happens to the source object
 * meanwhile: a re-POST of the upload form, a replaced object, an ETag that cannot tell two contents apart
 * (MD5 collisions), a bucket without versions. Ranged reads the inspection needs (PDF structure) are made
 * on the finished copy, pinned to its ETag, never on the source.
 *
 * The copy is stored as `application/octet-stream` with `Content-Disposition: attachment`: whoever reaches
 * it without the download URL's response overrides (a CDN, a console link) gets a download, never a page.
 * Throws when the source cannot be read or the copy cannot be written; a partial copy is then never
 * described by a manifest (the caller writes none), and a retry overwrites it.
 */
export async function inspectWhileCopying(
  storage: Pick<ObjectStorage, 'put' | 'getBytes'>,
  source: ObjectStream,
  targetKey: string,
  options: Omit<InspectOptions, 'rangeReader'>,
): Promise<InspectedCopy> {
  const copyBody = new PassThrough();
  // A failure of the copy reaches us through `written`; the stream's own error event must not go unheard.
  copyBody.on('error', () => undefined);
  // The source's length is known: the copy is written while the source is read, not after it.
  const written = storage.put(targetKey, copyBody, {
    contentType: 'application/octet-stream',
    contentDisposition: 'attachment',
    contentLength: source.contentLength,
  });
  // Observed below (race, await); without this an early rejection would be reported as unhandled.
  written.catch(() => undefined);

  async function* hashedAndCopied(): AsyncIterable<Uint8Array | string> {
    for await (const chunk of source.body as AsyncIterable<Uint8Array | string>) {
      // Backpressure: wait for the copy to take the chunk, unless the copy has failed meanwhile.
      if (!copyBody.write(chunk)) await Promise.race([once(copyBody, 'drain'), written]);
      yield chunk;
    }
    copyBody.end();
  }

  try {
    const inspection = await inspectDocument(hashedAndCopied(), {
      ...options,
      rangeReader: {
        size: source.size,
        read: async (start, end) => {
          const copy = await written;
          return storage.getBytes(targetKey, { range: { start, end: end - 1 }, ifMatch: copy.etag });
        },
      },
    });
    return { inspection, copy: await written };
  } catch (error) {
    copyBody.destroy(error as Error);
    source.body.destroy();
    throw error;
  }
}
