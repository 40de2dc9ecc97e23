import { inflateSync } from 'node:zlib';
import { PdfBudgetError, type PdfParseBudget } from './pdf-budget';
import {
  PdfStructureError,
  PdfTruncatedError,
  dictionaryAt,
  numberArray,
  readNumber,
  readUntil,
  topLevel,
} from './pdf-syntax';
import type { RangeReader } from './range-reader';

export interface XrefEntry {
  /** 1: at byte `offset`; 2: object number `index` inside object stream `stream`. */
  kind: 1 | 2;
  offset: number;
  stream: number;
  index: number;
}

export interface XrefSection {
  lookup(objectNumber: number): Promise<XrefEntry | 'free' | undefined>;
  trailer: string;
  /** Object streams to search for objects the section does not list (a section rebuilt by a scan). */
  objectStreams?: readonly number[];
}

const TAIL_BYTES = 16 * 1024;
/** Largest xref or object stream read (compressed) and inflated: real ones are KBs; a hostile one is refused. */
const MAX_STREAM_BYTES = 8 * 1024 * 1024;
const MAX_INFLATED_BYTES = 32 * 1024 * 1024;
/** Cross-reference sections followed at most along /Prev and /XRefStm. */
const MAX_SECTIONS = 64;
/** Subsections of one classic xref table (real tables have a handful). */
const MAX_SUBSECTIONS = 10_000;
/** ISO 32000-1 Annex C: at most 8,388,607 indirect objects. */
export const MAX_OBJECT_NUMBER = 8_388_607;
/** Bytes per field of an xref stream row: 8 already exceeds any offset a file can have. */
const MAX_FIELD_WIDTH = 8;

/**
 * The cross-reference sections from `startxref` on, newest first, following /XRefStm and /Prev; an
 * offset seen before (a /Prev cycle) is not read again, and at most 64 sections are read.
 * Throws PdfTruncatedError without a startxref, PdfStructureError for a broken section.
 */
export async function loadXrefSections(reader: RangeReader, budget: PdfParseBudget): Promise<XrefSection[]> {
  const tail = (await reader.read(Math.max(0, reader.size - TAIL_BYTES), reader.size)).toString('latin1');
  const startxref = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail) ?? /startxref\s+(\d+)/.exec(tail);
  if (!startxref) throw new PdfTruncatedError('no startxref near the end (truncated file?)');
  const sections: XrefSection[] = [];
  const seen = new Set<number>();
  const pending = [Number(startxref[1])];
  while (pending.length > 0) {
    budget.check();
    const offset = pending.shift()!;
    if (seen.has(offset) || sections.length >= MAX_SECTIONS) continue;
    seen.add(offset);
    const section = await loadXrefSection(reader, offset, budget);
    sections.push(section);
    // A hybrid file lists its compressed objects in /XRefStm, consulted before the older /Prev sections.
    const hybrid = /\/XRefStm\s+(\d+)/.exec(section.trailer)?.[1];
    const previous = /\/Prev\s+(\d+)/.exec(section.trailer)?.[1];
    if (hybrid !== undefined) pending.push(Number(hybrid));
    if (previous !== undefined) pending.push(Number(previous));
  }
  return sections;
}

async function loadXrefSection(
  reader: RangeReader,
  offset: number,
  budget: PdfParseBudget,
): Promise<XrefSection> {
  if (!Number.isSafeInteger(offset) || offset >= reader.size)
    throw new PdfStructureError(`no cross-reference section at byte ${offset}`);
  const start = (await reader.read(offset, offset + 64)).toString('latin1');
  if (start.startsWith('xref')) return loadXrefTable(reader, offset, budget);
  if (/^\s*\d+\s+\d+\s+obj/.test(start)) return loadXrefStream(reader, offset, budget);
  throw new PdfStructureError(`no cross-reference section at byte ${offset}`);
}

