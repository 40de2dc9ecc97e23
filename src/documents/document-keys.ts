/**
 * Where each kind of document object lives in the bucket. Only `uploads/` triggers the processor:
 * derived objects go elsewhere, or the processor would trigger itself forever.
 */
export const UPLOADS_PREFIX = 'uploads/';
export const MANIFESTS_PREFIX = 'manifests/';
export const QUARANTINE_PREFIX = 'quarantine/';

const DOCUMENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for ids we issue (lower-case UUIDs): anything else cannot name a document. */
export function isDocumentId(value: string): boolean {
  return DOCUMENT_ID.test(value);
}

/** `uploads/<id>/<filename>` — the key a presigned POST writes to. */
export function uploadKey(id: string, filename: string): string {
  return `${UPLOADS_PREFIX}${id}/${filename}`;
}

/** `manifests/<id>.json`. */
export function documentManifestKey(id: string): string {
  return `${MANIFESTS_PREFIX}${id}.json`;
}

/** `quarantine/<id>/<filename>` for an upload key. */
export function quarantineKey(upload: { id: string; filename: string }): string {
  return `${QUARANTINE_PREFIX}${upload.id}/${upload.filename}`;
}

/** The id and file name of an `uploads/<id>/<filename>` key, or undefined for any other key. */
export function parseUploadKey(key: string): { id: string; filename: string } | undefined {
  if (!key.startsWith(UPLOADS_PREFIX)) return undefined;
  const rest = key.slice(UPLOADS_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return undefined;
  const id = rest.slice(0, slash);
  const filename = rest.slice(slash + 1);
  if (!isDocumentId(id) || filename.length === 0 || filename.includes('/')) return undefined;
  return { id, filename };
}
