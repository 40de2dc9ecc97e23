/** Pixel size of an image. */
export interface ImageDimensions {
  width: number;
  height: number;
}

// SOF0–SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
// Markers that stand alone, without a length field: TEM, RST0–7, SOI, EOI.
const isStandalone = (marker: number) => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9);
const START_OF_SCAN = 0xda;

type State = 'soi1' | 'soi2' | 'marker' | 'markerCode' | 'length1' | 'length2' | 'skip' | 'frame';

/**
 * Walks a JPEG's marker segments as the bytes stream past and records the frame size from the first SOF
 * segment. Unlike a fixed-size prefix, it finds a frame header sitting behind megabytes of EXIF/XMP/ICC
 * metadata, while holding at most 5 bytes. Stops looking at the first scan (the frame always precedes it).
 */
export class JpegDimensionsWalker {
  private state: State = 'soi1';
  private marker = 0;
  private remaining = 0;
  private frame: number[] = [];
  private result: ImageDimensions | undefined;
  private finished = false;

  /** True once the size is known or it became clear it cannot be found. */
  get done(): boolean {
    return this.finished;
  }

  get dimensions(): ImageDimensions | undefined {
    return this.result;
  }

  push(chunk: Uint8Array): void {
    let index = 0;
    while (index < chunk.length && !this.finished) {
      if (this.state === 'skip') {
        const step = Math.min(this.remaining, chunk.length - index);
        index += step;
        this.remaining -= step;
        if (this.remaining === 0) this.state = 'marker';
        continue;
      }
      this.step(chunk[index]!);
      index++;
    }
  }

  private step(byte: number): void {
    switch (this.state) {
      case 'soi1':
        return byte === 0xff ? void (this.state = 'soi2') : this.stop();
      case 'soi2':
        return byte === 0xd8 ? void (this.state = 'marker') : this.stop();
      case 'marker':
        return byte === 0xff ? void (this.state = 'markerCode') : this.stop();
      case 'markerCode':
        if (byte === 0xff) return; // fill bytes may pad before a marker code
        this.marker = byte;
        if (byte === START_OF_SCAN) return this.stop();
        this.state = isStandalone(byte) ? 'marker' : 'length1';
        return;
      case 'length1':
        this.remaining = byte << 8;
        this.state = 'length2';
        return;
      case 'length2':
        this.remaining = (this.remaining | byte) - 2;
        if (this.remaining < 0) return this.stop();
        if (isStartOfFrame(this.marker)) {
          this.frame = [];
          this.state = 'frame';
        } else {
          this.state = this.remaining === 0 ? 'marker' : 'skip';
        }
        return;
      case 'frame':
        // precision (1), height (2), width (2)
        this.frame.push(byte);
        if (this.frame.length === 5) {
          const [, h1, h2, w1, w2] = this.frame as [number, number, number, number, number];
          const width = (w1 << 8) | w2;
          const height = (h1 << 8) | h2;
          if (width > 0 && height > 0) this.result = { width, height };
          this.stop();
        }
        return;
      /* istanbul ignore next -- 'skip' is handled by push */
      default:
        return;
    }
  }

  private stop(): void {
    this.finished = true;
  }
}