async function loadXrefTable(
  reader: RangeReader,
  offset: number,
  budget: PdfParseBudget,
): Promise<XrefSection> {
  const subsections: { first: number; count: number; entries: number }[] = [];
  let position = offset + 4;
  for (;;) {
    budget.check();
    const text = (await reader.read(position, position + 64)).toString('latin1');
    const header = /^\s*(\d+)\s+(\d+)[ \t]*\r?\n/.exec(text);
    if (!header) break;
    if (subsections.length >= MAX_SUBSECTIONS)
      throw new PdfStructureError(`xref table with more than ${MAX_SUBSECTIONS} subsections`);
    const first = Number(header[1]);
    const count = Number(header[2]);
    const entries = position + header[0].length;
    // Counts are capped by the bytes present (20 per entry) and by the largest object number.
    if (entries + count * 20 > reader.size)
      throw new PdfStructureError(`xref subsection of ${count} entries runs past the end of the file`);
    if (first + count > MAX_OBJECT_NUMBER + 1)
      throw new PdfStructureError(`xref subsection beyond object number ${MAX_OBJECT_NUMBER}`);
    subsections.push({ first, count, entries });
    position = entries + count * 20;
  }
  const trailerText = await readUntil(reader, position, '>>');
  if (!/^\s*trailer/.test(trailerText))
    throw new PdfStructureError(`no trailer after the xref table at ${offset}`);
  const trailer = topLevel(dictionaryAt(trailerText, trailerText.indexOf('<<')));
  return {
    trailer,
    async lookup(objectNumber) {
      const sub = subsections.find((s) => objectNumber >= s.first && objectNumber < s.first + s.count);
      if (!sub) return undefined;
      const at = sub.entries + (objectNumber - sub.first) * 20;
      const entry = /^(\d{10}) (\d{5}) ([nf])/.exec((await reader.read(at, at + 20)).toString('latin1'));
      if (!entry) throw new PdfStructureError(`malformed xref entry for object ${objectNumber}`);
      if (entry[3] === 'f') return 'free';
      return { kind: 1, offset: Number(entry[1]), stream: 0, index: 0 };
    },
  };
}

/**
 * A compressed xref stream. Rows are never expanded into a table: a lookup computes its row from /Index,
 * so memory stays the stream's own bytes whatever the declared counts. Refused: zero-width rows,
 * fields wider than 8 bytes, an odd /Index, more entries than the rows present, object numbers beyond
 * the PDF limit.
 */
async function loadXrefStream(
  reader: RangeReader,
  offset: number,
  budget: PdfParseBudget,
): Promise<XrefSection> {
  const { dictionary, data } = await readStreamObject(reader, offset, budget);
  const widths = numberArray(dictionary, 'W');
  if (widths.length !== 3 || widths.some((w) => !Number.isInteger(w) || w > MAX_FIELD_WIDTH))
    throw new PdfStructureError('xref stream without a valid /W');
  const [typeWidth, secondWidth, thirdWidth] = widths as [number, number, number];
  const rowLength = typeWidth + secondWidth + thirdWidth;
  if (rowLength === 0) throw new PdfStructureError('xref stream with zero-width rows (/W [0 0 0])');
  const rows = Math.floor(data.length / rowLength);
  const size = Number(/\/Size\s+(\d+)/.exec(dictionary)?.[1] ?? 0);
  const index = numberArray(dictionary, 'Index');
  const ranges = index.length > 0 ? index : [0, size];
  if (ranges.length % 2 !== 0) throw new PdfStructureError('xref stream with an odd /Index');
  if (ranges.length / 2 > Math.max(1, rows))
    throw new PdfStructureError(`xref stream with ${ranges.length / 2} /Index subsections for ${rows} rows`);
  let declared = 0;
  for (let r = 0; r < ranges.length; r += 2) {
    const first = ranges[r]!;
    const count = ranges[r + 1]!;
    if (first + count > MAX_OBJECT_NUMBER + 1)
      throw new PdfStructureError(`xref stream beyond object number ${MAX_OBJECT_NUMBER}`);
    declared += count;
  }
  if (declared > rows)
    throw new PdfStructureError(`xref stream declares ${declared} entries but holds ${rows} rows`);
  return {
    trailer: dictionary,
    lookup: async (objectNumber) => {
      let row = 0;
      for (let r = 0; r < ranges.length; r += 2) {
        if (r % 65_536 === 0) budget.check();
        const first = ranges[r]!;
        const count = ranges[r + 1]!;
        if (objectNumber >= first && objectNumber < first + count) {
          const at = (row + objectNumber - first) * rowLength;
          const type = typeWidth === 0 ? 1 : readNumber(data, at, typeWidth);
          const second = readNumber(data, at + typeWidth, secondWidth);
          const third = readNumber(data, at + typeWidth + secondWidth, thirdWidth);
          if (type === 1) return { kind: 1, offset: second, stream: 0, index: 0 };
          if (type === 2) return { kind: 2, offset: 0, stream: second, index: third };
          return 'free';
        }
        row += count;
      }
      return undefined;
    },
  };
}

