/**
 * The documents flow over real sockets (the emulator harness): s3rver behind the local stack's SigV4 and presigned-POST proxy, fauxqs for the
 * documents queue, dynalite for the upload quota. The API handler issues an upload, the test uploads exactly as a browser does
 * (multipart form), s3rver's notification is turned into the AWS S3 event the processor receives, and the
 * API then serves the manifest.
 */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, Context, S3Event } from 'aws-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../../src/aws/clients';
import { S3DownloadUrls, S3ObjectStorage, S3UploadForms } from '../../../src/aws/storage';
import { createDocumentProcessor, type ProcessingOutcome } from '../../../src/documents/document-processor';
import { createDocumentsApi } from '../../../src/documents/documents-api';
import { createDocumentsHttpHandler } from '../../../src/documents/documents-http';
import { sqsDocumentEventPublisher } from '../../../src/documents/processed-event';
import { uploadPolicy } from '../../../src/documents/upload-policy';
import { dynamoDbUploadQuota, type UploadQuotaLimits } from '../../../src/documents/upload-quota';
import { buildS3Event, changeFromS3rverEvent } from '../../../plugins/local-stack/s3-event';
import { s3EventHandler } from '../../../src/middleware/s3';
import createTemplate from '../../../events/document-create.json';
import getTemplate from '../../../events/document-get.json';
import listTemplate from '../../../events/document-list.json';
import deleteTemplate from '../../../events/document-delete.json';
import { makePdf, makePng } from '../../unit/documents/document-fixtures';
import { createHash } from 'node:crypto';
import { idKeyedTable, startEmulators, type Emulators } from '../../helpers/emulators';

const bucket = 'intake-test-documents';
const context = { awsRequestId: 'integration', functionName: 'documents-api' } as Context;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let aws: Emulators;
let storage: S3ObjectStorage;
let shippedS3: S3Client;
const quotasTable = 'intake-test-quotas';
let queueUrl: string;
let http: ReturnType<typeof createDocumentsHttpHandler>;
/** Resolves when the processor has handled the notification for `key`. */
const processed = new Map<string, { promise: Promise<void>; resolve: () => void }>();
const processing: Promise<unknown>[] = [];
/** Every outcome of the processor for an upload (skipped events — other keys, deletions — left out), in order. */
const outcomes: { key: string; outcome: ProcessingOutcome }[] = [];
const policy = uploadPolicy({ maxBytes: 1024 * 1024 });

/** The documents-api routes over the emulators, with a quota of `limits` in dynalite. */
function documentsHttp(limits: UploadQuotaLimits, ownerClaim = 'sub') {
  const quota = dynamoDbUploadQuota({ client: aws.dynamodb, tableName: quotasTable, limits });
  return createDocumentsHttpHandler(
    createDocumentsApi({
      storage,
      uploads: new S3UploadForms({ bucket, client: shippedS3 }),
      downloads: new S3DownloadUrls({ bucket, client: shippedS3 }),
      policy,
      quota,
      downloadExpirySeconds: 60,
      newId: () => crypto.randomUUID(),
    }),
    { ownerClaim },
  );
}

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
  aws = await startEmulators({
    onS3Event: (message) => {
      const change = changeFromS3rverEvent(message);
      if (change) onEvent(buildS3Event(change, aws.region, 'document-process'));
    },
  });
  await aws.provision({
    DocumentsBucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: bucket } },
    DocumentsQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'documents' } },
    UploadQuotaTable: idKeyedTable(quotasTable),
  });
  queueUrl = aws.queue('DocumentsQueue').url;

  // The shipped factory's client (SDK default checksums and addressing), as the functions build it.
  shippedS3 = createS3Client({ credentials: aws.credentials }, aws.env);
  storage = new S3ObjectStorage({ bucket, client: shippedS3 });
  http = documentsHttp({ uploadsPerDay: 1000, bytesPerDay: 1024 ** 3 });
  const processor = createDocumentProcessor({
    storage,
    publish: sqsDocumentEventPublisher(aws.sqs, queueUrl),
    policy,
  });
  const handler = s3EventHandler(
    async (object) => {
      const outcome = await processor(object);
      if (outcome.outcome !== 'skipped') outcomes.push({ key: object.key, outcome });
      whenProcessed(object.key);
      processed.get(object.key)!.resolve();
    },
    {
      failureDestination: async () => {
        throw new Error('no upload of this flow is meant for the failure destination');
      },
    },
  );
  onEvent = (event) => processing.push(handler(event, context));
}, 30_000);

afterAll(async () => {
  await Promise.allSettled(processing);
  shippedS3?.destroy();
  await aws?.stop();
});

const ALICE = Buffer.from('alice').toString('base64url');
const READ_WRITE = 'documents/read documents/write';

/** The sample event (alice's token, as the JWT authorizer passes it) with `changes`. */
function event(template: unknown, changes: Partial<APIGatewayProxyEventV2>): APIGatewayProxyEventV2 {
  return { ...(structuredClone(template) as APIGatewayProxyEventV2), ...changes };
}

