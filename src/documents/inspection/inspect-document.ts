import { createHash } from 'node:crypto';
import { imageSize } from 'image-size';
import { HeadWindow, TailWindow } from './byte-windows';
import { detectType, type DetectedType } from './detect-type';
import { JpegDimensionsWalker } from './jpeg-dimensions';
import { readPdfInfo } from './pdf-structure';
import { CachingRangeReader, HeldBytesOnlyError, type RangeReader } from './range-reader';
import { declaredTypeMatches, extensionMatches, extensionOf, normalizeMimeType } from './type-compatibility';
import { Utf8Validator } from './utf8-validator';

/** Bytes kept from the start for magic-byte detection and header readers (file-type wants ≤ 64 KiB). */
export const HEAD_BYTES = 64 * 1024;
/** Bytes kept from the end: a zip's central directory, a PDF's trailer, a small file whole. */
export const TAIL_BYTES = 1024 * 1024;
/** At most this many ranged reads to find a PDF's page count. */
const MAX_PDF_READS = 16;

export interface DocumentMetadata {
  width?: number;
  height?: number;
  pages?: number | null;
  encrypted?: boolean;
  pdfVersion?: string | null;
  /** The PDF ends before its trailer: an upload cut short. */
  truncated?: true;
  /** Why a value above could not be told (e.g. `pages: null`). */
  note?: string;
}

export interface DocumentInspection {
  size: number;
  /** Lower-case hex SHA-256 of the whole content. */
  sha256: string;
  detectedType: DetectedType;
  declaredType: string | null;
  extension: string | null;
  /** false when the declared type contradicts the content; null when nothing was declared. */
  declaredTypeMatches: boolean | null;
  /** false when the extension contradicts the content; null when there is none or it says nothing. */
  extensionMatches: boolean | null;
  metadata: DocumentMetadata;
  timings: { readMs: number; analyseMs: number };
}

export interface InspectOptions {
  declaredType?: string;
  filename?: string;
  /** Random access to the same object, for structure read from its middle (PDF cross-references). */
  rangeReader?: RangeReader;
  signal?: AbortSignal;
}

/**
 * Reads a document ONCE as a stream — SHA-256, size, first 64 KiB and last 1 MiB, JPEG segments, UTF-8
 * validity — then tells its type and metadata from what it kept, plus a few ranged reads for PDFs. Memory
 * stays bounded (≈ 1 MiB + one chunk) whatever the size. Throws only when the stream itself fails or the
 * signal aborts; unreadable content yields `application/octet-stream` or a metadata note, never a throw.
 */
export async function inspectDocument(
  source: AsyncIterable<Uint8Array | string>,
  options: InspectOptions = {},
): Promise<DocumentInspection> {
  const started = performance.now();
  const hash = createHash('sha256');
  const head = new HeadWindow(HEAD_BYTES);
  const tail = new TailWindow(TAIL_BYTES);
  const jpeg = new JpegDimensionsWalker();
  const utf8 = new Utf8Validator();
  let size = 0;

  for await (const piece of source) {
    options.signal?.throwIfAborted();
    const chunk = toBuffer(piece);
    hash.update(chunk);
    size += chunk.length;
    head.push(chunk);
    tail.push(chunk);
    if (!jpeg.done) jpeg.push(chunk);
    utf8.push(chunk);
  }
  const read = performance.now();

  const headBytes = head.contents();
  const tailBytes = tail.contents();
  const detectedType = await detectType({
    size,
    head: headBytes,
    tail: tailBytes,
    wholeFileIsUtf8: utf8.finish(),
  });
  const metadata = await readMetadata(detectedType, {
    size,
    head: headBytes,
    tail: tailBytes,
    jpeg,
    options,
  });
  const extension = options.filename ? extensionOf(options.filename) : null;
  const declaredType = options.declaredType ? normalizeMimeType(options.declaredType) : null;

  return {
    size,
    sha256: hash.digest('hex'),
    detectedType,
    declaredType,
    extension,
    declaredTypeMatches: declaredType === null ? null : declaredTypeMatches(declaredType, detectedType.mime),
    extensionMatches: extensionMatches(extension, detectedType.mime),
    metadata,
    timings: { readMs: round(read - started), analyseMs: round(performance.now() - read) },
  };
}

async function readMetadata(
  type: DetectedType,
  held: { size: number; head: Buffer; tail: Buffer; jpeg: JpegDimensionsWalker; options: InspectOptions },
): Promise<DocumentMetadata> {
  if (type.mime === 'image/jpeg') {
    return held.jpeg.dimensions
      ? { ...held.jpeg.dimensions }
      : { note: 'no frame header before the first scan' };
  }
  if (type.mime.startsWith('image/')) {
    try {
      const { width, height } = imageSize(held.head);
      return { width, height };
    } catch (error) {
      return { note: `dimensions unreadable: ${(error as Error).message}` };
    }
  }
  if (type.mime === 'application/pdf') {
    const reader = new CachingRangeReader(
      held.options.rangeReader ?? unavailableReader(held.size),
      MAX_PDF_READS,
      [
        { start: 0, bytes: held.head },
        { start: held.size - held.tail.length, bytes: held.tail },
      ],
    );
    const pdf = await readPdfInfo(reader);
    return {
      pages: pdf.pages,
      encrypted: pdf.encrypted,
      pdfVersion: pdf.version,
      ...(pdf.truncated ? { truncated: pdf.truncated } : {}),
      ...(pdf.reason !== undefined ? { note: pdf.reason } : {}),
    };
  }
  return {};
}

function unavailableReader(size: number): RangeReader {
  return {
    size,
    read: async () => {
      throw new HeldBytesOnlyError();
    },
  };
}

function toBuffer(piece: Uint8Array | string): Buffer {
  if (Buffer.isBuffer(piece)) return piece;
  if (typeof piece === 'string') return Buffer.from(piece, 'utf8');
  return Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
}

const round = (ms: number) => Math.round(ms * 100) / 100;
