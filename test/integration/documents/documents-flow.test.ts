/**
 * The documents flow over real sockets: s3rver behind the presigned-POST proxy, fauxqs for the
 * documents queue. The API handler issues an upload, the test uploads exactly as a browser does
 * (multipart form), s3rver's notification is turned into the AWS S3 event the processor receives, and the
 * API then serves the manifest.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, Context, S3Event } from 'aws-lambda';
import { S3ObjectStorage } from '../../../src/aws/storage';
import { createDocumentProcessor } from '../../../src/documents/document-processor';
import { createDocumentsApi } from '../../../src/documents/documents-api';
import { createDocumentsHttpHandler } from '../../../src/documents/documents-http';
import { sqsDocumentEventPublisher } from '../../../src/documents/processed-event';
import { uploadPolicy } from '../../../src/documents/upload-policy';
import { startEmulator, type RunningEmulator } from '../../../src/local/emulator-process';
import { buildS3Event, changeFromS3rverEvent } from '../../../src/local/s3-event';
import { startS3PostPolicyProxy, type RunningS3PostPolicyProxy } from '../../../src/local/s3-post-policy';
import { s3EventHandler } from '../../../src/middleware/s3';
import createTemplate from '../../../events/document-create.json';
import getTemplate from '../../../events/document-get.json';
import listTemplate from '../../../events/document-list.json';
import deleteTemplate from '../../../events/document-delete.json';
import { makePdf, makePng } from '../../unit/documents/document-fixtures';
import { createHash } from 'node:crypto';

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const bucket = 'intake-test-documents';
const context = { awsRequestId: 'integration', functionName: 'documents-api' } as Context;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let s3: RunningEmulator;
let sqs: RunningEmulator;
let proxy: RunningS3PostPolicyProxy;
let s3Client: S3Client;
let sqsClient: SQSClient;
let queueUrl: string;
let http: ReturnType<typeof createDocumentsHttpHandler>;
/** Resolves when the processor has handled the notification for `key`. */
const processed = new Map<string, { promise: Promise<void>; resolve: () => void }>();
const processing: Promise<unknown>[] = [];

function whenProcessed(key: string): Promise<void> {
  if (!processed.has(key)) {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    processed.set(key, { promise, resolve });
  }
  return processed.get(key)!.promise;
}

beforeAll(async () => {
  let onEvent: (event: S3Event) => void = () => undefined;
  s3 = await startEmulator('s3', {
    port: 0,
    onS3Event: (message) => {
      const change = changeFromS3rverEvent(message);
      if (change) onEvent(buildS3Event(change, 'us-east-1', 'document-process'));
    },
  });
  sqs = await startEmulator('sqs', { port: 0 });
  proxy = await startS3PostPolicyProxy({ listenPort: 0, targetEndpoint: s3.endpoint, credentials });
  const s3Options = {
    region: 'us-east-1',
    endpoint: proxy.endpoint,
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  } as const;
  s3Client = new S3Client(s3Options);
  sqsClient = new SQSClient({
    region: 'us-east-1',
    endpoint: sqs.endpoint,
    credentials,
    useQueueUrlAsEndpoint: false,
  });
  await s3Client.send(new CreateBucketCommand({ Bucket: bucket }));
  queueUrl = (await sqsClient.send(new CreateQueueCommand({ QueueName: 'documents' }))).QueueUrl!;

  const storage = new S3ObjectStorage({ bucket, client: s3Client });
  const policy = uploadPolicy({ maxBytes: 1024 * 1024 });
  http = createDocumentsHttpHandler(
    createDocumentsApi({ storage, policy, downloadExpirySeconds: 60, newId: () => crypto.randomUUID() }),
  );
  const processor = createDocumentProcessor({
    storage,
    publish: sqsDocumentEventPublisher(sqsClient, queueUrl),
    policy,
  });
  const handler = s3EventHandler(async (object) => {
    await processor(object);
    whenProcessed(object.key);
    processed.get(object.key)!.resolve();
  });
  onEvent = (event) => processing.push(handler(event, context));
}, 30_000);

afterAll(async () => {
  await Promise.allSettled(processing);
  s3Client?.destroy();
  sqsClient?.destroy();
  await proxy?.stop();
  await Promise.all([s3?.stop(), sqs?.stop()]);
});

