/** Random access to an object's bytes: S3 ranged GETs in the processor, a buffer or file in tests. */
export interface RangeReader {
  readonly size: number;
  /** Bytes [start, end) — end exclusive; may return fewer only at the end of the object. */
  read(start: number, end: number): Promise<Buffer>;
}

/** A RangeReader over bytes already in memory. */
export function bufferRangeReader(bytes: Buffer): RangeReader {
  return { size: bytes.length, read: async (start, end) => bytes.subarray(start, end) };
}

const BLOCK = 64 * 1024;

/**
 * Serves reads from bytes already held (the head and tail windows of the streaming pass) and fetches the
 * rest from the underlying reader in 64 KiB-aligned ranges, counting the fetches so a broken or hostile
 * file cannot make us read it all.
 */
export class CachingRangeReader implements RangeReader {
  private readonly segments: { start: number; bytes: Buffer }[] = [];
  fetches = 0;
  fetchedBytes = 0;

  constructor(
    private readonly source: RangeReader,
    private readonly maxFetches: number,
    known: { start: number; bytes: Buffer }[] = [],
    /** Bytes fetched in all, across fetches: what stays in memory at most. */
    private readonly maxBytes = 16 * 1024 * 1024,
  ) {
    this.segments.push(...known.filter((segment) => segment.bytes.length > 0));
  }

  get size(): number {
    return this.source.size;
  }

  async read(start: number, end: number): Promise<Buffer> {
    const from = Math.max(0, start);
    const to = Math.min(this.size, end);
    if (to <= from) return Buffer.alloc(0);
    for (const segment of this.segments) {
      if (segment.start <= from && segment.start + segment.bytes.length >= to)
        return segment.bytes.subarray(from - segment.start, to - segment.start);
    }
    if (this.fetches >= this.maxFetches) throw new RangeReadLimitError(`${this.maxFetches} ranged reads`);
    const blockStart = Math.floor(from / BLOCK) * BLOCK;
    const blockEnd = Math.min(this.size, Math.ceil(to / BLOCK) * BLOCK);
    if (this.fetchedBytes + blockEnd - blockStart > this.maxBytes)
      throw new RangeReadLimitError(`${this.maxBytes} bytes of ranged reads`);
    this.fetches++;
    this.fetchedBytes += blockEnd - blockStart;
    let bytes: Buffer;
    try {
      bytes = await this.source.read(blockStart, blockEnd);
    } catch (error) {
      throw new RangeSourceError(error);
    }
    this.segments.push({ start: blockStart, bytes });
    return bytes.subarray(from - blockStart, Math.min(to - blockStart, bytes.length));
  }
}

export class RangeReadLimitError extends Error {
  constructor(limit: string) {
    super(`gave up after ${limit}`);
    this.name = 'RangeReadLimitError';
  }
}

/** The underlying reader failed (network, S3): not a property of the file, so callers let it propagate. */
export class RangeSourceError extends Error {
  constructor(override readonly cause: unknown) {
    super(`ranged read failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'RangeSourceError';
  }
}

/** Thrown by a reader that only has the bytes the streaming pass kept: a property of the file's layout. */
export class HeldBytesOnlyError extends Error {
  constructor() {
    super('the cross-reference lies outside the bytes held and no range reader was given');
  }
}

/** Whether a read failed only because it reached past what may be read (held bytes, fetch budget). */
export function isReadLimit(error: unknown): boolean {
  return (
    error instanceof RangeReadLimitError ||
    (error instanceof RangeSourceError && error.cause instanceof HeldBytesOnlyError)
  );
}
