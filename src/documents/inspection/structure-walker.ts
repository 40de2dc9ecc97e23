/**
 * Base of the push-based walkers that follow a binary format's structure as the bytes stream past (PNG
 * chunks, JPEG segments, GIF blocks), holding only the few bytes of the field being read. A subclass
 * states what it needs next — `take(n, handler)`, `skip(n)`, `skipSubBlocks(handler)`, `seekMarker(handler)`
 * — and calls `stop()`
 * with the offset where the format ends (just past its end marker), or without one when the bytes
 * break the format. Each handler must ask for something next or stop.
 */
export abstract class StructureWalker {
  private offset = 0;
  private skipLeft = 0;
  private wanted = 0;
  private field: number[] = [];
  private onField: ((field: number[]) => void) | undefined;
  private onSubBlocksEnd: (() => void) | undefined;
  private onMarker: ((code: number) => void) | undefined;
  private markerPending = false;
  private finished = false;
  private endOffset: number | undefined;

  /** True once the end marker was met or the bytes stopped following the format. */
  get done(): boolean {
    return this.finished;
  }

  /** Offset just past the format's end marker; undefined when none was met (not this format, or broken). */
  get end(): number | undefined {
    return this.endOffset;
  }

  /** Bytes walked so far: during a handler, the offset just past the bytes it was given. */
  protected get position(): number {
    return this.offset;
  }

  push(chunk: Uint8Array): void {
    let index = 0;
    while (index < chunk.length && !this.finished) {
      if (this.skipLeft > 0) {
        const step = Math.min(this.skipLeft, chunk.length - index);
        index += step;
        this.offset += step;
        this.skipLeft -= step;
        continue;
      }
      if (this.onMarker !== undefined) {
        // Entropy-coded data (JPEG): FF 00 and FF D0–D7 belong to the data; another FF code is a marker.
        let code: number;
        if (this.markerPending) {
          // the previous chunk ended with FF: its code is this chunk's first byte
          code = chunk[index]!;
          this.markerPending = false;
          index++;
          this.offset++;
        } else {
          const at = chunk.indexOf(0xff, index);
          if (at < 0 || at + 1 >= chunk.length) {
            this.markerPending = at >= 0;
            this.offset += chunk.length - index;
            index = chunk.length;
            continue;
          }
          code = chunk[at + 1]!;
          this.offset += at + 2 - index;
          index = at + 2;
        }
        if (code === 0xff) {
          // fill: this FF may be the one that starts the marker
          index--;
          this.offset--;
          continue;
        }
        const handler = this.onMarker;
        if (code !== 0x00 && !(code >= 0xd0 && code <= 0xd7)) this.dispatch(() => handler(code));
        continue;
      }
      if (this.onSubBlocksEnd !== undefined) {
        // A chain of length-prefixed sub-blocks (GIF): walked here, without a handler call per block.
        const size = chunk[index]!;
        index++;
        this.offset++;
        if (size > 0) this.skipLeft = size;
        else this.dispatch(this.onSubBlocksEnd);
        continue;
      }
      // The rest of the field at once when the chunk holds it, else byte by byte across chunks.
      const take = Math.min(this.wanted - this.field.length, chunk.length - index);
      for (let i = 0; i < take; i++) this.field.push(chunk[index + i]!);
      index += take;
      this.offset += take;
      if (this.field.length === this.wanted) {
        const field = this.field;
        const handler = this.onField!;
        this.dispatch(() => handler(field));
      }
    }
  }

  /** Read the next `count` bytes, then call `handler` with them. */
  protected take(count: number, handler: (field: number[]) => void): void {
    this.wanted = count;
    this.field = [];
    this.onField = handler;
  }

  /** Pass over the next `count` bytes (before whatever is asked next). */
  protected skip(count: number): void {
    this.skipLeft = count;
  }

  /** Pass over a chain of sub-blocks (a size byte, that many bytes, … up to a size of 0), then call `handler`. */
  protected skipSubBlocks(handler: () => void): void {
    this.onSubBlocksEnd = handler;
  }

  /**
   * Pass over JPEG entropy-coded data up to the next marker — an FF followed by a code other than 00
   * (stuffing), D0–D7 (restarts) or FF (fill) — then call `handler` with that code.
   */
  protected seekMarker(handler: (code: number) => void): void {
    this.onMarker = handler;
  }

  /** The walk is over: at `end` (just past the end marker) or, without it, because the format broke. */
  protected stop(end?: number): void {
    this.finished = true;
    this.endOffset = end;
  }

  private dispatch(handler: () => void): void {
    this.wanted = 0;
    this.onField = undefined;
    this.onSubBlocksEnd = undefined;
    this.onMarker = undefined;
    handler();
    const asked =
      this.onField !== undefined || this.onSubBlocksEnd !== undefined || this.onMarker !== undefined;
    if (!this.finished && !asked) this.stop();
  }
}
