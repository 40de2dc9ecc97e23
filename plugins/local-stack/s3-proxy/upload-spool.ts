import { createWriteStream, createReadStream, type WriteStream } from 'node:fs';
import { Writable, type Readable } from 'node:stream';

/** Files up to this size wait in memory; a larger one goes to disk from the byte that passes it. */
export const MEMORY_SPOOL_BYTES = 8 * 1024 * 1024;

/**
 * Where a browser POST's file waits while the rest of the form is read and checked (S3 stores nothing
 * until the whole request is valid): in memory while it stays within `memoryBytes` — a document of a few
 * MB then costs no disk write and read-back on its way to the emulator — and in a file at `path` once it
 * grows past that, so a large upload never sits in memory whole. Write the file part into it (it is a
 * Writable), then read it back with `body()`.
 */
export class UploadSpool extends Writable {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private disk: WriteStream | undefined;
  private written = 0;

  constructor(
    private readonly path: string,
    private readonly memoryBytes = MEMORY_SPOOL_BYTES,
  ) {
    super();
  }

  /** Bytes spooled so far. */
  get size(): number {
    return this.written;
  }

  /** Whether the file went to disk (it outgrew the memory allowance). */
  get onDisk(): boolean {
    return this.disk !== undefined;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.written += chunk.length;
    if (!this.disk && this.heldBytes + chunk.length <= this.memoryBytes) {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      callback();
      return;
    }
    if (!this.disk) {
      this.disk = createWriteStream(this.path);
      this.disk.on('error', () => undefined); // reported through the write callbacks
      const held = Buffer.concat(this.held);
      this.held = [];
      this.heldBytes = 0;
      this.disk.write(held);
    }
    this.disk.write(chunk, (error) => callback(error));
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.disk) return callback();
    this.disk.end((error?: Error | null) => callback(error));
  }

  /** The spooled bytes: one buffer when held in memory, else a stream of the file. */
  body(): Buffer | Readable {
    return this.disk ? createReadStream(this.path) : Buffer.concat(this.held);
  }
}
