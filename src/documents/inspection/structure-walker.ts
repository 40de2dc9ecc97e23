/**
 * Base of the push-based walkers that follow a binary format's structure as the bytes stream past (PNG
 * chunks, JPEG segments, GIF blocks), holding only the few bytes of the field being read. A subclass
 * states what it needs next — `take(n, handler)`, `skip(n)`, `seek(byte, handler)`, `skipSubBlocks(handler)`
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
  private seeking: number | undefined;
  private onSeek: (() => void) | undefined;
  private onSubBlocksEnd: (() => void) | undefined;
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
      if (this.onSubBlocksEnd !== undefined) {
        // A chain of length-prefixed sub-blocks (GIF): walked here, without a handler call per block.
        const size = chunk[index]!;
        index++;
        this.offset++;
        if (size > 0) this.skipLeft = size;
        else this.dispatch(this.onSubBlocksEnd);
        continue;
      }
      if (this.seeking !== undefined) {
        const at = chunk.indexOf(this.seeking, index);
        const next = at < 0 ? chunk.length : at + 1;
        this.offset += next - index;
        index = next;
        const handler = this.onSeek!;
        if (at >= 0) this.dispatch(handler);
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

  /** Pass over bytes up to and including the next `byte`, then call `handler`. */
  protected seek(byte: number, handler: () => void): void {
    this.seeking = byte;
    this.onSeek = handler;
  }

  /** The walk is over: at `end` (just past the end marker) or, without it, because the format broke. */
  protected stop(end?: number): void {
    this.finished = true;
    this.endOffset = end;
  }

  private dispatch(handler: () => void): void {
    this.wanted = 0;
    this.onField = undefined;
    this.seeking = undefined;
    this.onSeek = undefined;
    this.onSubBlocksEnd = undefined;
    handler();
    const asked =
      this.onField !== undefined || this.onSeek !== undefined || this.onSubBlocksEnd !== undefined;
    if (!this.finished && !asked) this.stop();
  }
}
