/** Spellings browsers and tools send for the same type, mapped to the one `file-type` reports. */
const MIME_ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-png': 'image/png',
  'application/x-pdf': 'application/pdf',
  'text/comma-separated-values': 'text/csv',
  'application/csv': 'text/csv',
  'text/json': 'application/json',
};

/** The types a file with this extension may hold. */
const EXTENSION_TYPES: Record<string, readonly string[]> = {
  pdf: ['application/pdf'],
  png: ['image/png'],
  jpg: ['image/jpeg'],
  jpeg: ['image/jpeg'],
  gif: ['image/gif'],
  webp: ['image/webp'],
  docx: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  xlsx: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  pptx: ['application/vnd.openxmlformats-officedocument.presentationml.presentation'],
  csv: ['text/csv', 'text/plain'],
  tsv: ['text/csv', 'text/plain'],
  txt: ['text/plain', 'text/csv', 'application/json'],
  json: ['application/json'],
  md: ['text/plain'],
};

/** The types a file with this (lower-case) extension may hold; empty for an extension we do not know. */
export function typesOfExtension(extension: string): readonly string[] {
  return Object.hasOwn(EXTENSION_TYPES, extension) ? EXTENSION_TYPES[extension]! : [];
}

/** Every extension that may hold `type`. */
export function extensionsOfType(type: string): string[] {
  return Object.keys(EXTENSION_TYPES).filter((extension) => EXTENSION_TYPES[extension]!.includes(type));
}

/** Lower-cased type without parameters, aliases resolved (`Image/JPG; q=1` → `image/jpeg`). */
export function normalizeMimeType(type: string): string {
  const bare = type.split(';')[0]!.trim().toLowerCase();
  return MIME_ALIASES[bare] ?? bare;
}

/** The lower-cased extension of a file name, or null when it has none. */
export function extensionOf(filename: string): string | null {
  const match = /\.([^./\\]+)$/.exec(filename);
  return match ? match[1]!.toLowerCase() : null;
}

/**
 * Whether content detected as `detected` may honestly be declared as `declared`: the same type, or text
 * declared as a more general text type (CSV or JSON sent as text/plain, a ragged CSV sent as text/csv).
 */
export function declaredTypeMatches(declared: string, detected: string): boolean {
  const d = normalizeMimeType(declared);
  if (d === detected) return true;
  const isText = detected === 'text/plain' || detected === 'text/csv' || detected === 'application/json';
  return isText && (d === 'text/plain' || (detected === 'text/plain' && d === 'text/csv'));
}

/**
 * Whether the file name's extension fits the detected type: null when there is no extension or an
 * extension we hold no opinion about, so only a known contradiction counts against a file.
 */
export function extensionMatches(extension: string | null, detected: string): boolean | null {
  if (extension === null) return null;
  const allowed = EXTENSION_TYPES[extension];
  return allowed ? allowed.includes(detected) : null;
}