/** The same event for a token of other `claims`. */
function as(claims: Record<string, unknown>, request: APIGatewayProxyEventV2): APIGatewayProxyEventV2 {
  (request.requestContext as unknown as { authorizer: unknown }).authorizer = { jwt: { claims, scopes: [] } };
  return request;
}

// Response bodies are read field by field in the assertions; a loose type keeps them short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

async function call(request: APIGatewayProxyEventV2, handler = http) {
  const response = await handler(request, context);
  return {
    status: response.statusCode,
    headers: response.headers,
    body: response.body ? (JSON.parse(response.body) as Json) : undefined,
  };
}

const createUpload = (filename: string, contentType: string, size: number) =>
  call(event(createTemplate, { body: JSON.stringify({ filename, contentType, size }) }));

const getEvent = (id: string) => event(getTemplate, { rawPath: `/documents/${id}`, pathParameters: { id } });
const getDocument = (id: string) => call(getEvent(id));
const deleteEvent = (id: string) =>
  event(deleteTemplate, { rawPath: `/documents/${id}`, pathParameters: { id } });

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

/** Resolves with the `count`-th outcome for `key`, polling (the same key is processed more than once). */
async function nthOutcome(key: string, count: number, timeoutMs = 10_000): Promise<ProcessingOutcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const forKey = outcomes.filter((entry) => entry.key === key);
    if (forKey.length >= count) return forKey[count - 1]!.outcome;
    if (Date.now() > deadline) throw new Error(`${key} was processed ${forKey.length} time(s), not ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every key under `prefix` in the bucket. */
async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of storage.listAll(prefix)) keys.push(item.key);
  return keys;
}

describe('documents over the local S3 and SQS', () => {
  it('upload → manifest → GET shows processed with the right SHA-256 and a working download URL', async () => {
    const bytes = makePdf(4);
    const created = await createUpload('Quarterly report.pdf', 'application/pdf', bytes.length);
    expect(created.status).toBe(201);
    const { id, key, upload, expiresAt } = created.body!;
    expect(key).toBe(`uploads/${ALICE}/${id}/Quarterly report.pdf`);
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now());

    const done = whenProcessed(key);
    expect((await uploadAsBrowser(upload, bytes, 'Quarterly report.pdf')).status).toBe(204);
    await done;

    const document = await getDocument(id);
    expect(document.status).toBe(200);
    expect(document.body).toMatchObject({
      id,
      owner: 'alice',
      schemaVersion: 2,
      status: 'processed',
      sha256: sha256(bytes),
      size: bytes.length,
      detectedType: { mime: 'application/pdf' },
      metadata: { pages: 4 },
    });
    const download = await fetch(document.body!.download.url);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);

    const messages = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    const events = (messages.Messages ?? []).map((message) => JSON.parse(message.Body!));
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'document.processed', id, status: 'processed' }),
    );

    const list = await call(event(listTemplate, { queryStringParameters: { limit: '100' } }));
    expect(list.body!.items.map((item: { id: string }) => item.id)).toContain(id);
  });

  it('serves the inspected bytes after the same form is posted again with other bytes, and refuses the later version (replay)', async () => {
    const original = makePdf(2);
    const created = await createUpload('contract.pdf', 'application/pdf', 64 * 1024);
    const { id, key, upload } = created.body!;
    expect((await uploadAsBrowser(upload, original, 'contract.pdf')).status).toBe(204);
    expect(await nthOutcome(key, 1)).toMatchObject({ outcome: 'processed' });
    const before = await getDocument(id);

    // The attack: the form is still valid, so it is posted again with different bytes.
    const evil = Buffer.from('EVIL replaced!!');
    expect((await uploadAsBrowser(upload, evil, 'contract.pdf')).status).toBe(204);
    expect(await nthOutcome(key, 2)).toMatchObject({ outcome: 'refused' });

    const after = await getDocument(id);
    const { download: downloadBefore, ...manifestBefore } = before.body!;
    const { download: downloadAfter, ...manifestAfter } = after.body!;
    expect(manifestAfter).toEqual(manifestBefore);
    expect(downloadBefore.url).toContain(`/clean/${ALICE}/${id}/`);
    const served = Buffer.from(await (await fetch(downloadAfter.url)).arrayBuffer());
    expect(served).toEqual(original);
    expect(sha256(served)).toBe(manifestAfter.sha256);
    // The later version is nowhere: not in the inbox, not copied, not quarantined.
    expect(await keysUnder(`uploads/${ALICE}/${id}/`)).toEqual([]);
    for (const stored of await keysUnder(`clean/${ALICE}/${id}/`))
      expect(await storage.getBytes(stored)).toEqual(original);
    expect(await keysUnder(`quarantine/${ALICE}/${id}/`)).toEqual([]);
  });

  it('signs downloads as attachments of the detected type with the UTF-8 file name (RFC 6266)', async () => {
    const bytes = makePng(2, 2);
    const name = 'Grüße <script>.png';
    const created = await createUpload(name, 'image/png', bytes.length);
    const { id, key, upload } = created.body!;
    await uploadAsBrowser(upload, bytes, name);
    await nthOutcome(key, 1);
    const response = await fetch((await getDocument(id)).body!.download.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="Gr__e <script>.png"; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20%3Cscript%3E.png`,
    );
  });

  it('erases every object of a document on DELETE: clean copy, refused versions, manifest', async () => {
    const bytes = makePdf(1);
    const created = await createUpload('erase-me.pdf', 'application/pdf', 64 * 1024);
    const { id, key, upload } = created.body!;
    await uploadAsBrowser(upload, bytes, 'erase-me.pdf');
    await nthOutcome(key, 1);
    expect(await keysUnder(`clean/${ALICE}/${id}/`)).toHaveLength(1);
    expect((await call(deleteEvent(id))).status).toBe(204);
    for (const prefix of ['uploads', 'clean', 'quarantine'])
      expect(await keysUnder(`${prefix}/${ALICE}/${id}/`)).toEqual([]);
    expect(await keysUnder(`manifests/${ALICE}/${id}.json`)).toEqual([]);
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
      storedKey: `quarantine/${ALICE}/${created.body!.id}/invoice.pdf`,
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
    const removed = await call(deleteEvent(id));
    expect(removed.status).toBe(204);
    expect((await getDocument(id)).status).toBe(404);
    const again = await call(deleteEvent(id));
    expect(again.status).toBe(404);
  });

  it("keeps Alice's documents from Bob: his get, list and delete answer as for an unknown id", async () => {
    const bob = { sub: 'bob', scope: READ_WRITE };
    const bytes = makePdf(1);
    const created = await createUpload('private.pdf', 'application/pdf', bytes.length);
    const id = created.body!.id as string;
    const done = whenProcessed(created.body!.key);
    expect((await uploadAsBrowser(created.body!.upload, bytes, 'private.pdf')).status).toBe(204);
    await done;

    const bobsGet = await call(as(bob, getEvent(id)));
    expect(bobsGet).toMatchObject({ status: 404, body: { error: { code: 'DOCUMENT_NOT_FOUND' } } });
    const unknown = await call(as(bob, getEvent(crypto.randomUUID())));
    expect(unknown.status).toBe(404);
    const list = await call(as(bob, event(listTemplate, { queryStringParameters: { limit: '100' } })));
    expect(list).toMatchObject({ status: 200, body: { items: [] } });
    expect((await call(as(bob, deleteEvent(id)))).status).toBe(404);

    const alices = await getDocument(id);
    expect(alices).toMatchObject({ status: 200, body: { id, owner: 'alice', status: 'processed' } });
    const download = await fetch(alices.body!.download.url);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
  });

  it("lets the members of one tenant share documents when the owner claim is the tenant's", async () => {
    const shared = documentsHttp({ uploadsPerDay: 1000, bytesPerDay: 1024 ** 3 }, 'custom:tenant');
    const member = (sub: string, tenant: string) => ({ sub, scope: READ_WRITE, 'custom:tenant': tenant });
    const created = await call(
      as(
        member('alice', 'acme'),
        event(createTemplate, {
          body: JSON.stringify({ filename: 'team.txt', contentType: 'text/plain', size: 4 }),
        }),
      ),
      shared,
    );
    expect(created.status).toBe(201);
    const id = created.body!.id as string;
    expect(created.body!.key).toBe(`uploads/${Buffer.from('acme').toString('base64url')}/${id}/team.txt`);
    const done = whenProcessed(created.body!.key);
    await uploadAsBrowser(created.body!.upload, Buffer.from('team'), 'team.txt');
    await done;
    expect(await call(as(member('carol', 'acme'), getEvent(id)), shared)).toMatchObject({
      status: 200,
      body: { owner: 'acme', status: 'processed' },
    });
    expect((await call(as(member('dave', 'globex'), getEvent(id)), shared)).status).toBe(404);
    expect((await call(as(member('carol', 'acme'), deleteEvent(id)), shared)).status).toBe(204);
  });

  it("refuses a form past the owner's daily quota with 429 and Retry-After, signing nothing", async () => {
    const limited = documentsHttp({ uploadsPerDay: 2, bytesPerDay: 1024 ** 3 });
    const quotaOwner = { sub: `quota-${crypto.randomUUID()}`, scope: READ_WRITE };
    const create = () =>
      call(
        as(
          quotaOwner,
          event(createTemplate, {
            body: JSON.stringify({ filename: 'q.txt', contentType: 'text/plain', size: 1 }),
          }),
        ),
        limited,
      );
    expect((await create()).status).toBe(201);
    expect((await create()).status).toBe(201);
    const refused = await create();
    expect(refused).toMatchObject({
      status: 429,
      body: { error: { code: 'QUOTA_EXCEEDED', requestId: 'document-create-request-id' } },
    });
    expect(refused.body!).not.toHaveProperty('upload');
    const retryAfter = Number(refused.headers!['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    // Another owner's day is untouched.
    expect(
      (await call(as({ sub: 'bob', scope: READ_WRITE }, event(createTemplate, {})), limited)).status,
    ).toBe(201);
  });
});
