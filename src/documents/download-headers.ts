import { normalizeMimeType } from './inspection/type-compatibility';

/**
 * The only types a download may ever show inline, when DOCUMENTS_INLINE_TYPES asks for them: raster images
 * and PDF, which a browser renders without running the file's markup or script. HTML, SVG, XML and script
 * types can never be inline (nor can text: S3 sends no `X-Content-Type-Options: nosniff`, so a browser may
 * sniff text as HTML).
 */
export const INLINE_SAFE_TYPES: readonly string[] = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
];

// Types a browser would run as a page or script if it ever rendered them: always served as bytes.
const ACTIVE_CONTENT = /html|svg|xml|javascript|ecmascript|xhtml/;

export interface DownloadHeaders {
  /** For S3's `response-content-disposition`. */
  contentDisposition: string;
  /** For S3's `response-content-type`. */
  contentType: string;
}

/**
 * The response headers a download URL asks S3 to send for a document: its detected type (bytes, for any
 * type that could run in a browser) and `attachment` with the file name in both RFC 6266 forms — an ASCII
 * fallback and the exact UTF-8 name as `filename*` (RFC 5987 encoding) — unless the type is in
 * `inlineTypes` and safe to show, then `inline`.
 */
export function downloadHeaders(
  document: { filename: string; detectedType: { mime: string } },
  inlineTypes: readonly string[],
): DownloadHeaders {
  const type = normalizeMimeType(document.detectedType.mime);
  const active = ACTIVE_CONTENT.test(type);
  const inline = !active && INLINE_SAFE_TYPES.includes(type) && inlineTypes.includes(type);
  return {
    contentDisposition: contentDisposition(inline ? 'inline' : 'attachment', document.filename),
    contentType: active ? 'application/octet-stream' : type,
  };
}

/** `<disposition>; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded UTF-8>` (RFC 6266 §4.3). */
export function contentDisposition(disposition: 'inline' | 'attachment', filename: string): string {
  return `${disposition}; filename="${asciiFallback(filename)}"; filename*=UTF-8''${encodeRfc5987(filename)}`;
}

/** Printable ASCII only, without `"` and `\` (the quoted-string escapes), anything else as `_`. */
function asciiFallback(filename: string): string {
  return [...filename]
    .map((char) => (/^[\x20-\x7e]$/.test(char) && !/["\\]/.test(char) ? char : '_'))
    .join('');
}

/** RFC 5987 `value-chars`: attr-char kept, everything else as %XX of its UTF-8 bytes. */
function encodeRfc5987(value: string): string {
  // encodeURIComponent leaves ' ( ) * unescaped, which attr-char does not allow.
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
