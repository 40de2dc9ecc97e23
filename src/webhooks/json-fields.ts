/**
 * Reads top-level string members (e.g. Stripe's `id` and `type`) of a JSON object without parsing all
 * of it: the receiver must answer fast, and a full `JSON.parse` of a 64 KB event costs as much as
 * verifying its signature. Members are read from the front until the first nested object or array, then
 * from the back (Stripe puts `id` first and `type` last, around a large `data`), so nested values are
 * only walked when a wanted member sits beyond them. Returns the values found; a non-string member is
 * ignored; input that is not a JSON object gives an empty result. Never throws.
 */
export function readTopLevelStrings(json: string, names: readonly string[]): Record<string, string> {
  const found: Record<string, string> = {};
  try {
    const reader = new Scanner(json, names, found);
    reader.scan();
  } catch {
    // Malformed JSON: keep whatever was read before the fault.
  }
  return found;
}

class Malformed extends Error {}

const isWhitespace = (code: number) => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

class Scanner {
  private remaining: number;

  constructor(
    private readonly json: string,
    private readonly names: readonly string[],
    private readonly found: Record<string, string>,
  ) {
    this.remaining = names.length;
  }

  scan(): void {
    const start = this.skipWhitespace(0);
    if (this.json.charCodeAt(start) !== 0x7b /* { */) return;
    const forwardStop = this.scanForward(start + 1);
    if (forwardStop === undefined || this.remaining === 0) return;
    this.scanBackward(forwardStop);
  }

  /** Reads members from the front; returns where it stopped (a nested value), or undefined at the end. */
  private scanForward(from: number): number | undefined {
    let position = this.skipWhitespace(from);
    if (this.json.charCodeAt(position) === 0x7d /* } */) return undefined;
    while (this.remaining > 0) {
      const keyEnd = this.stringEnd(position);
      const key = this.decodeString(position, keyEnd);
      position = this.skipWhitespace(keyEnd + 1);
      if (this.json.charCodeAt(position) !== 0x3a /* : */) throw new Malformed();
      position = this.skipWhitespace(position + 1);
      const first = this.json.charCodeAt(position);
      if (first === 0x7b || first === 0x5b /* { [ */) return position;
      let valueEnd: number;
      if (first === QUOTE) {
        valueEnd = this.stringEnd(position);
        this.record(key, position, valueEnd);
      } else {
        valueEnd = this.primitiveEnd(position);
      }
      position = this.skipWhitespace(valueEnd + 1);
      const next = this.json.charCodeAt(position);
      if (next === 0x7d /* } */) return undefined;
      if (next !== 0x2c /* , */) throw new Malformed();
      position = this.skipWhitespace(position + 1);
    }
    return undefined;
  }

  /** Reads members from the back until every name is found or the member at `stop` has been read. */
  private scanBackward(stop: number): void {
    let position = this.skipWhitespaceBack(this.json.length - 1);
    if (this.json.charCodeAt(position) !== 0x7d /* } */) throw new Malformed();
    position = this.skipWhitespaceBack(position - 1);
    while (this.remaining > 0) {
      const last = this.json.charCodeAt(position);
      let valueStart: number;
      if (last === QUOTE) valueStart = this.stringStart(position);
      else if (last === 0x7d || last === 0x5d /* } ] */) valueStart = this.nestedStart(position);
      else valueStart = this.primitiveStart(position);
      let cursor = this.skipWhitespaceBack(valueStart - 1);
      if (this.json.charCodeAt(cursor) !== 0x3a /* : */) throw new Malformed();
      cursor = this.skipWhitespaceBack(cursor - 1);
      const keyStart = this.stringStart(cursor);
      if (last === QUOTE) this.record(this.decodeString(keyStart, cursor), valueStart, position);
      if (valueStart <= stop) return;
      position = this.skipWhitespaceBack(keyStart - 1);
      if (this.json.charCodeAt(position) !== 0x2c /* , */) return;
      position = this.skipWhitespaceBack(position - 1);
    }
  }

  private record(key: string, valueStart: number, valueEnd: number): void {
    if (!this.names.includes(key) || key in this.found) return;
    this.found[key] = this.decodeString(valueStart, valueEnd);
    this.remaining--;
  }

  private decodeString(start: number, end: number): string {
    const raw = this.json.slice(start + 1, end);
    return raw.includes('\\') ? (JSON.parse(this.json.slice(start, end + 1)) as string) : raw;
  }

  /** Index of the quote closing the string that opens at `start`. */
  private stringEnd(start: number): number {
    if (this.json.charCodeAt(start) !== QUOTE) throw new Malformed();
    let candidate = start;
    for (;;) {
      candidate = this.json.indexOf('"', candidate + 1);
      if (candidate < 0) throw new Malformed();
      if (!this.isEscaped(candidate)) return candidate;
    }
  }

  /** Index of the quote opening the string that closes at `end`. */
  private stringStart(end: number): number {
    if (this.json.charCodeAt(end) !== QUOTE) throw new Malformed();
    let candidate = end;
    for (;;) {
      candidate = candidate <= 0 ? -1 : this.json.lastIndexOf('"', candidate - 1);
      if (candidate < 0) throw new Malformed();
      if (!this.isEscaped(candidate)) return candidate;
    }
  }

  /** A quote is escaped when an odd number of backslashes precedes it. */
  private isEscaped(quote: number): boolean {
    let backslashes = 0;
    for (let index = quote - 1; index >= 0 && this.json.charCodeAt(index) === BACKSLASH; index--)
      backslashes++;
    return backslashes % 2 === 1;
  }

  /** Index of the `{`/`[` matching the `}`/`]` at `end`, stepping over strings whole. */
  private nestedStart(end: number): number {
    let depth = 0;
    for (let index = end; index >= 0; index--) {
      const code = this.json.charCodeAt(index);
      if (code === QUOTE) index = this.stringStart(index);
      else if (code === 0x7d || code === 0x5d) depth++;
      else if ((code === 0x7b || code === 0x5b) && --depth === 0) return index;
    }
    throw new Malformed();
  }

  private primitiveEnd(start: number): number {
    let index = start;
    while (index + 1 < this.json.length && !isDelimiter(this.json.charCodeAt(index + 1))) index++;
    if (index === start && isDelimiter(this.json.charCodeAt(start))) throw new Malformed();
    return index;
  }

  private primitiveStart(end: number): number {
    let index = end;
    while (index - 1 >= 0 && !isDelimiter(this.json.charCodeAt(index - 1))) index--;
    if (index === end && isDelimiter(this.json.charCodeAt(end))) throw new Malformed();
    return index;
  }

  private skipWhitespace(from: number): number {
    let index = from;
    while (index < this.json.length && isWhitespace(this.json.charCodeAt(index))) index++;
    return index;
  }

  private skipWhitespaceBack(from: number): number {
    let index = from;
    while (index >= 0 && isWhitespace(this.json.charCodeAt(index))) index--;
    return index;
  }
}

const isDelimiter = (code: number) =>
  Number.isNaN(code) ||
  isWhitespace(code) ||
  code === 0x2c ||
  code === 0x3a ||
  code === 0x7b ||
  code === 0x7d ||
  code === 0x5b ||
  code === 0x5d ||
  code === QUOTE;
