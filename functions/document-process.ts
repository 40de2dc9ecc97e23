import { sqsFailureDestination } from '../src/aws/async-failure-destination';
import { getS3Client, getSqsClient } from '../src/aws/clients';
import { S3ObjectStorage } from '../src/aws/storage';
import { loadConfig } from '../src/config';
import { createDocumentProcessor } from '../src/documents/document-processor';
import { taggedScanStatus } from '../src/documents/malware-scan/scan-result';
import { sqsDocumentEventPublisher } from '../src/documents/processed-event';
import { loadDocumentSettings } from '../src/documents/settings';
import { s3EventHandler } from '../src/middleware/s3';

// At module scope: a misconfigured deployment fails at init, naming every bad variable.
const config = loadConfig([
  'DOCUMENTS_BUCKET',
  'DOCUMENTS_QUEUE_URL',
  'DOCUMENTS_MALWARE_SCANNING',
  'DOCUMENT_PROCESS_FAILURES_QUEUE_URL',
]);
const storage = new S3ObjectStorage({ bucket: config.DOCUMENTS_BUCKET, client: getS3Client() });
const processDocument = createDocumentProcessor({
  storage,
  publish: sqsDocumentEventPublisher(getSqsClient(), config.DOCUMENTS_QUEUE_URL),
  policy: loadDocumentSettings().policy,
  ...(config.DOCUMENTS_MALWARE_SCANNING ? { scanStatus: taggedScanStatus(storage) } : {}),
});

/** S3 ObjectCreated on uploads/: inspect, manifest, tag or quarantine, publish (src/documents/document-processor.ts). */
export const handler = s3EventHandler(
  async (object) => {
    await processDocument(object);
  },
  { failureDestination: sqsFailureDestination(getSqsClient(), config.DOCUMENT_PROCESS_FAILURES_QUEUE_URL) },
);
