import {
  extensionOf,
  extensionsOfType,
  normalizeMimeType,
  typesOfExtension,
} from './inspection/type-compatibility';
import {
  DEFAULT_QUARANTINED_PDF_ACTIVE_CONTENT,
  type PdfActiveContent,
} from './inspection/pdf-active-content';

/** Default largest upload: 100 MB. */
export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
/** Default lifetime of a presigned upload: short, so a leaked form is soon useless. */
export const DEFAULT_UPLOAD_EXPIRY_SECONDS = 300;

/** Types a client may declare (and content must turn out to be), unless configured otherwise. */
export const DEFAULT_ALLOWED_TYPES: readonly string[] = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'text/csv',
  'text/plain',
  'application/json',
];

export interface UploadPolicy {
  maxBytes: number;
  allowedTypes: readonly string[];
  expirySeconds: number;
  /** Keep files with data after their format's end marker (default false: a polyglot is quarantined). */
  allowTrailingData: boolean;
  /** PDF active-content names that quarantine a file (default: those that run code; [] = none). */
  quarantinedPdfActiveContent: readonly PdfActiveContent[];
}

/** The policy with defaults filled in; allowed types normalised (`image/jpg` → `image/jpeg`). */
export function uploadPolicy(overrides: Partial<UploadPolicy> = {}): UploadPolicy {
  return {
    maxBytes: overrides.maxBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    allowedTypes: (overrides.allowedTypes ?? DEFAULT_ALLOWED_TYPES).map(normalizeMimeType),
    expirySeconds: overrides.expirySeconds ?? DEFAULT_UPLOAD_EXPIRY_SECONDS,
    allowTrailingData: overrides.allowTrailingData ?? false,
    quarantinedPdfActiveContent:
      overrides.quarantinedPdfActiveContent ?? DEFAULT_QUARANTINED_PDF_ACTIVE_CONTENT,
  };
}

/** Why an upload request is refused; the API maps each to its HTTP status. */
export type UploadRefusal =
  | { reason: 'TYPE_NOT_ALLOWED'; message: string }
  | { reason: 'EXTENSION_NOT_ALLOWED'; message: string }
  | { reason: 'TOO_LARGE'; message: string }
  | { reason: 'INVALID_SIZE'; message: string };

/**
 * The extension allow-list that matches the type allow-list: every extension that may hold an allowed type
 * (`.pdf` for application/pdf, `.jpg` and `.jpeg` for image/jpeg…), sorted.
 */
export function allowedExtensions(policy: UploadPolicy): string[] {
  return [...new Set(policy.allowedTypes.flatMap(extensionsOfType))].sort();
}

/**
 * Checks a client's declared upload against the policy: the type on the allow-list; the file name's
 * extension on the matching extension allow-list and one that may hold the declared type (a `.html`, an
 * `.svg`, a `.pdf` declared as image/png, or no extension at all are refused before anything is signed);
 * the size a whole number from 1 byte to `maxBytes`. Returns the normalised type to bind into the
 * presigned POST, or the refusal.
 */
export function checkUploadRequest(
  request: { filename: string; contentType: string; size: number },
  policy: UploadPolicy,
): { ok: true; contentType: string } | ({ ok: false } & UploadRefusal) {
  const contentType = normalizeMimeType(request.contentType);
  if (!policy.allowedTypes.includes(contentType)) {
    return {
      ok: false,
      reason: 'TYPE_NOT_ALLOWED',
      message: `Type ${contentType} is not accepted; allowed: ${policy.allowedTypes.join(', ')}`,
    };
  }
  const extension = extensionOf(request.filename);
  if (extension === null || !typesOfExtension(extension).includes(contentType)) {
    const fitting = extensionsOfType(contentType).map((e) => `.${e}`);
    return {
      ok: false,
      reason: 'EXTENSION_NOT_ALLOWED',
      message: `${extension === null ? 'A file name without an extension' : `Extension .${extension.slice(0, 32)}`} is not accepted for ${contentType}; use ${fitting.join(', ') || 'another type'} (accepted extensions: ${allowedExtensions(policy).join(', ')})`,
    };
  }
  if (!Number.isSafeInteger(request.size) || request.size < 1) {
    return { ok: false, reason: 'INVALID_SIZE', message: 'size must be a whole number of bytes, at least 1' };
  }
  if (request.size > policy.maxBytes) {
    return {
      ok: false,
      reason: 'TOO_LARGE',
      message: `size ${request.size} exceeds the limit of ${policy.maxBytes} bytes`,
    };
  }
  return { ok: true, contentType };
}
