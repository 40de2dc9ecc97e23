/** The longest file name we keep, in UTF-8 bytes (S3 keys allow 1024 bytes in all; file systems 255). */
export const MAX_FILENAME_BYTES = 200;

// C0/C1 controls, DEL, and the invisible bidi overrides that make `evil‮fdp.exe` read as `evilexe.pdf`.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f]/g;

/**
 * The name an upload is stored under: Unicode NFC, the last path segment only (no `../`, no `C:\`),
 * no control or bidi-override characters, no leading/trailing spaces or dots, at most
 * MAX_FILENAME_BYTES (the extension kept). Unicode letters and inner spaces are kept as the user wrote
 * them. Returns undefined when nothing usable is left (`..`, `/`, only control characters).
 */
export function normalizeFilename(input: string): string | undefined {
  const lastSegment = input.normalize('NFC').split(/[/\\]/).pop() ?? '';
  const cleaned = lastSegment.replace(UNSAFE_CHARACTERS, '').replace(/^[\s.]+|[\s.]+$/g, '');
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
