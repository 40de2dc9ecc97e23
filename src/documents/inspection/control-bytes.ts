/**
 * C0 control bytes that text never holds: all below 0x20 except TAB, LF, FF and CR. (DEL and C1 controls
 * are left to the UTF-8 check: they are valid, if rare, in text.)
 */
export const TEXT_CONTROL_BYTES: readonly number[] = Array.from({ length: 0x20 }, (_, byte) => byte).filter(
  (byte) => byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d,
);

/**
 * Finds the first control byte of a stream, wherever it falls, chunk by chunk, with one native
 * `indexOf` pass per control byte (memchr speed). It stops looking once one is found — and callers stop
 * feeding it once the stream is no longer valid UTF-8, so binary files cost nothing after their first
 * chunk.
 */
export class ControlByteScanner {
  private offset = 0;
  private found: number | undefined;

  /** Offset of the first control byte seen, or undefined when there is none so far. */
  get firstControlByteAt(): number | undefined {
    return this.found;
  }

  push(chunk: Buffer): void {
    if (this.found !== undefined) return;
    let first = -1;
    for (const byte of TEXT_CONTROL_BYTES) {
      const at = chunk.indexOf(byte);
      if (at >= 0 && (first < 0 || at < first)) first = at;
    }
    if (first >= 0) this.found = this.offset + first;
    this.offset += chunk.length;
  }
}
