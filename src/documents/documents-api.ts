import { BadRequestError, NotFoundError, PayloadTooLargeError, ServiceUnavailableError } from '../errors';
import type { ObjectStorage } from '../aws/storage';
import {
  documentManifestKey,
  isDocumentId,
  MANIFESTS_PREFIX,
  uploadKey,
  UPLOADS_PREFIX,
} from './document-keys';
import { DocumentNotFoundError } from './errors';
import { normalizeFilename } from './filename';
import type { DocumentManifest } from './manifest';
import { checkUploadRequest, type UploadPolicy } from './upload-policy';

export interface DocumentsApiDependencies {
  storage: ObjectStorage;
  policy: UploadPolicy;
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

/** The documents use cases behind the HTTP routes, over the ObjectStorage port. */
export interface DocumentsApi {
  createUpload(request: UploadRequest): Promise<CreatedUpload>;
  listDocuments(page: {
    cursor?: string;
    limit: number;
  }): Promise<{ items: DocumentManifest[]; cursor?: string }>;
  getDocument(id: string): Promise<DocumentView>;
  deleteDocument(id: string): Promise<void>;
}

/**
 * Builds the documents use cases. Errors: BadRequestError (400) for an unusable file name, a type off the
 * allow-list or a bad size, PayloadTooLargeError (413) for a size over the limit, DocumentNotFoundError
 * (404) for an unknown id; storage failures propagate as IntegrationErrors (5xx, retry later).
 */
export function createDocumentsApi(deps: DocumentsApiDependencies): DocumentsApi {
  const { storage, policy } = deps;

  async function readManifest(id: string): Promise<DocumentManifest | undefined> {
    try {
      return JSON.parse(
        (await storage.getBytes(documentManifestKey(id))).toString('utf8'),
      ) as DocumentManifest;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async function pendingUploadKeys(id: string): Promise<string[]> {
    const page = await storage.list(`${UPLOADS_PREFIX}${id}/`, { limit: 10 });
    return page.items.map((item) => item.key);
  }

  return {
    /** A presigned POST to `uploads/<id>/<filename>` bound to the declared type and 1..size bytes. */
    async createUpload(request) {
      const filename = normalizeFilename(request.filename);
      if (!filename) throw new BadRequestError('filename has no usable characters');
      const check = checkUploadRequest(request, policy);
      if (!check.ok) {
        if (check.reason === 'TOO_LARGE') throw new PayloadTooLargeError(check.message);
        throw new BadRequestError(check.message);
      }
      const id = deps.newId();
      const key = uploadKey(id, filename);
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

    /** Manifests in id order, one page of up to `limit`; `cursor` continues. */
    async listDocuments({ cursor, limit }) {
      const page = await storage.list(MANIFESTS_PREFIX, { limit, ...(cursor ? { cursor } : {}) });
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
    async getDocument(id) {
      if (!isDocumentId(id)) throw new DocumentNotFoundError(id);
      const manifest = await readManifest(id);
      if (!manifest) {
        if ((await pendingUploadKeys(id)).length > 0) return { id, status: 'pending' };
        throw new DocumentNotFoundError(id);
      }
      if (manifest.status !== 'processed') return { ...manifest, download: null };
      const expiresAt = new Date(Date.now() + deps.downloadExpirySeconds * 1000);
      const url = await storage.urlFor(manifest.storedKey, { expiresIn: deps.downloadExpirySeconds });
      return { ...manifest, download: { url, expiresAt: expiresAt.toISOString() } };
    },

    /** Removes the stored file (upload or quarantine copy), any pending upload and the manifest. */
    async deleteDocument(id) {
      if (!isDocumentId(id)) throw new DocumentNotFoundError(id);
      const manifest = await readManifest(id);
      const keys = new Set(await pendingUploadKeys(id));
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
      if (manifest) await storage.delete(documentManifestKey(id));
    },
  };
}
