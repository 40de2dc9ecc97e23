/**
 * Uploads one file through the documents API exactly as a browser would, then waits for its manifest.
 *
 *   npm run document:upload -- <path> [--type <mime>] [--sub local-user | --token <jwt>]
 *                              [--url http://127.0.0.1:3000] [--timeout 60]
 *
 * The API wants a token: by default one for `--sub` (default local-user) from the running local
 * stack's issuer (scripts/lib/tokens.ts); `--token` gives one instead (a deployed stage's).
 * POST /documents {filename, contentType, size} → the presigned POST (`fetch` + `FormData` + `Blob`, the
 * fields first and the file last) → GET /documents/{id} until it is processed or quarantined. Prints the
 * manifest summary and the download URL. Exit code: 0 processed, 2 quarantined, 1 anything else.
 */
import { openAsBlob, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { extensionOf } from '../src/documents/inspection/type-compatibility';
import { localStackToken } from './lib/tokens';
import { baseUrl, describeFailure, localStackEnvironment } from './send-webhook';

export interface UploadDocumentOptions {
  path: string;
  type?: string;
  url?: string;
  timeoutSeconds: number;
  /** Whose token to ask the local issuer for (the document's owner). */
  sub: string;
  /** A token to use instead of asking the local issuer. */
  token?: string;
}

export const DEFAULT_UPLOAD_SUB = 'local-user';

export const usage =
  'usage: npm run document:upload -- <path> [--type <mime>] [--sub <subject> | --token <jwt>] [--url <base url>] [--timeout <seconds>]';

/** Parses the command line (after `--`); throws an Error with a readable message for bad input. */
export function parseUploadDocumentArgs(args: readonly string[]): UploadDocumentOptions {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      type: { type: 'string' },
      url: { type: 'string' },
      timeout: { type: 'string', default: '60' },
      sub: { type: 'string' },
      token: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new Error(`give exactly one file to upload\n${usage}`);
  if (values.sub !== undefined && values.token !== undefined)
    throw new Error('--sub and --token are alternatives: give one');
  if (values.sub === '' || values.token === '') throw new Error('--sub and --token cannot be empty');
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    throw new Error('--timeout must be a positive number of seconds');
  return {
    path: positionals[0]!,
    ...(values.type !== undefined ? { type: values.type } : {}),
    ...(values.url !== undefined ? { url: values.url.replace(/\/+$/, '') } : {}),
    timeoutSeconds,
    sub: values.sub ?? DEFAULT_UPLOAD_SUB,
    ...(values.token !== undefined ? { token: values.token } : {}),
  };
}

// What a browser would put in File.type for the extensions the API accepts by default.
const typesByExtension: Record<string, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  csv: 'text/csv',
  txt: 'text/plain',
  md: 'text/plain',
  json: 'application/json',
};

/** The MIME type a browser would declare for `filename`; `application/octet-stream` when unknown. */
export function guessContentType(filename: string): string {
  const extension = extensionOf(filename);
  return (extension !== null && typesByExtension[extension]) || 'application/octet-stream';
}

export interface CreatedUpload {
  id: string;
  key: string;
  upload: { url: string; fields: Record<string, string> };
  expiresAt: string;
}

/** The multipart body a browser form sends to a presigned POST: every policy field, then `file` last. */
export function presignedPostForm(fields: Record<string, string>, file: Blob, filename: string): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', file, filename);
  return form;
}

export interface ManifestSummaryInput {
  id: string;
  status: string;
  reason?: { code: string; message: string } | null;
  size?: number;
  sha256?: string;
  detectedType?: { mime: string } | null;
  metadata?: { pages?: number | null; width?: number; height?: number; note?: string } | null;
  download?: { url: string; expiresAt: string } | null;
}

