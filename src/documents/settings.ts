import { loadConfig } from '../config';
import { uploadPolicy } from './upload-policy';
import type { UploadPolicy } from './upload-policy';

export interface DocumentSettings {
  policy: UploadPolicy;
  downloadExpirySeconds: number;
}

/**
 * The documents API and processor settings from `env` (variables defined in src/config.ts), with the upload
 * policy's defaults for whatever is unset. Throws ConfigError naming every invalid variable.
 */
export function loadDocumentSettings(env: NodeJS.ProcessEnv = process.env): DocumentSettings {
  const config = loadConfig(
    [
      'DOCUMENTS_MAX_UPLOAD_BYTES',
      'DOCUMENTS_ALLOWED_TYPES',
      'DOCUMENTS_UPLOAD_EXPIRY_SECONDS',
      'DOCUMENTS_DOWNLOAD_EXPIRY_SECONDS',
      'DOCUMENTS_ALLOW_TRAILING_DATA',
      'DOCUMENTS_QUARANTINE_PDF_ACTIVE_CONTENT',
    ],
    env,
  );
  return {
    policy: uploadPolicy({
      maxBytes: config.DOCUMENTS_MAX_UPLOAD_BYTES,
      allowedTypes: config.DOCUMENTS_ALLOWED_TYPES,
      expirySeconds: config.DOCUMENTS_UPLOAD_EXPIRY_SECONDS,
      allowTrailingData: config.DOCUMENTS_ALLOW_TRAILING_DATA,
      quarantinedPdfActiveContent: config.DOCUMENTS_QUARANTINE_PDF_ACTIVE_CONTENT,
    }),
    downloadExpirySeconds: config.DOCUMENTS_DOWNLOAD_EXPIRY_SECONDS,
  };
}
