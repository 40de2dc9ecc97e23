import type { RangeReader } from './range-reader';

/** The file's structure is broken in a way a reader may still repair by scanning for objects. */
export class PdfStructureError extends Error {}
/** The end of the file (startxref, %%EOF) is missing: an upload cut short. */
export class PdfTruncatedError extends PdfStructureError {}
/** The objects needed are encrypted (compressed object streams): no scan can read them either. */
export class PdfEncryptedError extends PdfStructureError {}

const OBJECT_BYTES = 64 * 1024;

/**
 * Text from `start` up to and including `marker`, read in a small window first and a larger one only
 * when needed, so reads near the bytes the stream pass kept rarely cross into a ranged GET.
 */
export async function readUntil(reader: RangeReader, start: number, marker: string): Promise<string> {
  let text = '';
  for (const size of [4096, OBJECT_BYTES]) {
    text = (await reader.read(start, start + size)).toString('latin1');
    if (text.includes(marker)) break;
  }
  return text;
}

/**
 * A dictionary's own entries: nested `<< … >>` dictionaries blanked out, so that a key inside one
 * (an /Encrypt dictionary's /Filter, a /DecodeParms' entries) is never taken for the outer key.
 */
export function topLevel(dictionary: string): string {
  let depth = 0;
  const out: string[] = [];
  for (let i = 0; i < dictionary.length; i++) {
    const pair = dictionary.slice(i, i + 2);
    if (pair === '<<' || pair === '>>') {
      depth += pair === '<<' ? 1 : -1;
      out.push('  ');
      i++;
    } else out.push(depth > 1 ? ' ' : dictionary[i]!);
  }
  return out.join('');
}

/** The `<< … >>` dictionary starting at `start`, nested dictionaries included. */
export function dictionaryAt(text: string, start: number): string {
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

/** The numbers of an array entry (`/W [1 4 2]`), or [] when the key is absent. */
export function numberArray(dictionary: string, key: string): number[] {
  const match = new RegExp(`/${key}\\s*\\[([\\d\\s]*)\\]`).exec(dictionary);
  return match ? match[1]!.trim().split(/\s+/).filter(Boolean).map(Number) : [];
}

/** A big-endian unsigned number of `width` bytes (0 when width is 0). */
export function readNumber(data: Buffer, at: number, width: number): number {
  let value = 0;
  for (let i = 0; i < width; i++) value = value * 256 + data[at + i]!;
  return value;
}

/** The object number of the first `/Key n g R` reference found in `texts`. */
export function firstReference(texts: readonly string[], key: string): number | undefined {
  const pattern = new RegExp(`/${key}\\s+(\\d+)\\s+\\d+\\s+R`);
  for (const text of texts) {
    const match = pattern.exec(text);
    if (match) return Number(match[1]);
  }
  return undefined;
}
