import { StructureWalker } from './structure-walker';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const MAX_CHUNK_LENGTH = 0x7fffffff;

/**
 * Walks a PNG's chunks (length, type, data, CRC) and ends just past the IEND chunk's CRC, so bytes
 * appended after the image (an HTML page, a zip: a polyglot) are told apart from the image itself.
 * Stops without an end on anything that is not a PNG or breaks the chunk layout.
 */
export class PngWalker extends StructureWalker {
  constructor() {
    super();
    this.take(8, (signature) => {
      if (signature.some((byte, i) => byte !== SIGNATURE[i])) return this.stop();
      this.chunk();
    });
  }

  private chunk(): void {
    this.take(8, (header) => {
      const length = ((header[0]! << 24) >>> 0) + (header[1]! << 16) + (header[2]! << 8) + header[3]!;
      if (length > MAX_CHUNK_LENGTH) return this.stop();
      const isEnd = header[4] === 0x49 && header[5] === 0x45 && header[6] === 0x4e && header[7] === 0x44; // IEND
      if (isEnd) return this.stop(this.position + length + 4);
      this.skip(length + 4);
      this.chunk();
    });
  }
}
