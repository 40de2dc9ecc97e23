import type { ObjectStorage } from '../../aws/storage/object-storage';
import { NotFoundError } from '../../errors';
import { MANIFESTS_PREFIX, ownerManifestsPrefix, ownerOfSegment } from '../../documents/document-keys';
import type { DocumentManifest } from '../../documents/manifest';
import type { DocumentsAnswer } from '../api-types';

export interface DocumentsQuery {
  /** One owner's manifests only (its own key prefix); every owner's otherwise. */
  readonly owner?: string;
  /** Only manifests with this status (processed, quarantined, scanning, infected). */
  readonly status?: string;
  /** Manifests read for this page (1–100). */
  readonly limit: number;
  readonly cursor?: string;
}

type DocumentItem = DocumentsAnswer['items'][number];

/**
 * One page of document manifests (`manifests/<owner>/<id>.json`), every owner's or one owner's: one S3 list of
 * `limit` keys, then one GET per manifest, in parallel. The status filter applies to the manifests read, so a
 * filtered page may hold fewer than `limit` items (even none) and still have a cursor: follow it. Uploads not
 * processed yet have no manifest and are not listed. A manifest that is not JSON is listed as `unreadable`.
 */
export async function listDocumentManifests(
  storage: Pick<ObjectStorage, 'list' | 'getBytes'>,
  query: DocumentsQuery,
): Promise<DocumentsAnswer> {
  const prefix = query.owner === undefined ? MANIFESTS_PREFIX : ownerManifestsPrefix(query.owner);
  const page = await storage.list(prefix, {
    limit: query.limit,
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
  });
  const items = await Promise.all(page.items.map((item) => documentItem(storage, item.key)));
  return {
    items: items.filter(
      (item): item is DocumentItem =>
        item !== undefined && (query.status === undefined || item.status === query.status),
    ),
    ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
  };
}

async function documentItem(
  storage: Pick<ObjectStorage, 'getBytes'>,
  key: string,
): Promise<DocumentItem | undefined> {
  const [segment = '', file = ''] = key.slice(MANIFESTS_PREFIX.length).split('/');
  const id = file.replace(/\.json$/, '');
  let text: string;
  try {
    text = (await storage.getBytes(key)).toString('utf8');
  } catch (error) {
    // Deleted between the list and the read: no longer a document.
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
  let manifest: Partial<DocumentManifest>;
  try {
    manifest = JSON.parse(text) as Partial<DocumentManifest>;
  } catch {
    return { id, owner: ownerOfSegment(segment) ?? segment, status: 'unreadable', manifest: null };
  }
  return {
    id: manifest.id ?? id,
    owner: manifest.owner ?? ownerOfSegment(segment) ?? segment,
    status: manifest.status ?? 'unknown',
    ...(manifest.filename === undefined ? {} : { filename: manifest.filename }),
    ...(manifest.detectedType?.mime === undefined ? {} : { type: manifest.detectedType.mime }),
    ...(manifest.size === undefined ? {} : { size: manifest.size }),
    ...(manifest.uploadedAt === undefined ? {} : { createdAt: manifest.uploadedAt }),
    ...(manifest.reason ? { quarantineReason: `${manifest.reason.code}: ${manifest.reason.message}` } : {}),
    manifest,
  };
}
