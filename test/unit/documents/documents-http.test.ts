import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemObjectStorage, type ObjectStorage, type PresignedPost } from '../../../src/aws/storage';
import { IntegrationError } from '../../../src/errors';
import { createDocumentsApi } from '../../../src/documents/documents-api';
import { createDocumentsHttpHandler } from '../../../src/documents/documents-http';
import type { DocumentManifest } from '../../../src/documents/manifest';
import { sqsDocumentEventPublisher } from '../../../src/documents/processed-event';
import { loadDocumentSettings } from '../../../src/documents/settings';
import { DEFAULT_MAX_UPLOAD_BYTES, uploadPolicy } from '../../../src/documents/upload-policy';
import createEvent from '../../../events/document-create.json';
import tooLargeEvent from '../../../events/document-create-too-large.json';
import invalidEvent from '../../../events/document-create-invalid.json';
import listEvent from '../../../events/document-list.json';
import getEvent from '../../../events/document-get.json';
import unknownEvent from '../../../events/document-get-unknown.json';
import deleteEvent from '../../../events/document-delete.json';
import notFoundEvent from '../../../events/http-not-found.json';

const ID = '3f2b8c1e-7d4a-4e6b-9c0d-1a2b3c4d5e6f';
const context = { awsRequestId: 'unit', functionName: 'documents-api' } as Context;
const asEvent = (template: unknown) => structuredClone(template) as APIGatewayProxyEventV2;

let root: string;
let storage: FilesystemObjectStorage;
let presigned: Parameters<ObjectStorage['presignPost']>[0][];

function handler() {
  // The filesystem adapter cannot sign uploads: presignPost records its arguments instead.
  const signing = Object.create(storage) as FilesystemObjectStorage;
  signing.presignPost = async (options = { maxSize: 0 }): Promise<PresignedPost> => {
    presigned.push(options);
    return {
      url: 'http://127.0.0.1:4569/bucket',
      fields: { key: options.key!, Policy: 'p' },
      key: options.key!,
      expiresAt: new Date('2026-11-23T14:05:00Z'),
    };
  };
  const api = createDocumentsApi({
    storage: signing,
    policy: uploadPolicy(),
    downloadExpirySeconds: 60,
    newId: () => ID,
  });
  return createDocumentsHttpHandler(api);
}

async function call(event: APIGatewayProxyEventV2) {
  const response = await handler()(event, context);
  return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined };
}

