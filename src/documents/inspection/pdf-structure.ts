import { inflateSync } from 'node:zlib';
import { RangeSourceError, type RangeReader } from './range-reader';

/** What a PDF says about itself; `pages: null` with a `reason` when it cannot be told reliably. */
export interface PdfInfo {
  version: string | null;
  encrypted: boolean;
  pages: number | null;
  /** Set when the end of the file (startxref, %%EOF) is missing: an upload cut short. */
  truncated?: true;
  reason?: string;
}

interface XrefEntry {
  /** 1: at byte `offset`; 2: object number `index` inside object stream `stream`. */
  kind: 1 | 2;
  offset: number;
  stream: number;
  index: number;
}

interface XrefSection {
  lookup(objectNumber: number): Promise<XrefEntry | 'free' | undefined>;
  trailer: string;
}

const TAIL_BYTES = 16 * 1024;
const OBJECT_BYTES = 64 * 1024;
/** Largest xref or object stream read (compressed) and inflated: real ones are KBs; a hostile one is refused. */
const MAX_STREAM_BYTES = 8 * 1024 * 1024;
const MAX_INFLATED_BYTES = 32 * 1024 * 1024;
const MAX_SECTIONS = 64;

class PdfStructureError extends Error {}
class PdfTruncatedError extends PdfStructureError {}

/** Thrown by a reader that only has the bytes the streaming pass kept: a property of the file's layout. */
export class HeldBytesOnlyError extends Error {
  constructor() {
    super('the cross-reference lies outside the bytes held and no range reader was given');
  }
}

/**
 * Reads a PDF's version, encryption flag and page count from its structure alone: the trailer and
 * cross-reference sections (classic tables and compressed xref streams, following /Prev), then
 * /Root → /Pages → /Count — a handful of ranged reads whatever the file size, never the whole file.
 * Never throws for a broken file: it answers `pages: null` and why. A failing reader (RangeSourceError)
 * propagates its cause, so a transient S3 error is retried rather than written into a manifest.
 */
export async function readPdfInfo(reader: RangeReader): Promise<PdfInfo> {
  const header = (await reader.read(0, 16)).toString('latin1');
  const version = /^%PDF-(\d\.\d)/.exec(header)?.[1] ?? null;
  let encrypted = false;
  try {
    const sections = await loadXrefSections(reader);
    const trailers = sections.map((section) => section.trailer);
    encrypted = trailers.some((trailer) => /\/Encrypt\b/.test(trailer));
    const rootRef = firstMatch(trailers, /\/Root\s+(\d+)\s+\d+\s+R/);
    if (rootRef === undefined) throw new PdfStructureError('no /Root in the trailer');
    const objects = new ObjectReader(reader, sections, encrypted);
    const catalog = await objects.dictionary(rootRef);
    const pagesRef = /\/Pages\s+(\d+)\s+\d+\s+R/.exec(catalog)?.[1];
    if (pagesRef === undefined) throw new PdfStructureError('the catalog has no /Pages');
    const pagesTree = await objects.dictionary(Number(pagesRef));
    const count = /\/Count\s+(\d+)(\s+\d+\s+R)?/.exec(pagesTree);
    if (!count) throw new PdfStructureError('the page tree has no /Count');
    const pages = count[2] ? Number((await objects.body(Number(count[1]))).trim()) : Number(count[1]);
    if (!Number.isInteger(pages)) throw new PdfStructureError('the page count is not a number');
    return { version, encrypted, pages };
  } catch (error) {
    if (error instanceof RangeSourceError && !(error.cause instanceof HeldBytesOnlyError)) throw error.cause;
    return {
      version,
      encrypted,
      pages: null,
      ...(error instanceof PdfTruncatedError ? { truncated: true as const } : {}),
      reason: error instanceof Error ? error.message : String(error),
    };
  }
}

async function loadXrefSections(reader: RangeReader): Promise<XrefSection[]> {
  const tail = (await reader.read(Math.max(0, reader.size - TAIL_BYTES), reader.size)).toString('latin1');
  const startxref = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail) ?? /startxref\s+(\d+)/.exec(tail);
  if (!startxref) throw new PdfTruncatedError('no startxref near the end (truncated file?)');
  const sections: XrefSection[] = [];
  const seen = new Set<number>();
  const pending = [Number(startxref[1])];
  while (pending.length > 0) {
    const offset = pending.shift()!;
    if (seen.has(offset) || sections.length >= MAX_SECTIONS) continue;
    seen.add(offset);
    const section = await loadXrefSection(reader, offset);
    sections.push(section);
    // A hybrid file lists its compressed objects in /XRefStm, consulted before the older /Prev sections.
    const hybrid = /\/XRefStm\s+(\d+)/.exec(section.trailer)?.[1];
    const previous = /\/Prev\s+(\d+)/.exec(section.trailer)?.[1];
    if (hybrid !== undefined) pending.push(Number(hybrid));
    if (previous !== undefined) pending.push(Number(previous));
  }
  return sections;
}

