import type * as FileType from 'file-type' with { 'resolution-mode': 'import' };
import { looksLikeText, classifyText } from './text-kind';
import { completeLength } from './utf8-validator';
import { officeOpenXmlType, readZipEntryNames } from './zip-directory';

// file-type is ESM-only: Node ≥ 22.12 loads it with require(), esbuild bundles it into our CJS output and
// jest transforms it (jest.config transformIgnorePatterns). A dynamic import() would fail under jest.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { fileTypeFromBuffer } = require('file-type') as typeof FileType;

/** How a type was told: magic bytes, the zip directory (OOXML), a text sniff, or nothing recognisable. */
export type DetectionSource = 'magic' | 'zip-directory' | 'text' | 'empty' | 'unknown';

export interface DetectedType {
  mime: string;
  ext: string | null;
  source: DetectionSource;
}

export interface DetectionInput {
  size: number;
  /** The first bytes of the file (64 KiB or all of it). */
  head: Buffer;
  /** The last bytes of the file (1 MiB or all of it). */
  tail: Buffer;
  /** Whether the whole stream was valid UTF-8. */
  wholeFileIsUtf8: boolean;
  /** Whether the whole stream was free of the control bytes text never holds (control-bytes.ts). */
  wholeFileIsControlFree: boolean;
}

const ZIP_FAMILY = new Set(['zip', 'docx', 'xlsx', 'pptx']);

/**
 * The type of a file from its first and last bytes: magic bytes via `file-type`, refined for zips by
 * their central directory (docx/xlsx/pptx whose telling entries lie beyond the head), and for text by a
 * UTF-8 + structure sniff that tells JSON, CSV and plain text apart. Text is only text when the WHOLE
 * stream is valid UTF-8 and free of control bytes (both checked on every chunk of the streaming pass).
 */
export async function detectType(input: DetectionInput): Promise<DetectedType> {
  if (input.size === 0) return { mime: 'application/x-empty', ext: null, source: 'empty' };
  const magic = await fileTypeFromBuffer(input.head);
  if (magic) {
    if (ZIP_FAMILY.has(magic.ext)) {
      const names = readZipEntryNames(input.tail, input.size);
      const office = names && officeOpenXmlType(names);
      if (office) return { ...office, source: 'zip-directory' };
    }
    return { mime: magic.mime, ext: magic.ext, source: 'magic' };
  }
  const isWholeFile = input.size <= input.head.length;
  // Both checks cover every byte of the stream, so a verdict never depends on where a byte falls.
  if (input.wholeFileIsUtf8 && input.wholeFileIsControlFree && looksLikeText(input.head, isWholeFile)) {
    const whole = input.size <= input.tail.length ? input.tail.toString('utf8') : undefined;
    const kind = classifyText({
      head: input.head.subarray(0, completeLength(input.head)).toString('utf8'),
      tail: input.tail.toString('utf8'),
      ...(whole !== undefined ? { whole } : {}),
    });
    const types = {
      json: { mime: 'application/json', ext: 'json' },
      csv: { mime: 'text/csv', ext: 'csv' },
      text: { mime: 'text/plain', ext: 'txt' },
    } as const;
    return { ...types[kind], source: 'text' };
  }
  return { mime: 'application/octet-stream', ext: null, source: 'unknown' };
}
