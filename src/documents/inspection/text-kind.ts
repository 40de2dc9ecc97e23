import { isUtf8 } from 'node:buffer';
import { completeLength } from './utf8-validator';

export type TextKind = 'json' | 'csv' | 'text';

const CSV_DELIMITERS = [',', ';', '\t', '|'] as const;
const CSV_SAMPLE_LINES = 50;

/**
 * Whether a prefix of a file looks like UTF-8 text: valid UTF-8 (an unfinished sequence at the cut is
 * allowed when the file goes on) and free of NUL and most other C0 control bytes, which text never holds.
 */
export function looksLikeText(prefix: Buffer, isWholeFile: boolean): boolean {
  if (prefix.length === 0) return false;
  const checked = isWholeFile ? prefix : prefix.subarray(0, completeLength(prefix));
  if (!isUtf8(checked)) return false;
  for (const byte of checked) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) return false;
  }
  return true;
}

/**
 * Tells JSON, CSV and plain text apart. `whole` is the entire file when it is small enough to hold;
 * otherwise `head` and `tail` are its first and last bytes and JSON is judged by structure alone.
 */
export function classifyText(input: { head: string; tail: string; whole?: string }): TextKind {
  if (isJson(input)) return 'json';
  if (isCsv(input.whole ?? input.head, input.whole !== undefined)) return 'csv';
  return 'text';
}

function isJson({ head, tail, whole }: { head: string; tail: string; whole?: string }): boolean {
  if (whole !== undefined) {
    const trimmed = whole.trim();
    if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return false;
    try {
      JSON.parse(trimmed);
      return true;
    } catch {
      return false;
    }
  }
  const first = head.trimStart()[0];
  const last = tail.trimEnd().slice(-1);
  return (first === '{' && last === '}') || (first === '[' && last === ']');
}

/**
 * CSV when at least two complete lines split into the same number (≥ 2) of fields on one delimiter,
 * counting delimiters outside double quotes. A line cut by the sample's end is ignored.
 */
function isCsv(sample: string, isWholeFile: boolean): boolean {
  const lines = sample.split(/\r?\n/);
  if (!isWholeFile) lines.pop();
  const rows = lines.filter((line) => line.length > 0).slice(0, CSV_SAMPLE_LINES);
  if (rows.length < 2) return false;
  return CSV_DELIMITERS.some((delimiter) => {
    const counts = rows.map((row) => countOutsideQuotes(row, delimiter));
    return counts[0]! > 0 && counts.every((count) => count === counts[0]);
  });
}

function countOutsideQuotes(line: string, delimiter: string): number {
  let count = 0;
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === delimiter && !quoted) count++;
  }
  return count;
}
