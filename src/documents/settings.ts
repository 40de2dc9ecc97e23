import * as z from 'zod/mini';
import { ConfigError } from '../errors';
import {
  DEFAULT_ALLOWED_TYPES,
  DEFAULT_MAX_UPLOAD_BYTES,
  DEFAULT_UPLOAD_EXPIRY_SECONDS,
  uploadPolicy,
} from './upload-policy';
import type { UploadPolicy } from './upload-policy';

/*
 * Documents-only variables, all optional with safe defaults.
 * TODO(core): these belong in src/config.ts `variables`; kept here until they are added there.
 */
const schemas = {
  /** Largest upload accepted, in bytes (default 100 MB; S3 POST allows up to 5 GB). */
  DOCUMENTS_MAX_UPLOAD_BYTES: z._default(
    z.coerce.number().check(z.int(), z.gte(1), z.lte(5 * 1024 ** 3)),
    DEFAULT_MAX_UPLOAD_BYTES,
  ),
  /** Comma-separated MIME types clients may upload (default: PDF, images, Office, CSV, text, JSON). */
  DOCUMENTS_ALLOWED_TYPES: z._default(
    z.pipe(
      z.string(),
      z.transform((value) =>
        value
          .split(',')
          .map((type) => type.trim())
          .filter(Boolean),
      ),
    ),
    [...DEFAULT_ALLOWED_TYPES],
  ),
  /** Seconds a presigned upload form stays valid (default 300). */
  DOCUMENTS_UPLOAD_EXPIRY_SECONDS: z._default(
    z.coerce.number().check(z.int(), z.gte(10), z.lte(3600)),
    DEFAULT_UPLOAD_EXPIRY_SECONDS,
  ),
  /** Seconds a download URL stays valid (default 300). */
  DOCUMENTS_DOWNLOAD_EXPIRY_SECONDS: z._default(
    z.coerce.number().check(z.int(), z.gte(10), z.lte(3600)),
    300,
  ),
};

export interface DocumentSettings {
  policy: UploadPolicy;
  downloadExpirySeconds: number;
}

/** Reads the documents settings from `env`; throws ConfigError naming every invalid variable. */
export function loadDocumentSettings(env: NodeJS.ProcessEnv = process.env): DocumentSettings {
  const values: Record<string, unknown> = {};
  const invalid: string[] = [];
  for (const [name, schema] of Object.entries(schemas)) {
    const raw = env[name];
    const parsed = z.safeParse(schema as z.ZodMiniType, raw === '' ? undefined : raw);
    if (parsed.success) values[name] = parsed.data;
    else invalid.push(name);
  }
  if (invalid.length > 0) throw new ConfigError(`Invalid documents settings: ${invalid.join(', ')}`, invalid);
  const typed = values as { [K in keyof typeof schemas]: z.output<(typeof schemas)[K]> };
  return {
    policy: uploadPolicy({
      maxBytes: typed.DOCUMENTS_MAX_UPLOAD_BYTES,
      allowedTypes: typed.DOCUMENTS_ALLOWED_TYPES,
      expirySeconds: typed.DOCUMENTS_UPLOAD_EXPIRY_SECONDS,
    }),
    downloadExpirySeconds: typed.DOCUMENTS_DOWNLOAD_EXPIRY_SECONDS,
  };
}
