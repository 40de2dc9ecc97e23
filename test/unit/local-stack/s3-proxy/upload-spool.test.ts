import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UploadSpool } from '../../../../plugins/local-stack/s3-proxy/upload-spool';

let directory: string;
beforeEach(() => (directory = mkdtempSync(join(tmpdir(), 'upload-spool-'))));
afterEach(() => rmSync(directory, { recursive: true, force: true }));

async function bytesOf(body: Buffer | Readable): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const inChunks = (bytes: Buffer, size: number) =>
  Readable.from(
    Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
      bytes.subarray(i * size, (i + 1) * size),
    ),
  );

describe('UploadSpool', () => {
  it('keeps a file within its memory allowance in memory, byte for byte, and writes no file', async () => {
    const bytes = randomBytes(10_000);
    const path = join(directory, 'small');
    const spool = new UploadSpool(path, 16_384);

    await pipeline(inChunks(bytes, 1_000), spool);

    expect(spool.onDisk).toBe(false);
    expect(spool.size).toBe(10_000);
    expect(existsSync(path)).toBe(false);
    expect((await bytesOf(spool.body())).equals(bytes)).toBe(true);
  });

  it('moves a file that outgrows its allowance to disk, keeping every byte in order', async () => {
    const bytes = randomBytes(50_000);
    const path = join(directory, 'large');
    const spool = new UploadSpool(path, 16_384);

    await pipeline(inChunks(bytes, 3_000), spool);

    expect(spool.onDisk).toBe(true);
    expect(spool.size).toBe(50_000);
    expect(existsSync(path)).toBe(true);
    expect((await bytesOf(spool.body())).equals(bytes)).toBe(true);
  });

  it('fails when the file it moves to cannot be written', async () => {
    const spool = new UploadSpool(join(directory, 'missing-folder', 'file'), 10);

    await expect(pipeline(inChunks(randomBytes(100), 30), spool)).rejects.toThrow(/ENOENT/);
  });
});
