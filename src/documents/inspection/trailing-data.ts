import type { GifWalker } from './gif-walker';
import type { JpegWalker } from './jpeg-walker';
import type { PngWalker } from './png-walker';
import { findEndOfCentralDirectory } from './zip-directory';

/** What the streaming pass kept and walked, from which a format's end is told. */
export interface FormatEndEvidence {
  size: number;
  /** The first bytes of the file (64 KiB or all of it). */
  head: Buffer;
  /** The last bytes of the file (1 MiB or all of it). */
  tail: Buffer;
  png: PngWalker;
  jpeg: JpegWalker;
  gif: GifWalker;
}

const ZIP_TYPES = new Set([
  'application/zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
]);
/** PDF white-space characters (ISO 32000-1 §7.2.2): NUL, TAB, LF, FF, CR, SPACE. */
const PDF_WHITESPACE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);

/**
 * Bytes that follow the format's own end — data appended to a valid file, as in a polyglot (a PNG that is
 * also an HTML page and a zip). 0: the file ends where its format does; null: the end could not be found
 * (a broken or truncated file); undefined: a type without an end marker (text) or one not checked.
 *
 * Where the end is: PNG just past the IEND chunk, JPEG past the EOI marker, GIF past the trailer `;` —
 * each found by walking every chunk/segment/block of the whole stream, so a marker inside the data never
 * counts; WebP at 8 + the RIFF size in the header; PDF past the last `%%EOF` in the last 1 MiB and the
 * white-space after it; zip past the end-of-central-directory record (searched in the last 64 KiB + 22
 * bytes, as zip readers do) and its comment.
 */
export function trailingBytesOf(mime: string, evidence: FormatEndEvidence): number | null | undefined {
  const end = formatEnd(mime, evidence);
  if (end === undefined) return undefined;
  if (end === null || end > evidence.size) return null;
  return evidence.size - end;
}

function formatEnd(mime: string, evidence: FormatEndEvidence): number | null | undefined {
  if (mime === 'image/png') return evidence.png.end ?? null;
  if (mime === 'image/jpeg') return evidence.jpeg.end ?? null;
  if (mime === 'image/gif') return evidence.gif.end ?? null;
  if (mime === 'image/webp') return evidence.head.length >= 12 ? 8 + evidence.head.readUInt32LE(4) : null;
  if (mime === 'application/pdf') return pdfEnd(evidence);
  if (ZIP_TYPES.has(mime)) return zipEnd(evidence);
  return undefined;
}

function pdfEnd({ size, tail }: FormatEndEvidence): number | null {
  const marker = tail.lastIndexOf('%%EOF');
  if (marker < 0) return null;
  let end = marker + 5;
  while (end < tail.length && PDF_WHITESPACE.has(tail[end]!)) end++;
  return size - tail.length + end;
}

function zipEnd({ size, tail }: FormatEndEvidence): number | null {
  const record = findEndOfCentralDirectory(tail);
  if (record === undefined) return null;
  return size - tail.length + record + 22 + tail.readUInt16LE(record + 20);
}