async function loadXrefSection(reader: RangeReader, offset: number): Promise<XrefSection> {
  const start = (await reader.read(offset, offset + 64)).toString('latin1');
  if (start.startsWith('xref')) return loadXrefTable(reader, offset);
  if (/^\s*\d+\s+\d+\s+obj/.test(start)) return loadXrefStream(reader, offset);
  throw new PdfStructureError(`no cross-reference section at byte ${offset}`);
}

async function loadXrefTable(reader: RangeReader, offset: number): Promise<XrefSection> {
  const subsections: { first: number; count: number; entries: number }[] = [];
  let position = offset + 4;
  for (;;) {
    const text = (await reader.read(position, position + 64)).toString('latin1');
    const header = /^\s*(\d+)\s+(\d+)[ \t]*\r?\n/.exec(text);
    if (!header) break;
    const count = Number(header[2]);
    subsections.push({ first: Number(header[1]), count, entries: position + header[0].length });
    position += header[0].length + count * 20;
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

async function loadXrefStream(reader: RangeReader, offset: number): Promise<XrefSection> {
  const { dictionary, data } = await readStreamObject(reader, offset);
  const widths = numberArray(dictionary, 'W');
  if (widths.length !== 3) throw new PdfStructureError('xref stream without a valid /W');
  const size = Number(/\/Size\s+(\d+)/.exec(dictionary)?.[1] ?? 0);
  const index = numberArray(dictionary, 'Index');
  const ranges = index.length >= 2 ? index : [0, size];
  const rowLength = widths[0]! + widths[1]! + widths[2]!;
  const entries = new Map<number, XrefEntry | 'free'>();
  let row = 0;
  for (let r = 0; r + 1 < ranges.length; r += 2) {
    for (let i = 0; i < ranges[r + 1]!; i++, row++) {
      const at = row * rowLength;
      if (at + rowLength > data.length) throw new PdfStructureError('xref stream shorter than its /Index');
      const type = widths[0] === 0 ? 1 : readNumber(data, at, widths[0]!);
      const second = readNumber(data, at + widths[0]!, widths[1]!);
      const third = readNumber(data, at + widths[0]! + widths[1]!, widths[2]!);
      const objectNumber = ranges[r]! + i;
      if (type === 1) entries.set(objectNumber, { kind: 1, offset: second, stream: 0, index: 0 });
      else if (type === 2) entries.set(objectNumber, { kind: 2, offset: 0, stream: second, index: third });
      else entries.set(objectNumber, 'free');
    }
  }
  return { trailer: dictionary, lookup: async (objectNumber) => entries.get(objectNumber) };
}

class ObjectReader {
  private readonly objectStreams = new Map<number, Promise<Map<number, string>>>();

  constructor(
    private readonly reader: RangeReader,
    private readonly sections: XrefSection[],
    private readonly encrypted: boolean,
  ) {}

  /** The dictionary of an object, as text. */
  async dictionary(objectNumber: number): Promise<string> {
    const body = await this.body(objectNumber);
    const at = body.indexOf('<<');
    if (at < 0) throw new PdfStructureError(`object ${objectNumber} is not a dictionary`);
    return topLevel(dictionaryAt(body, at));
  }

  /** The text of an object (after `n g obj`), wherever it is stored. */
  async body(objectNumber: number): Promise<string> {
    const entry = await this.locate(objectNumber);
    if (entry.kind === 1) {
      const text = await readUntil(this.reader, entry.offset, 'endobj');
      const head = new RegExp(`^\\s*${objectNumber}\\s+\\d+\\s+obj`).exec(text);
      if (!head) throw new PdfStructureError(`object ${objectNumber} is not at the offset its xref gives`);
      const end = text.indexOf('endobj', head[0].length);
      return text.slice(head[0].length, end < 0 ? undefined : end);
    }
    if (this.encrypted) throw new PdfStructureError('encrypted PDF with compressed object streams');
    const objects = await this.objectStream(entry.stream);
    const text = objects.get(objectNumber);
    if (text === undefined)
      throw new PdfStructureError(`object ${objectNumber} missing from its object stream`);
    return text;
  }

  private async locate(objectNumber: number): Promise<XrefEntry> {
    for (const section of this.sections) {
      const entry = await section.lookup(objectNumber);
      if (entry === 'free') break;
      if (entry) return entry;
    }
    throw new PdfStructureError(`object ${objectNumber} is not in the cross-reference table`);
  }

  private objectStream(streamNumber: number): Promise<Map<number, string>> {
    let loaded = this.objectStreams.get(streamNumber);
    if (!loaded) {
      loaded = this.loadObjectStream(streamNumber);
      this.objectStreams.set(streamNumber, loaded);
    }
    return loaded;
  }

  private async loadObjectStream(streamNumber: number): Promise<Map<number, string>> {
    const entry = await this.locate(streamNumber);
    if (entry.kind !== 1) throw new PdfStructureError('object stream inside an object stream');
    const { dictionary, data } = await readStreamObject(this.reader, entry.offset);
    const count = Number(/\/N\s+(\d+)/.exec(dictionary)?.[1]);
    const first = Number(/\/First\s+(\d+)/.exec(dictionary)?.[1]);
    if (!Number.isInteger(count) || !Number.isInteger(first))
      throw new PdfStructureError('bad object stream');
    const text = data.toString('latin1');
    const pairs = text.slice(0, first).trim().split(/\s+/).map(Number);
    const objects = new Map<number, string>();
    for (let i = 0; i < count; i++) {
      const start = first + pairs[2 * i + 1]!;
      const end = i + 1 < count ? first + pairs[2 * i + 3]! : text.length;
      objects.set(pairs[2 * i]!, text.slice(start, end));
    }
    return objects;
  }
}

async function readStreamObject(
  reader: RangeReader,
  offset: number,
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
  let data = filter ? inflateBounded(raw) : raw;
  const predictor = Number(/\/Predictor\s+(\d+)/.exec(dictionary)?.[1] ?? 1);
  if (predictor >= 10) data = undoPngPredictor(data, Number(/\/Columns\s+(\d+)/.exec(dictionary)?.[1] ?? 1));
  return { dictionary: own, data };
}

function inflateBounded(raw: Buffer): Buffer {
  try {
    return inflateSync(raw, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new PdfStructureError(`stream inflates beyond ${MAX_INFLATED_BYTES} bytes`);
    throw new PdfStructureError(`stream does not inflate: ${(error as Error).message}`);
  }
}

/**
 * Text from `start` up to and including `marker`, read in a small window first and a larger one only
 * when needed, so reads near the bytes the stream pass kept rarely cross into a ranged GET.
 */
async function readUntil(reader: RangeReader, start: number, marker: string): Promise<string> {
  let text = '';
  for (const size of [4096, OBJECT_BYTES]) {
    text = (await reader.read(start, start + size)).toString('latin1');
    if (text.includes(marker)) break;
  }
  return text;
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

/**
 * A dictionary's own entries: nested `<< … >>` dictionaries blanked out, so that a key inside one
 * (an /Encrypt dictionary's /Filter, a /DecodeParms' entries) is never taken for the outer key.
 */
function topLevel(dictionary: string): string {
  let depth = 0;
  let out = '';
  for (let i = 0; i < dictionary.length; i++) {
    const pair = dictionary.slice(i, i + 2);
    if (pair === '<<' || pair === '>>') {
      depth += pair === '<<' ? 1 : -1;
      out += '  ';
      i++;
    } else out += depth > 1 ? ' ' : dictionary[i];
  }
  return out;
}

/** The `<< … >>` dictionary starting at `start`, nested dictionaries included. */
function dictionaryAt(text: string, start: number): string {
  if (start < 0) throw new PdfStructureError('expected a dictionary');
  let depth = 0;
  for (let i = start; i < text.length - 1; i++) {
    if (text[i] === '<' && text[i + 1] === '<') {
      depth++;
      i++;
    } else if (text[i] === '>' && text[i + 1] === '>') {
      depth--;
      i++;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  throw new PdfStructureError('unterminated dictionary');
}

function numberArray(dictionary: string, key: string): number[] {
  const match = new RegExp(`/${key}\\s*\\[([\\d\\s]*)\\]`).exec(dictionary);
  return match ? match[1]!.trim().split(/\s+/).filter(Boolean).map(Number) : [];
}

function readNumber(data: Buffer, at: number, width: number): number {
  let value = 0;
  for (let i = 0; i < width; i++) value = value * 256 + data[at + i]!;
  return value;
}

function firstMatch(texts: string[], pattern: RegExp): number | undefined {
  for (const text of texts) {
    const match = pattern.exec(text);
    if (match) return Number(match[1]);
  }
  return undefined;
}
