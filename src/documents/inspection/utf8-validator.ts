import { isUtf8 } from 'node:buffer';

/**
 * Checks that a stream is valid UTF-8 chunk by chunk with Node's native `isUtf8` (far faster than a fatal
 * TextDecoder), carrying a multi-byte sequence cut by a chunk boundary over to the next chunk without
 * copying whole chunks.
 */
export class Utf8Validator {
  private carry: Buffer = Buffer.alloc(0);
  private valid = true;

  push(input: Buffer): void {
    let chunk = input;
    if (!this.valid || chunk.length === 0) return;
    if (this.carry.length > 0) {
      const needed = sequenceLength(this.carry[0]!) - this.carry.length;
      const joined = Buffer.concat([this.carry, chunk.subarray(0, needed)]);
      chunk = chunk.subarray(needed);
      if (joined.length < sequenceLength(this.carry[0]!)) {
        this.carry = joined;
        return;
      }
      this.carry = Buffer.alloc(0);
      if (!isUtf8(joined)) return void (this.valid = false);
    }
    const cut = completeLength(chunk);
    if (!isUtf8(chunk.subarray(0, cut))) return void (this.valid = false);
    this.carry = Buffer.from(chunk.subarray(cut));
  }

  /** True while nothing pushed so far is invalid (a sequence cut at the end may still be completed). */
  get validSoFar(): boolean {
    return this.valid;
  }

  /** True when everything pushed so far is valid UTF-8 and no sequence was left unfinished. */
  finish(): boolean {
    return this.valid && this.carry.length === 0;
  }
}

function sequenceLength(lead: number): number {
  return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
}

/**
 * Length of the longest prefix that does not end inside a multi-byte sequence (looks back at most 3
 * bytes for a lead byte whose sequence would run past the end).
 */
export function completeLength(data: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, data.length); back++) {
    const byte = data[data.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for its lead
    return sequenceLength(byte) > back ? data.length - back : data.length;
  }
  return data.length;
}