/**
 * The dictionary and decoded data of the stream object at `offset`: a direct /Length of at most 8 MiB,
 * no filter or FlateDecode, inflated within both 32 MiB and what is left of the budget's inflate allowance.
 */
export async function readStreamObject(
  reader: RangeReader,
  offset: number,
  budget: PdfParseBudget,
): Promise<{ dictionary: string; data: Buffer }> {
  const text = await readUntil(reader, offset, 'stream');
  const dictionary = dictionaryAt(text, text.indexOf('<<'));
  const own = topLevel(dictionary);
  const keyword = /stream\r?\n/.exec(text.slice(text.indexOf('<<') + dictionary.length));
  if (!keyword) throw new PdfStructureError(`no stream data at byte ${offset}`);
  const length = /\/Length\s+(\d+)(\s+\d+\s+R)?/.exec(own);
  if (!length || length[2]) throw new PdfStructureError('stream /Length is missing or indirect');
  const dataStart = offset + text.indexOf('<<') + dictionary.length + keyword.index + keyword[0].length;
  if (Number(length[1]) > MAX_STREAM_BYTES)
    throw new PdfStructureError(`stream of ${length[1]} bytes is too large to read`);
  const raw = await reader.read(dataStart, dataStart + Number(length[1]));
  const filter = /\/Filter\s*\[?\s*\/(\w+)/.exec(own)?.[1];
  if (filter !== undefined && filter !== 'FlateDecode')
    throw new PdfStructureError(`unsupported filter ${filter}`);
  let data = filter ? inflateBounded(raw, budget) : raw;
  const predictor = Number(/\/Predictor\s+(\d+)/.exec(dictionary)?.[1] ?? 1);
  if (predictor >= 10) data = undoPngPredictor(data, Number(/\/Columns\s+(\d+)/.exec(dictionary)?.[1] ?? 1));
  return { dictionary: own, data };
}

function inflateBounded(raw: Buffer, budget: PdfParseBudget): Buffer {
  const allowance = Math.min(MAX_INFLATED_BYTES, budget.inflateAllowance);
  if (allowance < 1)
    throw new PdfBudgetError(`streams inflate beyond ${budget.maxInflatedBytes} bytes in all`);
  let data: Buffer;
  try {
    data = inflateSync(raw, { maxOutputLength: allowance });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new PdfStructureError(`stream inflates beyond ${allowance} bytes`);
    throw new PdfStructureError(`stream does not inflate: ${(error as Error).message}`);
  }
  budget.spendInflated(data.length);
  return data;
}

/** Reverses the PNG row filters PDF writers apply to xref streams (/Predictor 10–15, one byte per sample). */
export function undoPngPredictor(data: Buffer, columns: number): Buffer {
  const rows = Math.floor(data.length / (columns + 1));
  const out = Buffer.alloc(rows * columns);
  for (let r = 0; r < rows; r++) {
    const filter = data[r * (columns + 1)];
    for (let c = 0; c < columns; c++) {
      const raw = data[r * (columns + 1) + 1 + c]!;
      const left = c > 0 ? out[r * columns + c - 1]! : 0;
      const up = r > 0 ? out[(r - 1) * columns + c]! : 0;
      const upLeft = r > 0 && c > 0 ? out[(r - 1) * columns + c - 1]! : 0;
      let predicted = 0;
      if (filter === 1) predicted = left;
      else if (filter === 2) predicted = up;
      else if (filter === 3) predicted = (left + up) >> 1;
      else if (filter === 4) predicted = paeth(left, up, upLeft);
      out[r * columns + c] = (raw + predicted) & 0xff;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
