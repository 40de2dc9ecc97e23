import { randomUUID } from 'node:crypto';
import { getDynamoDbClient, getS3Client } from '../src/aws/clients';
import { S3DownloadUrls, S3ObjectStorage, S3UploadForms } from '../src/aws/storage';
import { loadConfig } from '../src/config';
import { createDocumentsApi } from '../src/documents/documents-api';
import { createDocumentsHttpHandler } from '../src/documents/documents-http';
import { loadDocumentSettings } from '../src/documents/settings';
import { dynamoDbUploadQuota } from '../src/documents/upload-quota';

// At module scope: a misconfigured deployment fails at init, naming every bad variable.
const config = loadConfig([
  'DOCUMENTS_BUCKET',
  'QUOTAS_TABLE',
  'DOCUMENTS_OWNER_CLAIM',
  'DOCUMENTS_QUOTA_UPLOADS_PER_DAY',
  'DOCUMENTS_QUOTA_BYTES_PER_DAY',
]);
const settings = loadDocumentSettings();

/** POST/GET /documents, GET/DELETE /documents/{id} (see src/documents/documents-api.ts). */
export const handler = createDocumentsHttpHandler(
  createDocumentsApi({
    storage: new S3ObjectStorage({ bucket: config.DOCUMENTS_BUCKET, client: getS3Client() }),
    uploads: new S3UploadForms({ bucket: config.DOCUMENTS_BUCKET, client: getS3Client() }),
    downloads: new S3DownloadUrls({ bucket: config.DOCUMENTS_BUCKET, client: getS3Client() }),
    policy: settings.policy,
    quota: dynamoDbUploadQuota({
      client: getDynamoDbClient(),
      tableName: config.QUOTAS_TABLE,
      limits: {
        uploadsPerDay: config.DOCUMENTS_QUOTA_UPLOADS_PER_DAY,
        bytesPerDay: config.DOCUMENTS_QUOTA_BYTES_PER_DAY,
      },
    }),
    downloadExpirySeconds: settings.downloadExpirySeconds,
    inlineTypes: settings.inlineTypes,
    newId: randomUUID,
  }),
  { ownerClaim: config.DOCUMENTS_OWNER_CLAIM },
);
