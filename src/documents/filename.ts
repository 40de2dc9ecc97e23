/** The longest file name we keep, in UTF-8 bytes (S3 keys allow 1024 bytes in all; file systems 255). */
export const MAX_FILENAME_BYTES = 200;

/**
 * Characters a file name never keeps, by Unicode general category rather than by a list of code points
 * (a list misses the next invisible character): Cc (C0/C1 controls, DEL), Cf (format characters: the
 * zero-width U+200B–U+200D, the bidi marks and overrides U+200E/F, U+202A–U+202E, U+2066–U+2069 that make
 * `evil‮fdp.exe` read as `evilexe.pdf`, U+2060–U+2064, the BOM U+FEFF, soft hyphen, tag characters…),
 * Cs (a lone surrogate, which no UTF-8 key can hold), and the line/paragraph separators Zl/Zp.
 */
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;

/**
 * The name an upload is stored under: Unicode NFC, the last path segment only (no `../`, no `C:\`),
 * no control, format (zero-width, bidi) or separator characters, no leading/trailing spaces or dots, at
 * most MAX_FILENAME_BYTES (the extension kept). Unicode letters and inner spaces are kept as the user
 * wrote them. Returns undefined when nothing usable is left (`..`, `/`, only invisible characters).
 */
export function normalizeFilename(input: string): string | undefined {
  const visible = input.normalize('NFC').replace(INVISIBLE_OR_CONTROL, '');
  const lastSegment = visible.split(/[/\\]/).pop() ?? '';
  const cleaned = lastSegment.replace(/^[\s.]+|[\s.]+$/g, '');
  if (cleaned.length === 0) return undefined;
  return truncateToBytes(cleaned, MAX_FILENAME_BYTES);
}

function truncateToBytes(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name, 'utf8') <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  const stem = [...name.slice(0, name.length - extension.length)];
  while (stem.length > 0 && Buffer.byteLength(stem.join('') + extension, 'utf8') > maxBytes) stem.pop();
  return stem.join('').trimEnd() + extension;
}
