import type { PdfParseBudget } from './pdf-budget';
import { PdfStructureError, dictionaryAt, firstReference } from './pdf-syntax';
import type { XrefSection } from './pdf-xref';
import { isReadLimit, type RangeReader } from './range-reader';

/** A damaged PDF up to this size is scanned whole (one ranged read); a larger one only in its windows. */
export const RECOVERY_SCAN_BYTES = 8 * 1024 * 1024;
/** The windows scanned in a larger file: the bytes the streaming pass holds (head 64 KiB, tail 1 MiB). */
const HEAD_WINDOW = 64 * 1024;
const TAIL_WINDOW = 1024 * 1024;
/** Object headers taken at most (an 8 MiB file of honest objects holds far fewer). */
const MAX_RECOVERED_OBJECTS = 200_000;
/** Object streams searched at most for objects the scan cannot see (they are compressed). */
const MAX_RECOVERED_OBJECT_STREAMS = 64;
/** Trailer and xref-stream dictionaries read at most, the last ones first. */
const MAX_TRAILERS = 16;
/** `n g obj` with n ≤ 8,388,607 (ISO 32000-1 Annex C), not preceded by a digit. */
const OBJECT_HEADER = /(?<!\d)(\d{1,7})\s+(\d{1,5})\s+obj\b/g;

interface Region {
  start: number;
  text: string;
}

/**
 * Rebuilds a cross-reference section the way PDF readers repair a file whose xref is broken (an
 * off-by-some `startxref`, wrong offsets, a missing table): it scans the bytes for `n g obj` headers (a
 * later definition wins, as with incremental updates), takes /Root from the last trailer or xref-stream
 * dictionary that has one — else the last `/Type /Catalog` object — and lists `/Type /ObjStm` objects so
 * compressed objects can still be found. Throws PdfStructureError when no catalog can be named.
 */
export async function recoverXref(reader: RangeReader, budget: PdfParseBudget): Promise<XrefSection> {
  const offsets = new Map<number, number>();
  const trailers: string[] = [];
  const catalogs: number[] = [];
  const objectStreams: number[] = [];
  for (const region of await scanRegions(reader)) {
    const starts: { at: number; number: number }[] = [];
    for (const match of region.text.matchAll(OBJECT_HEADER)) {
      if (starts.length % 1024 === 0) budget.check();
      if (starts.length >= MAX_RECOVERED_OBJECTS) break;
      const number = Number(match[1]);
      starts.push({ at: match.index, number });
      offsets.set(number, region.start + match.index);
    }
    const owner = (at: number) => starts[lastAtOrBefore(starts, at)]?.number;
    for (const at of positions(region.text, /\/Type\s*\/Catalog\b/g, budget)) {
      const number = owner(at);
      if (number !== undefined) catalogs.push(number);
    }
    for (const at of positions(region.text, /\/Type\s*\/ObjStm\b/g, budget)) {
      const number = owner(at);
      if (number !== undefined && objectStreams.length < MAX_RECOVERED_OBJECT_STREAMS)
        objectStreams.push(number);
    }
    const dictionaryStarts = [
      ...positions(region.text, /trailer\s*<</g, budget).map((at) => region.text.indexOf('<<', at)),
      ...positions(region.text, /\/Type\s*\/XRef\b/g, budget).map((at) => {
        const object = starts[lastAtOrBefore(starts, at)];
        return object ? region.text.indexOf('<<', object.at) : -1;
      }),
    ]
      .filter((at) => at >= 0)
      .sort((a, b) => a - b)
      .slice(-MAX_TRAILERS);
    for (const at of dictionaryStarts) {
      budget.check();
      try {
        trailers.push(dictionaryAt(region.text, at));
      } catch {
        // an unterminated dictionary names no root
      }
    }
  }
  const newestFirst = trailers.reverse();
  const trailerRoot = firstReference(newestFirst, 'Root');
  const root =
    trailerRoot !== undefined && offsets.has(trailerRoot)
      ? trailerRoot
      : (catalogs.at(-1) ?? (objectStreams.length > 0 ? trailerRoot : undefined));
  if (root === undefined) throw new PdfStructureError('no catalog found by scanning for objects');
  const encrypt = newestFirst.some((trailer) => /\/Encrypt\b/.test(trailer)) ? ' /Encrypt' : '';
  return {
    trailer: `<< /Root ${root} 0 R${encrypt} >>`,
    objectStreams,
    lookup: async (objectNumber) => {
      const offset = offsets.get(objectNumber);
      return offset === undefined ? undefined : { kind: 1, offset, stream: 0, index: 0 };
    },
  };
}

async function scanRegions(reader: RangeReader): Promise<Region[]> {
  if (reader.size <= RECOVERY_SCAN_BYTES) {
    try {
      return [{ start: 0, text: (await reader.read(0, reader.size)).toString('latin1') }];
    } catch (error) {
      if (!isReadLimit(error)) throw error;
    }
  }
  const headEnd = Math.min(reader.size, HEAD_WINDOW);
  const tailStart = Math.max(headEnd, reader.size - TAIL_WINDOW);
  return [
    { start: 0, text: (await reader.read(0, headEnd)).toString('latin1') },
    { start: tailStart, text: (await reader.read(tailStart, reader.size)).toString('latin1') },
  ];
}

function positions(text: string, pattern: RegExp, budget: PdfParseBudget): number[] {
  const found: number[] = [];
  for (const match of text.matchAll(pattern)) {
    if (found.length % 1024 === 0) budget.check();
    found.push(match.index);
  }
  return found;
}

/** Index of the last start at or before `at` (starts ascending), or -1. */
function lastAtOrBefore(starts: readonly { at: number }[], at: number): number {
  let low = 0;
  let high = starts.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (starts[middle]!.at <= at) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}