function event(template: unknown, changes: Partial<APIGatewayProxyEventV2>): APIGatewayProxyEventV2 {
  return { ...(structuredClone(template) as APIGatewayProxyEventV2), ...changes };
}

// Response bodies are read field by field in the assertions; a loose type keeps them short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

async function call(request: APIGatewayProxyEventV2) {
  const response = await http(request, context);
  return {
    status: response.statusCode,
    body: response.body ? (JSON.parse(response.body) as Json) : undefined,
  };
}

const createUpload = (filename: string, contentType: string, size: number) =>
  call(event(createTemplate, { body: JSON.stringify({ filename, contentType, size }) }));

const getDocument = (id: string) =>
  call(event(getTemplate, { rawPath: `/documents/${id}`, pathParameters: { id } }));

async function uploadAsBrowser(
  upload: { url: string; fields: Record<string, string> },
  bytes: Buffer,
  filename: string,
) {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', new Blob([new Uint8Array(bytes)]), filename);
  const response = await fetch(upload.url, { method: 'POST', body: form });
  return { status: response.status, body: await response.text() };
}

describe('documents over the local S3 and SQS', () => {
  it('upload → manifest → GET shows processed with the right SHA-256 and a working download URL', async () => {
    const bytes = makePdf(4);
    const created = await createUpload('Quarterly report.pdf', 'application/pdf', bytes.length);
    expect(created.status).toBe(201);
    const { id, key, upload, expiresAt } = created.body!;
    expect(key).toBe(`uploads/${id}/Quarterly report.pdf`);
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now());

    const done = whenProcessed(key);
    expect((await uploadAsBrowser(upload, bytes, 'Quarterly report.pdf')).status).toBe(204);
    await done;

    const document = await getDocument(id);
    expect(document.status).toBe(200);
    expect(document.body).toMatchObject({
      id,
      status: 'processed',
      sha256: sha256(bytes),
      size: bytes.length,
      detectedType: { mime: 'application/pdf' },
      metadata: { pages: 4 },
    });
    const download = await fetch(document.body!.download.url);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);

    const messages = await sqsClient.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    const events = (messages.Messages ?? []).map((message) => JSON.parse(message.Body!));
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'document.processed', id, status: 'processed' }),
    );

    const list = await call(event(listTemplate, { queryStringParameters: { limit: '100' } }));
    expect(list.body!.items.map((item: { id: string }) => item.id)).toContain(id);
  });

  it('refuses, at S3 itself, an upload larger than the size declared to the API', async () => {
    const created = await createUpload('small.pdf', 'application/pdf', 100);
    const result = await uploadAsBrowser(created.body!.upload, makePdf(1, { padding: 500 }), 'small.pdf');
    expect(result.status).toBe(400);
    expect(result.body).toContain('EntityTooLarge');
    expect((await getDocument(created.body!.id)).status).toBe(404);
  });

  it('quarantines a file whose content is not what was declared, and offers no download for it', async () => {
    const bytes = makePng(3, 3);
    const created = await createUpload('invoice.pdf', 'application/pdf', bytes.length);
    const done = whenProcessed(created.body!.key);
    expect((await uploadAsBrowser(created.body!.upload, bytes, 'invoice.pdf')).status).toBe(204);
    await done;
    const document = await getDocument(created.body!.id);
    expect(document.body).toMatchObject({
      status: 'quarantined',
      reason: { code: 'TYPE_MISMATCH' },
      storedKey: `quarantine/${created.body!.id}/invoice.pdf`,
      download: null,
    });
  });

  it('answers pending between upload and processing, and deletes a document with its files', async () => {
    const created = await createUpload('notes.txt', 'text/plain', 5);
    const id = created.body!.id as string;
    expect((await getDocument(id)).status).toBe(404);
    const done = whenProcessed(created.body!.key);
    await uploadAsBrowser(created.body!.upload, Buffer.from('hello'), 'notes.txt');
    const early = await getDocument(id);
    expect([{ id, status: 'pending' }, expect.objectContaining({ status: 'processed' })]).toContainEqual(
      early.body,
    );
    await done;
    const removed = await call(
      event(deleteTemplate, { rawPath: `/documents/${id}`, pathParameters: { id } }),
    );
    expect(removed.status).toBe(204);
    expect((await getDocument(id)).status).toBe(404);
    const again = await call(event(deleteTemplate, { rawPath: `/documents/${id}`, pathParameters: { id } }));
    expect(again.status).toBe(404);
  });
});
