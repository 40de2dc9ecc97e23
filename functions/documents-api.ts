import { randomUUID } from 'node:crypto';
import { getS3Client } from '../src/aws/clients';
import { S3ObjectStorage } from '../src/aws/storage';
import { loadConfig } from '../src/config';
import { createDocumentsApi } from '../src/documents/documents-api';
import { createDocumentsHttpHandler } from '../src/documents/documents-http';
import { loadDocumentSettings } from '../src/documents/settings';

// At module scope: a misconfigured deployment fails at init, naming every bad variable.
const config = loadConfig(['DOCUMENTS_BUCKET']);
const settings = loadDocumentSettings();

/** POST/GET /documents, GET/DELETE /documents/{id} (see src/documents/documents-api.ts). */
export const handler = createDocumentsHttpHandler(
  createDocumentsApi({
    storage: new S3ObjectStorage({ bucket: config.DOCUMENTS_BUCKET, client: getS3Client() }),
    policy: settings.policy,
    downloadExpirySeconds: settings.downloadExpirySeconds,
    newId: randomUUID,
  }),
);