function manifest(overrides: Partial<DocumentManifest> = {}): DocumentManifest {
  return {
    schemaVersion: 1,
    id: ID,
    filename: 'report.pdf',
    uploadKey: `uploads/${ID}/report.pdf`,
    storedKey: `uploads/${ID}/report.pdf`,
    size: 3,
    sha256: 'a'.repeat(64),
    detectedType: { mime: 'application/pdf', ext: 'pdf', source: 'magic' },
    declaredType: 'application/pdf',
    extension: 'pdf',
    metadata: { pages: 1 },
    status: 'processed',
    reason: null,
    etag: 'e',
    versionId: null,
    sourceVersion: 'e:1',
    uploadedAt: '2026-11-23T14:00:00.000Z',
    processedAt: '2026-11-23T14:00:01.000Z',
    timings: { readMs: 1, analyseMs: 1, totalMs: 2 },
    ...overrides,
  };
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'intake-docs-api-'));
  storage = new FilesystemObjectStorage({ root });
  presigned = [];
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('documents-api routes', () => {
  it('POST /documents answers 201 with a presigned POST bound to the key, type and declared size', async () => {
    const response = await call(asEvent(createEvent));
    expect(response).toEqual({
      status: 201,
      body: {
        id: ID,
        key: `uploads/${ID}/Quarterly report.pdf`,
        upload: {
          url: 'http://127.0.0.1:4569/bucket',
          fields: { key: `uploads/${ID}/Quarterly report.pdf`, Policy: 'p' },
        },
        expiresAt: '2026-11-23T14:05:00.000Z',
      },
    });
    expect(presigned).toEqual([
      expect.objectContaining({ contentType: 'application/pdf', minSize: 1, maxSize: 48213, expiresIn: 300 }),
    ]);
  });

  it('POST /documents answers 413 for a declared size over the limit', async () => {
    const response = await call(asEvent(tooLargeEvent));
    expect(response.status).toBe(413);
    expect(response.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', requestId: expect.any(String) });
    expect(presigned).toEqual([]);
  });

  it('POST /documents answers 400 naming the invalid fields', async () => {
    const response = await call(asEvent(invalidEvent));
    expect(response.status).toBe(400);
    expect(response.body.error.fields.map((f: { field: string }) => f.field)).toEqual(['body.size']);
  });

  it.each([
    ['a file name with nothing usable', { filename: '../', contentType: 'application/pdf', size: 1 }],
    ['a type off the allow-list', { filename: 'a.exe', contentType: 'application/x-msdownload', size: 1 }],
  ])('POST /documents answers 400 for %s', async (_name, body) => {
    const response = await call({ ...asEvent(createEvent), body: JSON.stringify(body) });
    expect(response).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
  });

  it('POST /documents answers 400 for malformed JSON', async () => {
    const response = await call({ ...asEvent(createEvent), body: '{"filename":' });
    expect(response.status).toBe(400);
  });

  it('GET /documents/{id} answers the manifest with a download URL for a processed document', async () => {
    await storage.put(`manifests/${ID}.json`, JSON.stringify(manifest()));
    await storage.put(`uploads/${ID}/report.pdf`, 'pdf');
    const response = await call(asEvent(getEvent));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: ID,
      status: 'processed',
      download: { url: expect.stringMatching(/^file:/) },
    });
  });

  it('GET /documents/{id} answers 404 for an unknown id and for a value that is not an id', async () => {
    expect((await call(asEvent(getEvent))).status).toBe(404);
    const response = await call(asEvent(unknownEvent));
    expect(response).toMatchObject({ status: 404, body: { error: { code: 'DOCUMENT_NOT_FOUND' } } });
  });

  it('GET /documents pages through manifests with limit and cursor', async () => {
    const ids = [
      '00000000-0000-4000-8000-000000000001',
      '00000000-0000-4000-8000-000000000002',
      '00000000-0000-4000-8000-000000000003',
    ];
    for (const id of ids) await storage.put(`manifests/${id}.json`, JSON.stringify(manifest({ id })));
    const first = await call(asEvent(listEvent));
    expect(first.body.items.map((m: DocumentManifest) => m.id)).toEqual(ids.slice(0, 2));
    const second = await call({
      ...asEvent(listEvent),
      queryStringParameters: { limit: '2', cursor: first.body.cursor },
    });
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: ids[2] })] });
  });

  it('GET /documents answers 400 for a limit out of range', async () => {
    expect((await call({ ...asEvent(listEvent), queryStringParameters: { limit: '1000' } })).status).toBe(
      400,
    );
  });

  it('DELETE /documents/{id} removes the stored file and the manifest, then answers 404', async () => {
    await storage.put(
      `manifests/${ID}.json`,
      JSON.stringify(manifest({ status: 'quarantined', storedKey: `quarantine/${ID}/report.pdf` })),
    );
    await storage.put(`quarantine/${ID}/report.pdf`, 'x');
    expect((await call(asEvent(deleteEvent))).status).toBe(204);
    expect(await storage.exists(`quarantine/${ID}/report.pdf`)).toBe(false);
    expect(await storage.exists(`manifests/${ID}.json`)).toBe(false);
    expect((await call(asEvent(deleteEvent))).status).toBe(404);
  });

  it('DELETE /documents/{id} removes a pending upload that has no manifest yet', async () => {
    await storage.put(`uploads/${ID}/report.pdf`, 'x');
    expect((await call(asEvent(deleteEvent))).status).toBe(204);
    expect(await storage.exists(`uploads/${ID}/report.pdf`)).toBe(false);
  });

  it('answers 404 ROUTE_NOT_FOUND for a route it does not serve', async () => {
    expect(await call(asEvent(notFoundEvent))).toMatchObject({
      status: 404,
      body: { error: { code: 'ROUTE_NOT_FOUND' } },
    });
  });
});

describe('document settings', () => {
  it('defaults to 100 MB, the default types and 300 s expiries', () => {
    expect(loadDocumentSettings({})).toEqual({
      policy: expect.objectContaining({ maxBytes: DEFAULT_MAX_UPLOAD_BYTES, expirySeconds: 300 }),
      downloadExpirySeconds: 300,
    });
  });

  it('reads overrides and names every invalid variable', () => {
    const settings = loadDocumentSettings({
      DOCUMENTS_MAX_UPLOAD_BYTES: '1000',
      DOCUMENTS_ALLOWED_TYPES: 'image/png, image/jpg',
    });
    expect(settings.policy).toMatchObject({ maxBytes: 1000, allowedTypes: ['image/png', 'image/jpeg'] });
    expect(() =>
      loadDocumentSettings({ DOCUMENTS_MAX_UPLOAD_BYTES: '-1', DOCUMENTS_UPLOAD_EXPIRY_SECONDS: 'soon' }),
    ).toThrow(/DOCUMENTS_MAX_UPLOAD_BYTES is invalid[\s\S]*DOCUMENTS_UPLOAD_EXPIRY_SECONDS is invalid/);
  });
});

describe('sqsDocumentEventPublisher', () => {
  // fauxqs cannot be made to throttle: the mock stands in for that one error path.
  it('maps an SQS failure to a retryable IntegrationError', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageCommand).rejects(
      Object.assign(new Error('slow down'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const publish = sqsDocumentEventPublisher(new SQSClient({ region: 'us-east-1' }), 'http://queue');
    const failure = await publish({
      type: 'document.processed',
      id: ID,
      status: 'processed',
      reason: null,
      key: 'k',
      manifestKey: 'm',
      size: 1,
      sha256: 's',
      detectedType: 'text/plain',
      processedAt: 'now',
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(IntegrationError);
    expect(failure).toMatchObject({ retryable: true, service: 'SQS', operation: 'SendMessage' });
    sqs.restore();
  });
});
