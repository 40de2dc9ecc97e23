import { StructureWalker } from './structure-walker';

const TRAILER = 0x3b;
const EXTENSION = 0x21;
const IMAGE = 0x2c;

/**
 * Walks a GIF's blocks (logical screen, colour tables, extensions and images with their data
 * sub-blocks) and ends just past the trailer byte `;` — not at the last `;` in the file, which any
 * appended data could hold. Stops without an end on anything that is not a GIF or breaks the layout.
 */
export class GifWalker extends StructureWalker {
  constructor() {
    super();
    this.take(13, (header) => {
      if (String.fromCharCode(...header.slice(0, 4)) !== 'GIF8') return this.stop();
      this.skip(colourTableBytes(header[10]!));
      this.block();
    });
  }

  private block(): void {
    this.take(1, ([introducer]) => {
      if (introducer === TRAILER) return this.stop(this.position);
      if (introducer === EXTENSION) return this.take(1, () => this.skipSubBlocks(() => this.block()));
      if (introducer !== IMAGE) return this.stop();
      this.take(9, (descriptor) => {
        this.skip(colourTableBytes(descriptor[8]!));
        this.take(1, () => this.skipSubBlocks(() => this.block())); // LZW minimum code size
      });
    });
  }
}

function colourTableBytes(packed: number): number {
  return packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0;
}
