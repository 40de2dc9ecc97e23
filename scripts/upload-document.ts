/**
 * Uploads one file through the documents API exactly as a browser would, then waits for its manifest.
 *
 *   npm run document:upload -- <path> [--type <mime>] [--url http://127.0.0.1:3000] [--timeout 60]
 *
 * POST /documents {filename, contentType, size} → the presigned POST (`fetch` + `FormData` + `Blob`, the
 * fields first and the file last) → GET /documents/{id} until it is processed or quarantined. Prints the
 * manifest summary and the download URL. Exit code: 0 processed, 2 quarantined, 1 anything else.
 */
import { openAsBlob, statSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { extensionOf } from '../src/documents/inspection/type-compatibility';
import { baseUrl, describeFailure, localStackEnvironment } from './send-webhook';

export interface UploadDocumentOptions {
  path: string;
  type?: string;
  url?: string;
  timeoutSeconds: number;
}

export const usage =
  'usage: npm run document:upload -- <path> [--type <mime>] [--url <base url>] [--timeout <seconds>]';

/** Parses the command line (after `--`); throws an Error with a readable message for bad input. */
export function parseUploadDocumentArgs(args: readonly string[]): UploadDocumentOptions {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      type: { type: 'string' },
      url: { type: 'string' },
      timeout: { type: 'string', default: '60' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new Error(`give exactly one file to upload\n${usage}`);
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    throw new Error('--timeout must be a positive number of seconds');
  return {
    path: positionals[0]!,
    ...(values.type !== undefined ? { type: values.type } : {}),
    ...(values.url !== undefined ? { url: values.url.replace(/\/+$/, '') } : {}),
    timeoutSeconds,
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

/** GET /documents/{id} until it is no longer pending; throws after `timeoutMs`. */
export async function waitForManifest(
  base: string,
  id: string,
  timeoutMs: number,
): Promise<ManifestSummaryInput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const manifest = await json<ManifestSummaryInput>(
      await fetch(`${base}/documents/${encodeURIComponent(id)}`, { signal: AbortSignal.timeout(10_000) }),
      200,
      `GET /documents/${id}`,
    );
    if (manifest.status !== 'pending') return manifest;
    if (Date.now() >= deadline)
      throw new Error(`document ${id} still pending after ${timeoutMs / 1000} s (see npm start's log)`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Creates the upload, sends the file as a browser does, and resolves with the final manifest. */
export async function uploadDocument(
  options: UploadDocumentOptions,
  base: string,
): Promise<ManifestSummaryInput> {
  const filename = basename(options.path);
  const size = statSync(options.path).size;
  const contentType = options.type ?? guessContentType(filename);
  const created = await json<CreatedUpload>(
    await fetch(`${base}/documents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
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
  return waitForManifest(base, created.id, options.timeoutSeconds * 1000);
}

async function main(): Promise<void> {
  const options = parseUploadDocumentArgs(process.argv.slice(2));
  const { env } = localStackEnvironment(process.env);
  const manifest = await uploadDocument(options, baseUrl(options.url, env));
  console.log(summariseManifest(manifest).join('\n'));
  process.exitCode = manifest.status === 'processed' ? 0 : 2;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`document:upload failed: ${describeFailure(error)}`);
    process.exit(1);
  });
}
