import { BadRequestError, NotFoundError, PayloadTooLargeError, ServiceUnavailableError } from '../errors';
import type { DownloadUrls, ObjectStorage, UploadForms } from '../aws/storage';
import {
  documentManifestKey,
  documentPrefixes,
  isDocumentId,
  ownerManifestsPrefix,
  uploadKey,
  uploadPrefix,
  type DocumentRef,
} from './document-keys';
import { downloadHeaders } from './download-headers';
import { DocumentNotFoundError, UploadRefusedError } from './errors';
import { normalizeFilename } from './filename';
import type { DocumentManifest } from './manifest';
import type { UploadQuota } from './upload-quota';
import { checkUploadRequest, type UploadPolicy } from './upload-policy';

export interface DocumentsApiDependencies {
  /** Manifests are read and listed here, and a deleted document's objects erased. */
  storage: Pick<ObjectStorage, 'getBytes' | 'list' | 'deleteEveryVersion'>;
  /** Signs the upload form of a new document. */
  uploads: UploadForms;
  /** Gives the download URL of a processed document. */
  downloads: DownloadUrls;
  policy: UploadPolicy;
  quota: UploadQuota;
  downloadExpirySeconds: number;
  /** Detected types whose downloads open inline (DOCUMENTS_INLINE_TYPES); the rest are attachments. */
  inlineTypes?: readonly string[];
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
 * The documents use cases behind the HTTP routes, over the storage ports. Every call names its
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
 * allow-list or a bad size, UploadRefusedError EXTENSION_NOT_ALLOWED (400) for a file name whose extension
 * is off the extension allow-list or cannot hold the declared type, PayloadTooLargeError (413) for a size over the limit, QuotaExceededError (429)
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
      const check = checkUploadRequest({ ...request, filename }, policy);
      if (!check.ok) {
        if (check.reason === 'TOO_LARGE') throw new PayloadTooLargeError(check.message);
        if (check.reason === 'EXTENSION_NOT_ALLOWED')
          throw new UploadRefusedError(check.reason, check.message);
        throw new BadRequestError(check.message);
      }
      // Counted before anything is signed: a refused request never holds a usable form.
      await deps.quota.reserve(owner, request.size);
      const id = deps.newId();
      const key = uploadKey({ owner, id }, filename);
      const post = await deps.uploads.presignPost({
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
     * `{status: 'pending'}` while an upload awaits processing, 404 otherwise. The URL reads the clean copy
     * the processor wrote from the bytes it inspected (`storedKey`, under `clean/`), never the upload, and
     * makes S3 answer with the detected type and `attachment` (or `inline` for DOCUMENTS_INLINE_TYPES).
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
      const headers = downloadHeaders(manifest, deps.inlineTypes ?? []);
      const url = await deps.downloads.urlFor(manifest.storedKey, {
        expiresIn: deps.downloadExpirySeconds,
        responseContentDisposition: headers.contentDisposition,
        responseContentType: headers.contentType,
      });
      return { ...manifest, download: { url, expiresAt: expiresAt.toISOString() } };
    },

    /**
     * Erases the document: every version of every object under its upload, clean-copy and quarantine
     * prefixes (the stored file, refused later versions, a copy a crash left behind), then its manifest the
     * same way. Objects first, manifest last: a failure half-way leaves the document findable, to retry.
     */
    async deleteDocument(owner, id) {
      if (!isDocumentId(id)) throw new DocumentNotFoundError(id);
      const document = { owner, id };
      const manifest = await readManifest(document);
      if (!manifest && (await pendingUploadKeys(document)).length === 0) throw new DocumentNotFoundError(id);
      const prefixes = documentPrefixes(document);
      const manifestKey = documentManifestKey(document);
      const objectPrefixes = prefixes.filter((prefix) => prefix !== manifestKey);
      const results = await Promise.all(objectPrefixes.map((prefix) => storage.deleteEveryVersion(prefix)));
      const failures = results.reduce((count, result) => count + result.errors.length, 0);
      if (failures === 0) {
        const { errors } = await storage.deleteEveryVersion(manifestKey);
        if (errors.length === 0) return;
      }
      throw new ServiceUnavailableError(`Could not erase every object of the document; try again`, {
        service: 'S3',
        operation: 'DeleteObjects',
      });
    },
  };
}