/** Human-readable lines describing a manifest (no secret in it: the download URL is a short-lived presign). */
export function summariseManifest(manifest: ManifestSummaryInput): string[] {
  const metadata = manifest.metadata ?? {};
  const lines = [
    `id          ${manifest.id}`,
    `status      ${manifest.status}${manifest.reason ? ` (${manifest.reason.code}: ${manifest.reason.message})` : ''}`,
    `type        ${manifest.detectedType?.mime ?? 'unknown'}`,
    `size        ${manifest.size ?? '?'} bytes`,
    `sha256      ${manifest.sha256 ?? '?'}`,
  ];
  if (metadata.pages !== undefined) lines.push(`pages       ${metadata.pages ?? 'unknown'}`);
  if (metadata.width !== undefined && metadata.height !== undefined)
    lines.push(`dimensions  ${metadata.width} x ${metadata.height}`);
  if (metadata.note) lines.push(`note        ${metadata.note}`);
  lines.push(
    manifest.download
      ? `download    ${manifest.download.url}\n            (valid until ${manifest.download.expiresAt})`
      : 'download    none (quarantined files are not served)',
  );
  return lines;
}

async function json<T>(response: Response, expected: number, what: string): Promise<T> {
  const text = await response.text();
  if (response.status !== expected) throw new Error(`${what} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Statuses that are not final: the upload awaits inspection, or (malware scanning on) its scan result. */
const UNSETTLED = new Set(['pending', 'scanning']);

/** GET /documents/{id} (with `token`) until it is neither pending nor scanning; throws after `timeoutMs`. */
export async function waitForManifest(
  base: string,
  id: string,
  timeoutMs: number,
  token: string,
): Promise<ManifestSummaryInput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const manifest = await json<ManifestSummaryInput>(
      await fetch(`${base}/documents/${encodeURIComponent(id)}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(10_000),
      }),
      200,
      `GET /documents/${id}`,
    );
    if (!UNSETTLED.has(manifest.status)) return manifest;
    if (Date.now() >= deadline)
      throw new Error(
        `document ${id} still ${manifest.status} after ${timeoutMs / 1000} s (see npm start's log)`,
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Creates the upload (as the bearer of `token`), sends the file as a browser does, and resolves with the final manifest. */
export async function uploadDocument(
  options: UploadDocumentOptions,
  base: string,
  token: string,
): Promise<ManifestSummaryInput> {
  const filename = basename(options.path);
  const size = statSync(options.path).size;
  const contentType = options.type ?? guessContentType(filename);
  const created = await json<CreatedUpload>(
    await fetch(`${base}/documents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ filename, contentType, size }),
      signal: AbortSignal.timeout(10_000),
    }),
    201,
    'POST /documents',
  );
  console.log(`POST ${base}/documents → 201: document ${created.id} (${contentType}, ${size} bytes)`);
  // openAsBlob reads the file lazily, as a browser's File does: no copy of a large file in memory.
  const file = await openAsBlob(options.path, { type: contentType });
  const upload = await fetch(created.upload.url, {
    method: 'POST',
    body: presignedPostForm(created.upload.fields, file, filename),
  });
  if (upload.status !== 204 && upload.status !== 201 && upload.status !== 200)
    throw new Error(`the upload to S3 answered ${upload.status}: ${await upload.text()}`);
  console.log(`POST ${new URL(created.upload.url).origin}/… (presigned form) → ${upload.status}`);
  return waitForManifest(base, created.id, options.timeoutSeconds * 1000, token);
}

async function main(): Promise<void> {
  const options = parseUploadDocumentArgs(process.argv.slice(2));
  const { env } = localStackEnvironment(process.env);
  const token = options.token ?? (await localStackToken({ sub: options.sub }, env, join(__dirname, '..')));
  const manifest = await uploadDocument(options, baseUrl(options.url, env), token);
  console.log(summariseManifest(manifest).join('\n'));
  process.exitCode = manifest.status === 'processed' ? 0 : 2;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`document:upload failed: ${describeFailure(error)}`);
    process.exit(1);
  });
}
