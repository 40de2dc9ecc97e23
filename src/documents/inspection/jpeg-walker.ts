import { StructureWalker } from './structure-walker';

/** Pixel size of an image. */
export interface ImageDimensions {
  width: number;
  height: number;
}

// SOF0–SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
// Markers that stand alone, without a length field: TEM, RST0–7, SOI.
const isStandalone = (marker: number) => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8);
const START_OF_SCAN = 0xda;
const END_OF_IMAGE = 0xd9;

/**
 * Walks a JPEG's marker segments as the bytes stream past: records the frame size from the first SOF
 * segment (it can sit behind megabytes of EXIF/XMP/ICC metadata, beyond any fixed prefix), passes over
 * entropy-coded scans (stuffed `FF 00` and restart markers), and ends just past the EOI marker — the
 * real one, not an embedded thumbnail's, which lies inside a skipped APP1 segment. Holds a few bytes.
 */
export class JpegWalker extends StructureWalker {
  private frame: ImageDimensions | undefined;

  constructor() {
    super();
    this.take(2, ([first, second]) => {
      if (first !== 0xff || second !== 0xd8) return this.stop();
      this.marker();
    });
  }

  /** The frame size, once its SOF segment was read. */
  get dimensions(): ImageDimensions | undefined {
    return this.frame;
  }

  private marker(): void {
    this.take(2, ([byte, code]) => (byte === 0xff ? this.segment(code!) : this.stop()));
  }

  private code(): void {
    this.take(1, ([code]) => this.segment(code!));
  }

  private segment(code: number): void {
    if (code === 0xff) return this.code(); // fill bytes may pad before a marker code
    if (code === END_OF_IMAGE) return this.stop(this.position);
    if (isStandalone(code)) return this.marker();
    this.take(2, ([high, low]) => {
      const length = ((high! << 8) | low!) - 2;
      if (length < 0) return this.stop();
      if (isStartOfFrame(code) && this.frame === undefined && length >= 5) {
        this.take(5, ([, h1, h2, w1, w2]) => {
          const height = (h1! << 8) | h2!;
          const width = (w1! << 8) | w2!;
          if (width > 0 && height > 0) this.frame = { width, height };
          this.skip(length - 5);
          this.marker();
        });
        return;
      }
      this.skip(length);
      if (code === START_OF_SCAN) this.entropyCoded();
      else this.marker();
    });
  }

  /** Scan data: runs to the next marker that is neither a stuffed `FF 00` nor a restart marker. */
  private entropyCoded(): void {
    this.seekMarker((code) => this.segment(code));
  }
}
