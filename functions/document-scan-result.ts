import { getS3Client, getSqsClient } from '../src/aws/clients';
import { sqsDeadLetterQueue } from '../src/aws/sqs-dead-letter';
import { S3ObjectStorage } from '../src/aws/storage';
import { loadConfig } from '../src/config';
import { createDocumentProcessor } from '../src/documents/document-processor';
import { parseScanResultEvent, taggedScanStatus } from '../src/documents/malware-scan/scan-result';
import { sqsDocumentEventPublisher } from '../src/documents/processed-event';
import { loadDocumentSettings } from '../src/documents/settings';
import { sqsBatchHandler } from '../src/middleware/sqs';

// At module scope: a misconfigured deployment fails at init, naming every bad variable.
const config = loadConfig(['DOCUMENTS_BUCKET', 'DOCUMENTS_QUEUE_URL', 'SCAN_RESULTS_DLQ_URL']);
const storage = new S3ObjectStorage({ bucket: config.DOCUMENTS_BUCKET, client: getS3Client() });
const processor = createDocumentProcessor({
  storage,
  publish: sqsDocumentEventPublisher(getSqsClient(), config.DOCUMENTS_QUEUE_URL),
  policy: loadDocumentSettings().policy,
  scanStatus: taggedScanStatus(storage),
});

/**
 * SQS consumer of the scan results queue (EventBridge "GuardDuty Malware Protection Object Scan Result"
 * events): moves each `scanning` document to processed, infected or quarantined
 * (src/documents/document-processor.ts, recordScanResult). A malformed event goes to the DLQ at once.
 */
export const handler = sqsBatchHandler(
  async (record) => {
    const result = parseScanResultEvent(record.body);
    if (result.bucket !== config.DOCUMENTS_BUCKET) return { outcome: 'skipped', reason: 'another bucket' };
    return processor.recordScanResult(result);
  },
  { deadLetter: sqsDeadLetterQueue(getSqsClient(), config.SCAN_RESULTS_DLQ_URL) },
);
