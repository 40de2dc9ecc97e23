import { createHash } from 'node:crypto';
import { imageSize } from 'image-size';
import { HeadWindow, TailWindow } from './byte-windows';
import { ControlByteScanner } from './control-bytes';
import { detectType, type DetectedType } from './detect-type';
import { GifWalker } from './gif-walker';
import { JpegWalker } from './jpeg-walker';
import { PDF_ACTIVE_CONTENT_NAMES, findPdfActiveContent, type PdfActiveContent } from './pdf-active-content';
import { readPdfInfo } from './pdf-structure';
import { PngWalker } from './png-walker';
import { CachingRangeReader, HeldBytesOnlyError, type RangeReader } from './range-reader';
import { trailingBytesOf } from './trailing-data';
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
  /** The PDF's cross-reference was broken; its pages were counted from a scan for objects. */
  recovered?: true;
  /** PDF active content found (see pdf-active-content.ts for where it is looked for). */
  activeContent?: PdfActiveContent[];
  /**
   * Bytes after the format's end marker (PNG IEND, JPEG EOI, GIF trailer, WebP RIFF size, PDF %%EOF,
   * zip end record + comment): 0 when the file ends where its format does, null when no end was found.
   * Absent for types without an end marker (text).
   */
  trailingBytes?: number | null;
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

/** Image types whose dimensions we read (from the held head, or the JPEG segment walk). */
const DIMENSION_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export interface InspectOptions {
  declaredType?: string;
  /**
   * The types the upload policy accepts: image dimensions are parsed only for an allowed image type, so a
   * parser never runs on content that will be quarantined anyway (TIFF, BMP, PSD, ICO… from a hostile
   * upload). Default: every type whose dimensions we read.
   */
  allowedTypes?: readonly string[];
  filename?: string;
  /** Random access to the same object, for structure read from its middle (PDF cross-references). */
  rangeReader?: RangeReader;
  signal?: AbortSignal;
}

/**
 * Reads a document ONCE as a stream — SHA-256, size, first 64 KiB and last 1 MiB, the structure walks of
 * JPEG, PNG and GIF (frame size, where the format ends), UTF-8 validity and control bytes over every
 * byte — then tells its type and metadata from what it kept, plus a few ranged reads for PDFs (parsed
 * under their own time and memory budget, pdf-budget.ts). Memory stays bounded (≈ 1 MiB + one chunk)
 * whatever the size. Throws only when the stream itself fails, a ranged read fails for a reason other than
 * its limits, or the signal aborts; hostile or unreadable content yields `application/octet-stream` or a
 * metadata note, never a throw.
 */
export async function inspectDocument(
  source: AsyncIterable<Uint8Array | string>,
  options: InspectOptions = {},
): Promise<DocumentInspection> {
  const started = performance.now();
  const hash = createHash('sha256');
  const head = new HeadWindow(HEAD_BYTES);
  const tail = new TailWindow(TAIL_BYTES);
  const jpeg = new JpegWalker();
  const png = new PngWalker();
  const gif = new GifWalker();
  const utf8 = new Utf8Validator();
  const controlBytes = new ControlByteScanner();
  let size = 0;

  for await (const piece of source) {
    options.signal?.throwIfAborted();
    const chunk = toBuffer(piece);
    hash.update(chunk);
    size += chunk.length;
    head.push(chunk);
    tail.push(chunk);
    // Each walker checks its format's signature first and stops within a few bytes on any other file.
    if (!jpeg.done) jpeg.push(chunk);
    if (!png.done) png.push(chunk);
    if (!gif.done) gif.push(chunk);
    utf8.push(chunk);
    // Text must be control-free wherever the byte falls; binary (no longer UTF-8) is not scanned further.
    if (utf8.validSoFar) controlBytes.push(chunk);
  }
  const read = performance.now();

  const headBytes = head.contents();
  const tailBytes = tail.contents();
  const detectedType = await detectType({
    size,
    head: headBytes,
    tail: tailBytes,
    wholeFileIsUtf8: utf8.finish(),
    wholeFileIsControlFree: controlBytes.firstControlByteAt === undefined,
  });
  const metadata = await readMetadata(detectedType, {
    size,
    head: headBytes,
    tail: tailBytes,
    jpeg,
    options,
  });
  const trailingBytes = trailingBytesOf(detectedType.mime, {
    size,
    head: headBytes,
    tail: tailBytes,
    png,
    jpeg,
    gif,
  });
  if (trailingBytes !== undefined) metadata.trailingBytes = trailingBytes;
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
  held: { size: number; head: Buffer; tail: Buffer; jpeg: JpegWalker; options: InspectOptions },
): Promise<DocumentMetadata> {
  const dimensionsWanted =
    DIMENSION_TYPES.has(type.mime) && (held.options.allowedTypes?.includes(type.mime) ?? true);
  if (type.mime.startsWith('image/') && !dimensionsWanted) return {};
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
      activeContent: pdfActiveContent(held.head, held.tail, pdf.activeContent ?? []),
      ...(pdf.truncated ? { truncated: pdf.truncated } : {}),
      ...(pdf.recovered ? { recovered: pdf.recovered } : {}),
      ...(pdf.reason !== undefined ? { note: pdf.reason } : {}),
    };
  }
  return {};
}

/**
 * Active content of a PDF: the name tokens of the first 64 KiB and the last 1 MiB (the whole file up to
 * ~1.06 MiB; uncompressed objects only), plus what the structure read found in the catalog. A name in a
 * compressed object stream in the middle of a larger file is not seen.
 */
function pdfActiveContent(
  head: Buffer,
  tail: Buffer,
  fromCatalog: readonly PdfActiveContent[],
): PdfActiveContent[] {
  const found = new Set([
    ...findPdfActiveContent(head.toString('latin1')),
    ...findPdfActiveContent(tail.toString('latin1')),
    ...fromCatalog,
  ]);
  return PDF_ACTIVE_CONTENT_NAMES.filter((name) => found.has(name));
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
