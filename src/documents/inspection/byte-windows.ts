/**
 * Keeps the first `capacity` bytes of a stream in memory, copied once, so magic-byte detection and
 * header readers see a stable prefix while the rest of the stream flows past.
 */
export class HeadWindow {
  private readonly bytes: Buffer;
  private filled = 0;

  constructor(readonly capacity: number) {
    this.bytes = Buffer.allocUnsafe(capacity);
  }

  /** True once `capacity` bytes have been kept: later chunks are ignored. */
  get full(): boolean {
    return this.filled === this.capacity;
  }

  /** Copies as much of the chunk as still fits. */
  push(chunk: Buffer): void {
    if (this.full) return;
    const take = Math.min(chunk.length, this.capacity - this.filled);
    chunk.copy(this.bytes, this.filled, 0, take);
    this.filled += take;
  }

  /** The bytes kept so far (a view, not a copy). */
  contents(): Buffer {
    return this.bytes.subarray(0, this.filled);
  }
}

/**
 * Keeps (at least) the last `capacity` bytes of a stream by holding references to its latest chunks:
 * no copying on the hot path, memory bounded by capacity plus one chunk.
 */
export class TailWindow {
  private chunks: Buffer[] = [];
  private held = 0;

  constructor(readonly capacity: number) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.held += chunk.length;
    while (this.chunks.length > 1 && this.held - this.chunks[0]!.length >= this.capacity) {
      this.held -= this.chunks.shift()!.length;
    }
  }

  /** The last min(capacity, total) bytes, concatenated once. */
  contents(): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.held);
    this.chunks = [all];
    return all.length > this.capacity ? all.subarray(all.length - this.capacity) : all;
  }
}
