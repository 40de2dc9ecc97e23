import { createHash } from 'node:crypto';

/**
 * Where each kind of document object lives in the bucket. Every key starts with its kind and then its
 * owner, so one owner's objects are one prefix: listing reads only that prefix, and a key of one owner can
 * never name another's. Only `uploads/` triggers the processor: derived objects go elsewhere, or the
 * processor would trigger itself forever.
 *
 *   uploads/<owner>/<id>/<filename>              what a presigned POST writes (an inbox: emptied once inspected)
 *   manifests/<owner>/<id>.json                  what the processor found
 *   clean/<owner>/<id>/<copy>/<filename>         the bytes the processor hashed, written by it alone: the
 *                                                only objects ever served
 *   quarantine/<owner>/<id>/<filename>           files that failed inspection
 *
 * `<owner>` is the owner's UTF-8 bytes in base64url: any claim value (slashes, dots, `..`, Unicode) becomes
 * one segment of [A-Za-z0-9_-], which can neither escape its prefix nor collide with another owner's.
 */
export const UPLOADS_PREFIX = 'uploads/';
export const MANIFESTS_PREFIX = 'manifests/';
export const QUARANTINE_PREFIX = 'quarantine/';
export const CLEAN_PREFIX = 'clean/';

const DOCUMENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** One document of one owner. */
export interface DocumentRef {
  owner: string;
  id: string;
}

/** True for ids we issue (lower-case UUIDs): anything else cannot name a document. */
export function isDocumentId(value: string): boolean {
  return DOCUMENT_ID.test(value);
}

/** The key segment of an owner (base64url of its UTF-8 bytes). */
export function ownerSegment(owner: string): string {
  return Buffer.from(owner, 'utf8').toString('base64url');
}

/** The owner a key segment names, or undefined unless it is the canonical segment of a non-empty owner. */
export function ownerOfSegment(segment: string): string | undefined {
  if (!BASE64URL.test(segment)) return undefined;
  const owner = Buffer.from(segment, 'base64url').toString('utf8');
  return owner.length > 0 && ownerSegment(owner) === segment ? owner : undefined;
}

/** `uploads/<owner>/<id>/` — the prefix of a document's pending upload. */
export function uploadPrefix(document: DocumentRef): string {
  return `${UPLOADS_PREFIX}${ownerSegment(document.owner)}/${document.id}/`;
}

/** `uploads/<owner>/<id>/<filename>` — the key a presigned POST writes to. */
export function uploadKey(document: DocumentRef, filename: string): string {
  return `${uploadPrefix(document)}${filename}`;
}

/** `manifests/<owner>/` — every manifest of one owner. */
export function ownerManifestsPrefix(owner: string): string {
  return `${MANIFESTS_PREFIX}${ownerSegment(owner)}/`;
}

/** `manifests/<owner>/<id>.json`. */
export function documentManifestKey(document: DocumentRef): string {
  return `${ownerManifestsPrefix(document.owner)}${document.id}.json`;
}

/** `quarantine/<owner>/<id>/<filename>` for an upload. */
export function quarantineKey(upload: DocumentRef & { filename: string }): string {
  return `${QUARANTINE_PREFIX}${ownerSegment(upload.owner)}/${upload.id}/${upload.filename}`;
}

/**
 * `clean/<owner>/<id>/<copy>/<filename>`: where the processor writes the very bytes it inspected in one
 * inspection run. `copy` is that run's own id (digested to one key segment), so two runs — two versions
 * posted with one form, or one event delivered twice — never write into each other's copy.
 */
export function cleanKey(upload: DocumentRef & { filename: string }, copyId: string): string {
  const copySegment = createHash('sha256').update(copyId).digest('base64url').slice(0, 22);
  return `${CLEAN_PREFIX}${ownerSegment(upload.owner)}/${upload.id}/${copySegment}/${upload.filename}`;
}

/**
 * Every key prefix that can hold an object of one document: its uploads, clean copies and quarantined
 * files (each `<kind>/<owner>/<id>/`), and its manifest key itself. Deleting the document empties these.
 */
export function documentPrefixes(document: DocumentRef): string[] {
  const scoped = (kind: string) => `${kind}${ownerSegment(document.owner)}/${document.id}/`;
  return [
    scoped(UPLOADS_PREFIX),
    scoped(CLEAN_PREFIX),
    scoped(QUARANTINE_PREFIX),
    documentManifestKey(document),
  ];
}

/** The owner, id and file name of an `uploads/<owner>/<id>/<filename>` key; undefined for any other key. */
export function parseUploadKey(key: string): (DocumentRef & { filename: string }) | undefined {
  if (!key.startsWith(UPLOADS_PREFIX)) return undefined;
  const [segment, id, filename, ...rest] = key.slice(UPLOADS_PREFIX.length).split('/');
  if (segment === undefined || id === undefined || filename === undefined || rest.length > 0)
    return undefined;
  const owner = ownerOfSegment(segment);
  if (owner === undefined || !isDocumentId(id) || filename.length === 0) return undefined;
  return { owner, id, filename };
}
