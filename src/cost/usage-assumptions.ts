/**
 * What the cost model assumes about the stack's calls and AWS's metering, where neither serverless.yml nor
 * a benchmark can say. Each value names where it comes from; docs/cost.md (generated) lists them all.
 */

/** A month, as the estimate counts it. */
export const SECONDS_PER_MONTH = 30 * 24 * 60 * 60;

/** SQS bills each 64 KB chunk of a request's payload as one request. */
export const SQS_CHUNK_BYTES = 64 * 1024;

/**
 * An idle SQS event source mapping keeps long-polling: AWS starts with 5 pollers per queue, each a 20 s
 * ReceiveMessage (Lambda's documented SQS scaling), whatever the traffic. Counted in full, as an upper bound.
 */
export const IDLE_POLLERS_PER_QUEUE = 5;
export const LONG_POLL_SECONDS = 20;

/** Attempts per webhook delivery (1: it succeeds the first time); each writes its delivery-history record. */
export const ATTEMPTS_PER_WEBHOOK = 1;

/**
 * DynamoDB writes per delivery: Powertools idempotency writes its record in progress (conditional PutItem)
 * then completed (UpdateItem) — src/webhooks/idempotency.ts; the delivery history writes once when the
 * receiver queues it and once per worker attempt (src/webhooks/history/delivery-history.ts). Each item is
 * assumed under 1 KB (one write request unit).
 */
export const IDEMPOTENCY_WRITES_PER_WEBHOOK = 2;
export const HISTORY_WRITES_PER_WEBHOOK = 1 + ATTEMPTS_PER_WEBHOOK;

/** Upload quotas: one conditional UpdateItem per upload form issued (src/documents/upload-quota.ts). */
export const QUOTA_WRITES_PER_DOCUMENT = 1;

/** HTTP requests per document: create the presigned POST, then read the manifest back (documents-api). */
export const API_CALLS_PER_DOCUMENT = 2;

/**
 * S3 requests per document (src/documents/document-processor.ts, happy path, malware scanning off):
 * PUT-class: the browser's POST, the clean copy (multipart above the part size), the manifest, the copy's
 * status tags; GET-class: the processor's manifest check and its read of the upload, the API's manifest
 * read. Deleting the upload is free. No ranged reads (PDFs with an unreadable trailer add some).
 */
export const S3_PUTS_PER_DOCUMENT_BESIDES_COPY = 3;
export const S3_GETS_PER_DOCUMENT = 3;
/** S3ObjectStorage's default multipart part size (src/aws/storage/s3-object-storage.ts), in MB. */
export const S3_MULTIPART_PART_MB = 8;

/**
 * CloudWatch Logs: Lambda's START, END and REPORT lines (with the X-Ray segment line) per invocation, and
 * the application's INFO lines: 2 per webhook (the sample downstream's log line and its stdout line),
 * 1 per document (`Document inspected`). Sizes are typical of those lines, not measured.
 */
export const PLATFORM_LOG_BYTES_PER_INVOCATION = 350;
export const APP_LOG_LINE_BYTES = 500;
export const APP_LOG_LINES_PER_WEBHOOK = 2;
export const APP_LOG_LINES_PER_DOCUMENT = 1;

/** X-Ray's default sampling rule: the first request each second, then 5 % of the rest. */
export const XRAY_RESERVOIR_PER_SECOND = 1;
export const XRAY_FIXED_RATE = 0.05;
