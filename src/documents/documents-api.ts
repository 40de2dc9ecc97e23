import { BadRequestError, NotFoundError, PayloadTooLargeError, ServiceUnavailableError } from '../errors';
import type { ObjectStorage } from '../aws/storage';
import {
  documentManifestKey,
  isDocumentId,
  ownerManifestsPrefix,
  uploadKey,
  uploadPrefix,
  type DocumentRef,
} from './document-keys';
import { DocumentNotFoundError } from './errors';
import { normalizeFilename } from './filename';
import type { DocumentManifest } from './manifest';
import type { UploadQuota } from './upload-quota';
import { checkUploadRequest, type UploadPolicy } from './upload-policy';

export interface DocumentsApiDependencies {
  storage: ObjectStorage;
  policy: UploadPolicy;
  quota: UploadQuota;
  downloadExpirySeconds: number;
  newId: () => string;
}

export interface UploadRequest {
  filename: string;
  contentType: string;
  size: number;
}

export interface CreatedUpload {
  id: string;
  key: string;
  upload: { url: string; fields: Record<string, string> };
  expiresAt: string;
}

export type DocumentView =
  | (DocumentManifest & { download: { url: string; expiresAt: string } | null })
  | { id: string; status: 'pending' };

/**
 * The documents use cases behind the HTTP routes, over the ObjectStorage port. Every call names its
 * `owner` (the caller's owner claim) and sees only that owner's documents: another owner's id is
 * answered exactly as an unknown one.
 */
export interface DocumentsApi {
  createUpload(owner: string, request: UploadRequest): Promise<CreatedUpload>;
  listDocuments(
    owner: string,
    page: { cursor?: string; limit: number },
  ): Promise<{ items: DocumentManifest[]; cursor?: string }>;
  getDocument(owner: string, id: string): Promise<DocumentView>;
  deleteDocument(owner: string, id: string): Promise<void>;
}

/**
 * Builds the documents use cases. Errors: BadRequestError (400) for an unusable file name, a type off the
 * allow-list or a bad size, PayloadTooLargeError (413) for a size over the limit, QuotaExceededError (429)
 * when the owner's daily quota is used up, DocumentNotFoundError (404) for an id the owner does not have;
 * storage failures propagate as IntegrationErrors (5xx, retry later).
 */
export function createDocumentsApi(deps: DocumentsApiDependencies): DocumentsApi {
  const { storage, policy } = deps;

  async function readManifest(document: DocumentRef): Promise<DocumentManifest | undefined> {
    try {
      return JSON.parse(
        (await storage.getBytes(documentManifestKey(document))).toString('utf8'),
      ) as DocumentManifest;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async function pendingUploadKeys(document: DocumentRef): Promise<string[]> {
    const page = await storage.list(uploadPrefix(document), { limit: 10 });
    return page.items.map((item) => item.key);
  }

  return {
    /**
     * A presigned POST to `uploads/<owner>/<id>/<filename>` bound to the declared type and 1..size bytes,
     * counted against the owner's daily quota once the request itself is valid.
     */
    async createUpload(owner, request) {
      const filename = normalizeFilename(request.filename);
      if (!filename) throw new BadRequestError('filename has no usable characters');
      const check = checkUploadRequest(request, policy);
      if (!check.ok) {
        if (check.reason === 'TOO_LARGE') throw new PayloadTooLargeError(check.message);
        throw new BadRequestError(check.message);
      }
      // Counted before anything is signed: a refused request never holds a usable form.
      await deps.quota.reserve(owner, request.size);
      const id = deps.newId();
      const key = uploadKey({ owner, id }, filename);
      const post = await storage.presignPost({
        key,
        contentType: check.contentType,
        minSize: 1,
        maxSize: request.size,
        expiresIn: policy.expirySeconds,
      });
      return {
        id,
        key,
        upload: { url: post.url, fields: post.fields },
        expiresAt: post.expiresAt.toISOString(),
      };
    },

    /**
     * The owner's manifests in id order, one page of up to `limit`; `cursor` continues. Reads the owner's
     * prefix only: other owners' objects are never read, so never filtered out after the fact.
     */
    async listDocuments(owner, { cursor, limit }) {
      const page = await storage.list(ownerManifestsPrefix(owner), {
        limit,
        ...(cursor ? { cursor } : {}),
      });
      const manifests = await Promise.all(
        page.items.map(
          async (item) => JSON.parse((await storage.getBytes(item.key)).toString('utf8')) as DocumentManifest,
        ),
      );
      return { items: manifests, ...(page.cursor ? { cursor: page.cursor } : {}) };
    },

    /**
     * The manifest with a short-lived download URL (none for quarantined files: they are not served),
     * `{status: 'pending'}` while an upload awaits processing, 404 otherwise.
     */
    async getDocument(owner, id) {
      if (!isDocumentId(id)) throw new DocumentNotFoundError(id);
      const document = { owner, id };
      const manifest = await readManifest(document);
      if (!manifest) {
        if ((await pendingUploadKeys(document)).length > 0) return { id, status: 'pending' };
        throw new DocumentNotFoundError(id);
      }
      if (manifest.status !== 'processed') return { ...manifest, download: null };
      const expiresAt = new Date(Date.now() + deps.downloadExpirySeconds * 1000);
      const url = await storage.urlFor(manifest.storedKey, { expiresIn: deps.downloadExpirySeconds });
      return { ...manifest, download: { url, expiresAt: expiresAt.toISOString() } };
    },

    /** Removes the stored file (upload or quarantine copy), any pending upload and the manifest. */
    async deleteDocument(owner, id) {
      if (!isDocumentId(id)) throw new DocumentNotFoundError(id);
      const document = { owner, id };
      const manifest = await readManifest(document);
      const keys = new Set(await pendingUploadKeys(document));
      if (manifest) {
        keys.add(manifest.storedKey);
        keys.add(manifest.uploadKey);
      }
      if (!manifest && keys.size === 0) throw new DocumentNotFoundError(id);
      // The file first, the manifest last: a failure half-way leaves the document findable, to retry.
      const { errors } = await storage.deleteMany([...keys]);
      if (errors.length > 0) {
        throw new ServiceUnavailableError(`Could not delete ${errors.length} object(s) of the document`, {
          service: 'S3',
          operation: 'DeleteObjects',
        });
      }
      if (manifest) await storage.delete(documentManifestKey(document));
    },
  };
}
