import { loadConfig } from '../config';
import { ConfigError } from '../errors';
import { INLINE_SAFE_TYPES } from './download-headers';
import { normalizeMimeType } from './inspection/type-compatibility';
import { uploadPolicy } from './upload-policy';
import type { UploadPolicy } from './upload-policy';

export interface DocumentSettings {
  policy: UploadPolicy;
  downloadExpirySeconds: number;
  /** Detected types served `inline` (a subset of INLINE_SAFE_TYPES); every other download is an attachment. */
  inlineTypes: readonly string[];
}

/**
 * The documents API and processor settings from `env` (variables defined in src/config.ts), with the upload
 * policy's defaults for whatever is unset. Throws ConfigError naming every invalid variable, and
 * DOCUMENTS_INLINE_TYPES when it names a type that is not safe to show inline.
 */
export function loadDocumentSettings(env: NodeJS.ProcessEnv = process.env): DocumentSettings {
  const config = loadConfig(
    [
      'DOCUMENTS_MAX_UPLOAD_BYTES',
      'DOCUMENTS_ALLOWED_TYPES',
      'DOCUMENTS_UPLOAD_EXPIRY_SECONDS',
      'DOCUMENTS_DOWNLOAD_EXPIRY_SECONDS',
      'DOCUMENTS_INLINE_TYPES',
      'DOCUMENTS_ALLOW_TRAILING_DATA',
      'DOCUMENTS_QUARANTINE_PDF_ACTIVE_CONTENT',
    ],
    env,
  );
  const inlineTypes = config.DOCUMENTS_INLINE_TYPES.map(normalizeMimeType);
  const unsafe = inlineTypes.filter((type) => !INLINE_SAFE_TYPES.includes(type));
  if (unsafe.length > 0) {
    throw new ConfigError(
      `DOCUMENTS_INLINE_TYPES: ${unsafe.join(', ')} cannot be shown inline safely; allowed: ${INLINE_SAFE_TYPES.join(', ')}`,
      ['DOCUMENTS_INLINE_TYPES'],
    );
  }
  return {
    policy: uploadPolicy({
      maxBytes: config.DOCUMENTS_MAX_UPLOAD_BYTES,
      allowedTypes: config.DOCUMENTS_ALLOWED_TYPES,
      expirySeconds: config.DOCUMENTS_UPLOAD_EXPIRY_SECONDS,
      allowTrailingData: config.DOCUMENTS_ALLOW_TRAILING_DATA,
      quarantinedPdfActiveContent: config.DOCUMENTS_QUARANTINE_PDF_ACTIVE_CONTENT,
    }),
    downloadExpirySeconds: config.DOCUMENTS_DOWNLOAD_EXPIRY_SECONDS,
    inlineTypes,
  };
}
