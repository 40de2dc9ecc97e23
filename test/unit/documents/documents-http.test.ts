import fc from 'fast-check';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FilesystemObjectStorage,
  type DownloadUrls,
  type PresignPostOptions,
  type UploadForms,
} from '../../../src/aws/storage';
import {
  IntegrationError,
  PayloadTooLargeError,
  QuotaExceededError,
  ServiceUnavailableError,
} from '../../../src/errors';
import { cleanKey, documentManifestKey, uploadKey } from '../../../src/documents/document-keys';
import { createDocumentsApi } from '../../../src/documents/documents-api';
import { createDocumentsHttpHandler } from '../../../src/documents/documents-http';
import type { DocumentManifest } from '../../../src/documents/manifest';
import { sqsDocumentEventPublisher } from '../../../src/documents/processed-event';
import { loadDocumentSettings } from '../../../src/documents/settings';
import { DEFAULT_MAX_UPLOAD_BYTES, uploadPolicy } from '../../../src/documents/upload-policy';
import type { UploadQuota } from '../../../src/documents/upload-quota';
import createEvent from '../../../events/document-create.json';
import tooLargeEvent from '../../../events/document-create-too-large.json';
import invalidEvent from '../../../events/document-create-invalid.json';
import listEvent from '../../../events/document-list.json';
import getEvent from '../../../events/document-get.json';
import unknownEvent from '../../../events/document-get-unknown.json';
import deleteEvent from '../../../events/document-delete.json';
import notFoundEvent from '../../../events/http-not-found.json';

const ID = '3f2b8c1e-7d4a-4e6b-9c0d-1a2b3c4d5e6f';
/** alice's owner segment (base64url of "alice"): the sample events' token is alice's. */
const ALICE = 'YWxpY2U';
const context = { awsRequestId: 'unit', functionName: 'documents-api' } as Context;
const asEvent = (template: unknown) => structuredClone(template) as APIGatewayProxyEventV2;

type Claims = Record<string, unknown>;
const READ_WRITE = 'documents/read documents/write';

/** The sample event as the JWT authorizer would pass it for a token with `claims` (sub, scope…). */
function as(template: unknown, claims: Claims): APIGatewayProxyEventV2 {
  const event = asEvent(template);
  (event.requestContext as unknown as { authorizer: unknown }).authorizer = { jwt: { claims, scopes: [] } };
  return event;
}

/** The sample event as it reaches a route deployed without its authorizer: no verified claims. */
function anonymous(template: unknown): APIGatewayProxyEventV2 {
  const event = asEvent(template);
  delete (event.requestContext as { authorizer?: unknown }).authorizer;
  return event;
}

/**
 * An in-memory stand-in for the DynamoDB quota (dynamoDbUploadQuota is tested against dynalite in
 * test/integration/documents/upload-quota.test.ts): counts forms per owner, refuses past `uploadsPerDay`,
 * or throws `failWith` when set.
 */
class FakeQuota implements UploadQuota {
  reservations: { owner: string; bytes: number }[] = [];
  failWith: Error | undefined;
  constructor(private readonly uploadsPerDay = 1000) {}
  async reserve(owner: string, bytes: number): Promise<void> {
    if (this.failWith) throw this.failWith;
    if (this.reservations.filter((r) => r.owner === owner).length >= this.uploadsPerDay) {
      throw new QuotaExceededError('The daily upload quota is used up', { retryAfterSeconds: 3600 });
    }
    this.reservations.push({ owner, bytes });
  }
}

let root: string;
let storage: FilesystemObjectStorage;
let presigned: PresignPostOptions[];
let quota: FakeQuota;

let signedDownloads: { key: string; options: Parameters<DownloadUrls['urlFor']>[1] }[];
let inlineTypes: string[];

function handler(options: { ownerClaim: string } = { ownerClaim: 'sub' }) {
  // Signing is the S3 adapters' (tested on their own): these record what they were asked to sign.
  const uploads: UploadForms = {
    presignPost: async (options) => {
      presigned.push(options);
      return {
        url: 'http://127.0.0.1:4569/bucket',
        fields: { key: options.key!, Policy: 'p' },
        key: options.key!,
        expiresAt: new Date('2026-11-23T14:05:00Z'),
      };
    },
  };
  const downloads: DownloadUrls = {
    urlFor: async (key, urlOptions) => {
      signedDownloads.push({ key, options: urlOptions });
      return `https://downloads.test/${key}`;
    },
  };
  const api = createDocumentsApi({
    storage,
    uploads,
    downloads,
    policy: uploadPolicy(),
    quota,
    downloadExpirySeconds: 60,
    inlineTypes,
    newId: () => ID,
  });
  return createDocumentsHttpHandler(api, options);
}

async function call(event: APIGatewayProxyEventV2, options?: { ownerClaim: string }) {
  const response = await handler(options)(event, context);
  return {
    status: response.statusCode,
    headers: response.headers,
    body: response.body ? JSON.parse(response.body) : undefined,
  };
}

function manifest(overrides: Partial<DocumentManifest> = {}): DocumentManifest {
  return {
    schemaVersion: 2,
    id: ID,
    owner: 'alice',
    filename: 'report.pdf',
    uploadKey: `uploads/${ALICE}/${ID}/report.pdf`,
    storedKey: `clean/${ALICE}/${ID}/AAAAAAAAAAAAAAAAAAAAAA/report.pdf`,
    inspectedKey: `clean/${ALICE}/${ID}/AAAAAAAAAAAAAAAAAAAAAA/report.pdf`,
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

/** A processed document of `owner`, stored as the processor leaves it. */
async function storeDocument(owner: string, id = ID): Promise<DocumentManifest> {
  const key = uploadKey({ owner, id }, 'report.pdf');
  const copyKey = cleanKey({ owner, id, filename: 'report.pdf' }, 'copy-1');
  const stored = manifest({ id, owner, uploadKey: key, storedKey: copyKey, inspectedKey: copyKey });
  await storage.put(documentManifestKey({ owner, id }), JSON.stringify(stored));
  await storage.put(copyKey, 'pdf');
  return stored;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'intake-docs-api-'));
  storage = new FilesystemObjectStorage({ root });
  presigned = [];
  signedDownloads = [];
  inlineTypes = [];
  quota = new FakeQuota();
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('documents-api routes', () => {
  it("POST /documents answers 201 with a presigned POST under the caller's prefix, bound to the type and size", async () => {
    const response = await call(asEvent(createEvent));
    expect(response).toMatchObject({
      status: 201,
      body: {
        id: ID,
        key: `uploads/${ALICE}/${ID}/Quarterly report.pdf`,
        upload: {
          url: 'http://127.0.0.1:4569/bucket',
          fields: { key: `uploads/${ALICE}/${ID}/Quarterly report.pdf`, Policy: 'p' },
        },
        expiresAt: '2026-11-23T14:05:00.000Z',
      },
    });
    expect(presigned).toEqual([
      expect.objectContaining({ contentType: 'application/pdf', minSize: 1, maxSize: 48213, expiresIn: 300 }),
    ]);
    expect(quota.reservations).toEqual([{ owner: 'alice', bytes: 48213 }]);
  });

  it('POST /documents answers 413 for a declared size over the limit', async () => {
    const response = await call(asEvent(tooLargeEvent));
    expect(response.status).toBe(413);
    expect(response.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', requestId: expect.any(String) });
    expect(presigned).toEqual([]);
    expect(quota.reservations).toEqual([]); // a refused request costs no quota
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
    expect(quota.reservations).toEqual([]);
  });

  it('POST /documents answers 400 for malformed JSON', async () => {
    const response = await call({ ...asEvent(createEvent), body: '{"filename":' });
    expect(response.status).toBe(400);
  });

  it('GET /documents/{id} answers the manifest with a download URL for a processed document', async () => {
    await storage.put(`manifests/${ALICE}/${ID}.json`, JSON.stringify(manifest()));
    await storage.put(manifest().storedKey, 'pdf');
    const response = await call(asEvent(getEvent));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: ID,
      status: 'processed',
      download: { url: `https://downloads.test/${manifest().storedKey}` },
    });
  });

  it('GET /documents/{id} signs the download for the clean copy only, as an attachment of the detected type', async () => {
    // The upload key holds other bytes (a later version posted with the same form): never signed.
    await storage.put(`manifests/${ALICE}/${ID}.json`, JSON.stringify(manifest()));
    await storage.put(manifest().storedKey, 'pdf');
    await storage.put(`uploads/${ALICE}/${ID}/report.pdf`, 'EVIL replaced!!');
    await call(asEvent(getEvent));
    expect(signedDownloads).toEqual([
      {
        key: manifest().storedKey,
        options: {
          expiresIn: 60,
          responseContentType: 'application/pdf',
          responseContentDisposition: `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
        },
      },
    ]);
  });

  it('GET /documents/{id} signs an inline download only for a type DOCUMENTS_INLINE_TYPES names', async () => {
    inlineTypes = ['application/pdf'];
    await storage.put(`manifests/${ALICE}/${ID}.json`, JSON.stringify(manifest()));
    await storage.put(manifest().storedKey, 'pdf');
    await call(asEvent(getEvent));
    expect(signedDownloads[0]!.options?.responseContentDisposition).toMatch(/^inline; filename="report.pdf"/);
  });

  it.each([
    ['page.html', 'text/plain'],
    ['drawing.svg', 'image/png'],
    ['report.pdf', 'image/png'],
    ['README', 'text/plain'],
    ['invoice.pdf.exe', 'application/pdf'],
  ])(
    'POST /documents refuses %j declared as %s: 400 EXTENSION_NOT_ALLOWED, nothing signed or counted',
    async (filename, contentType) => {
      const response = await call({
        ...asEvent(createEvent),
        body: JSON.stringify({ filename, contentType, size: 10 }),
      });
      expect(response).toMatchObject({
        status: 400,
        body: { error: { code: 'EXTENSION_NOT_ALLOWED', requestId: expect.any(String) } },
      });
      expect(presigned).toEqual([]);
      expect(quota.reservations).toEqual([]);
    },
  );

  it('POST /documents accepts an extension that fits the declared type, in any case', async () => {
    const response = await call({
      ...asEvent(createEvent),
      body: JSON.stringify({ filename: 'Scan.JPEG', contentType: 'image/jpg', size: 10 }),
    });
    expect(response.status).toBe(201);
  });

  it('DELETE /documents/{id} erases every object of the document: clean copies, refused versions, quarantine, manifest', async () => {
    const leftovers = [
      `uploads/${ALICE}/${ID}/report.pdf`,
      `clean/${ALICE}/${ID}/AAAAAAAAAAAAAAAAAAAAAA/report.pdf`,
      `clean/${ALICE}/${ID}/BBBBBBBBBBBBBBBBBBBBBB/report.pdf`,
      `quarantine/${ALICE}/${ID}/report.pdf`,
    ];
    await storage.put(`manifests/${ALICE}/${ID}.json`, JSON.stringify(manifest()));
    for (const key of leftovers) await storage.put(key, 'x');
    const neighbour = `clean/${ALICE}/00000000-0000-4000-8000-000000000001/x/report.pdf`;
    await storage.put(neighbour, 'kept');
    const erase = jest.spyOn(storage, 'deleteEveryVersion');

    expect((await call(asEvent(deleteEvent))).status).toBe(204);

    expect(erase.mock.calls.map(([prefix]) => prefix).sort()).toEqual([
      `clean/${ALICE}/${ID}/`,
      `manifests/${ALICE}/${ID}.json`,
      `quarantine/${ALICE}/${ID}/`,
      `uploads/${ALICE}/${ID}/`,
    ]);
    for (const key of leftovers) expect(await storage.exists(key)).toBe(false);
    expect(await storage.exists(`manifests/${ALICE}/${ID}.json`)).toBe(false);
    expect(await storage.exists(neighbour)).toBe(true);
  });

  it('DELETE /documents/{id} answers 503 and keeps the manifest when an object cannot be erased', async () => {
    await storage.put(`manifests/${ALICE}/${ID}.json`, JSON.stringify(manifest()));
    jest.spyOn(storage, 'deleteEveryVersion').mockImplementation(async (prefix) => ({
      deleted: [],
      errors: prefix.startsWith('clean/') ? [{ key: `${prefix}x`, code: 'AccessDenied', message: 'no' }] : [],
    }));
    const response = await call(asEvent(deleteEvent));
    expect(response).toMatchObject({ status: 503, body: { error: { requestId: expect.any(String) } } });
    expect(await storage.exists(`manifests/${ALICE}/${ID}.json`)).toBe(true);
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
    for (const id of ids)
      await storage.put(`manifests/${ALICE}/${id}.json`, JSON.stringify(manifest({ id })));
    const first = await call(asEvent(listEvent));
    expect(first.body.items.map((m: DocumentManifest) => m.id)).toEqual(ids.slice(0, 2));
    const second = await call({
      ...asEvent(listEvent),
      queryStringParameters: { limit: '2', cursor: first.body.cursor },
    });
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: ids[2] })] });
  });

  it('GET /documents answers any cursor it did not issue 400 INVALID_CURSOR with a request id, naming no store', async () => {
    await storage.put(`manifests/${ALICE}/${ID}.json`, JSON.stringify(manifest()));
    const hostile = fc.sample(
      fc.oneof(
        fc.string({ minLength: 1, maxLength: 300 }),
        fc.base64String({ minLength: 4, maxLength: 200 }),
        fc.string({ minLength: 1, maxLength: 100 }).map((key) => Buffer.from(key).toString('base64url')),
      ),
      { numRuns: 60, seed: 13 },
    );
    for (const cursor of ['garbage', ...hostile]) {
      const response = await call({ ...asEvent(listEvent), queryStringParameters: { limit: '2', cursor } });
      expect(response).toMatchObject({
        status: 400,
        body: { error: { code: 'INVALID_CURSOR', requestId: expect.any(String) } },
      });
      expect(response.body.error.message).not.toMatch(/s3|filesystem|ListObjects|continuation/i);
    }
  });

  it('GET /documents answers 400 for a limit out of range', async () => {
    expect((await call({ ...asEvent(listEvent), queryStringParameters: { limit: '1000' } })).status).toBe(
      400,
    );
  });

  it('DELETE /documents/{id} removes the stored file and the manifest, then answers 404', async () => {
    await storage.put(
      `manifests/${ALICE}/${ID}.json`,
      JSON.stringify(manifest({ status: 'quarantined', storedKey: `quarantine/${ALICE}/${ID}/report.pdf` })),
    );
    await storage.put(`quarantine/${ALICE}/${ID}/report.pdf`, 'x');
    expect((await call(asEvent(deleteEvent))).status).toBe(204);
    expect(await storage.exists(`quarantine/${ALICE}/${ID}/report.pdf`)).toBe(false);
    expect(await storage.exists(`manifests/${ALICE}/${ID}.json`)).toBe(false);
    expect((await call(asEvent(deleteEvent))).status).toBe(404);
  });

  it('DELETE /documents/{id} removes a pending upload that has no manifest yet', async () => {
    await storage.put(`uploads/${ALICE}/${ID}/report.pdf`, 'x');
    expect((await call(asEvent(deleteEvent))).status).toBe(204);
    expect(await storage.exists(`uploads/${ALICE}/${ID}/report.pdf`)).toBe(false);
  });

  it('answers 404 ROUTE_NOT_FOUND for a route it does not serve', async () => {
    expect(await call(asEvent(notFoundEvent))).toMatchObject({
      status: 404,
      body: { error: { code: 'ROUTE_NOT_FOUND' } },
    });
  });
});

describe('documents belong to the verified caller', () => {
  const alice = { sub: 'alice', scope: READ_WRITE };
  const bob = { sub: 'bob', scope: READ_WRITE };

  it("answers Bob about Alice's document exactly as about an unknown one, and lists nothing of hers", async () => {
    const unknown = await call(as(getEvent, bob));
    const stored = await storeDocument('alice');
    expect((await call(as(getEvent, alice))).status).toBe(200);

    const get = await call(as(getEvent, bob));
    expect(get).toEqual({ ...unknown, headers: expect.anything() });
    expect(get).toMatchObject({ status: 404, body: { error: { code: 'DOCUMENT_NOT_FOUND' } } });
    expect(await call(as(listEvent, bob))).toMatchObject({ status: 200, body: { items: [] } });
    expect((await call(as(listEvent, bob))).body).not.toHaveProperty('cursor');
    expect(await call(as(deleteEvent, bob))).toMatchObject({
      status: 404,
      body: { error: { code: 'DOCUMENT_NOT_FOUND' } },
    });
    // Bob's refused delete left everything of Alice's in place.
    expect(await storage.exists(`manifests/${ALICE}/${ID}.json`)).toBe(true);
    expect(await storage.exists(stored.storedKey)).toBe(true);
    expect((await call(as(listEvent, alice))).body.items).toEqual([expect.objectContaining({ id: ID })]);
  });

  it("lists by reading only the caller's own manifest prefix, never another owner's objects", async () => {
    await storeDocument('alice');
    await storeDocument('bob', '00000000-0000-4000-8000-000000000003');
    const listed: string[] = [];
    const read: string[] = [];
    const list = storage.list.bind(storage);
    const getBytes = storage.getBytes.bind(storage);
    jest.spyOn(storage, 'list').mockImplementation(async (prefix, options) => {
      listed.push(prefix);
      return list(prefix, options);
    });
    jest.spyOn(storage, 'getBytes').mockImplementation(async (key) => {
      read.push(key);
      return getBytes(key);
    });

    const bobs = await call(as(listEvent, bob));

    expect(bobs.body.items).toEqual([expect.objectContaining({ owner: 'bob' })]);
    expect(listed).toEqual(['manifests/Ym9i/']);
    expect(read).toEqual(['manifests/Ym9i/00000000-0000-4000-8000-000000000003.json']);
  });

  it("shows Bob nothing of Alice's with the cursor of her listing: it is not his, 400 INVALID_CURSOR", async () => {
    for (const id of ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002']) {
      await storeDocument('alice', id);
    }
    const alices = await call(as({ ...asEvent(listEvent), queryStringParameters: { limit: '1' } }, alice));
    expect(alices.body.cursor).toEqual(expect.any(String));
    const bobs = await call(
      as({ ...asEvent(listEvent), queryStringParameters: { limit: '1', cursor: alices.body.cursor } }, bob),
    );
    expect(bobs).toMatchObject({ status: 400, body: { error: { code: 'INVALID_CURSOR' } } });
    expect(JSON.stringify(bobs.body)).not.toContain('alice');
  });

  it("does not show Bob Alice's pending upload, nor let him delete it", async () => {
    await storage.put(`uploads/${ALICE}/${ID}/report.pdf`, 'x');
    expect(await call(as(getEvent, alice))).toMatchObject({
      status: 200,
      body: { id: ID, status: 'pending' },
    });
    expect((await call(as(getEvent, bob))).status).toBe(404);
    expect((await call(as(deleteEvent, bob))).status).toBe(404);
    expect(await storage.exists(`uploads/${ALICE}/${ID}/report.pdf`)).toBe(true);
  });

  it("keeps each owner's documents apart when both have the same id", async () => {
    await storeDocument('alice');
    const bobs = await storeDocument('bob');
    expect((await call(as(getEvent, bob))).body).toMatchObject({ owner: 'bob', storedKey: bobs.storedKey });
    expect((await call(as(deleteEvent, bob))).status).toBe(204);
    expect((await call(as(getEvent, alice))).body).toMatchObject({ owner: 'alice', status: 'processed' });
  });

  it('issues each caller an upload key under their own prefix, whatever the owner claim holds', async () => {
    const hostile = '../YWxpY2U';
    const response = await call(as(createEvent, { sub: hostile, scope: READ_WRITE }));
    const segment = Buffer.from(hostile).toString('base64url');
    expect(response.body.key).toBe(`uploads/${segment}/${ID}/Quarterly report.pdf`);
    expect(quota.reservations).toEqual([{ owner: hostile, bytes: 48213 }]);
  });

  it('takes the owner from the verified claims only, never from the Authorization header or the body', async () => {
    const event = as(createEvent, bob);
    event.headers = { ...event.headers, authorization: 'Bearer e30.eyJzdWIiOiJhbGljZSJ9.x' };
    event.body = JSON.stringify({ ...JSON.parse(event.body!), owner: 'alice' });
    const response = await call(event);
    expect(response.body.key).toMatch(new RegExp(`^uploads/${Buffer.from('bob').toString('base64url')}/`));
  });

  describe('a request without verified claims (a route deployed without its authorizer)', () => {
    it.each([
      ['POST /documents', createEvent],
      ['GET /documents', listEvent],
      ['GET /documents/{id}', getEvent],
      ['DELETE /documents/{id}', deleteEvent],
    ])('%s answers 401 UNAUTHORIZED with the request id', async (_route, template) => {
      await storeDocument('alice');
      const response = await call(anonymous(template));
      expect(response).toMatchObject({
        status: 401,
        body: {
          error: {
            code: 'UNAUTHORIZED',
            message: expect.any(String),
            requestId: (template as { requestContext: { requestId: string } }).requestContext.requestId,
          },
        },
      });
      expect(await storage.exists(`manifests/${ALICE}/${ID}.json`)).toBe(true);
    });

    it.each([
      ['an invalid body', invalidEvent, undefined],
      ['malformed JSON', createEvent, '{"filename":'],
      ['an oversized declared size', tooLargeEvent, undefined],
    ])('answers 401 before validating the body, even for %s', async (_name, template, body) => {
      const event = anonymous(template);
      if (body !== undefined) event.body = body;
      const response = await call(event);
      expect(response.status).toBe(401);
      expect(response.body.error).not.toHaveProperty('fields');
      expect(presigned).toEqual([]);
      expect(quota.reservations).toEqual([]);
    });

    it('answers 401 before validating the query or the path', async () => {
      const list = anonymous(listEvent);
      list.queryStringParameters = { limit: '1000' };
      expect((await call(list)).status).toBe(401);
      expect((await call(anonymous(unknownEvent))).status).toBe(401);
    });

    it.each([
      ['an authorizer without jwt', { lambda: { sub: 'alice' } }],
      ['jwt without claims', { jwt: { scopes: ['documents/read'] } }],
      ['claims that are not an object', { jwt: { claims: 'sub=alice' } }],
      ['claims without sub', { jwt: { claims: { scope: READ_WRITE } } }],
      ['an empty sub', { jwt: { claims: { sub: '', scope: READ_WRITE } } }],
    ])('answers 401 for %s', async (_name, authorizer) => {
      const event = asEvent(listEvent);
      (event.requestContext as unknown as { authorizer: unknown }).authorizer = authorizer;
      expect((await call(event)).status).toBe(401);
    });
  });

  describe("a token without the route's scope", () => {
    it.each([
      ['POST /documents', 'documents/read', createEvent],
      ['DELETE /documents/{id}', 'documents/read', deleteEvent],
      ['GET /documents', 'documents/write', listEvent],
      ['GET /documents/{id}', 'documents/write', getEvent],
      ['POST /documents', '', createEvent],
      ['GET /documents', 'intake/admin', listEvent],
    ])('%s answers 403 FORBIDDEN for scope %j', async (_route, scope, template) => {
      await storeDocument('alice');
      const response = await call(as(template, { sub: 'alice', scope }));
      expect(response).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
      expect(await storage.exists(`manifests/${ALICE}/${ID}.json`)).toBe(true);
      expect(presigned).toEqual([]);
      expect(quota.reservations).toEqual([]);
    });

    it('answers 403 before validating the body', async () => {
      const response = await call(as(invalidEvent, { sub: 'alice', scope: 'documents/read' }));
      expect(response.status).toBe(403);
    });

    it('accepts the scopes as scp (an array, or the string API Gateway makes of one)', async () => {
      expect((await call(as(listEvent, { sub: 'alice', scp: ['documents/read'] }))).status).toBe(200);
      expect(
        (await call(as(listEvent, { sub: 'alice', scp: '[documents/read documents/write]' }))).status,
      ).toBe(200);
      expect((await call(as(createEvent, { sub: 'alice', scp: '[documents/read]' }))).status).toBe(403);
    });

    it('does not read a scope out of another one (no substring match)', async () => {
      expect((await call(as(listEvent, { sub: 'alice', scope: 'documents/reader' }))).status).toBe(403);
      expect((await call(as(listEvent, { sub: 'alice', scope: 'xdocuments/read' }))).status).toBe(403);
    });
  });

  describe('the owner claim', () => {
    const tenant = { ownerClaim: 'custom:tenant' };

    it('answers 403 when the token lacks the configured owner claim, or it is empty or not a string', async () => {
      for (const claims of [
        { sub: 'alice', scope: READ_WRITE },
        { sub: 'alice', scope: READ_WRITE, 'custom:tenant': '' },
        { sub: 'alice', scope: READ_WRITE, 'custom:tenant': 42 },
        { sub: 'alice', scope: READ_WRITE, 'custom:tenant': ['acme'] },
      ]) {
        const response = await call(as(listEvent, claims), tenant);
        expect(response).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
        expect(response.body.error.message).toContain('custom:tenant');
      }
      expect(presigned).toEqual([]);
    });

    it('answers 403 for an owner longer than 256 UTF-8 bytes, and serves one of exactly 256', async () => {
      expect((await call(as(listEvent, { sub: 'x'.repeat(257), scope: READ_WRITE }))).status).toBe(403);
      expect((await call(as(listEvent, { sub: 'ä'.repeat(129), scope: READ_WRITE }))).status).toBe(403);
      expect((await call(as(listEvent, { sub: 'ä'.repeat(128), scope: READ_WRITE }))).status).toBe(200);
    });

    it('lets two subjects of one tenant share documents when the owner claim is the tenant', async () => {
      const alice = { sub: 'alice', scope: READ_WRITE, 'custom:tenant': 'acme' };
      const carol = { sub: 'carol', scope: READ_WRITE, 'custom:tenant': 'acme' };
      const dave = { sub: 'dave', scope: READ_WRITE, 'custom:tenant': 'globex' };
      const created = await call(as(createEvent, alice), tenant);
      const acme = Buffer.from('acme').toString('base64url');
      expect(created.body.key).toBe(`uploads/${acme}/${ID}/Quarterly report.pdf`);
      expect(quota.reservations).toEqual([{ owner: 'acme', bytes: 48213 }]);
      await storeDocument('acme');

      expect(await call(as(getEvent, carol), tenant)).toMatchObject({ status: 200, body: { owner: 'acme' } });
      expect((await call(as(listEvent, carol), tenant)).body.items).toEqual([
        expect.objectContaining({ id: ID, owner: 'acme' }),
      ]);
      expect((await call(as(getEvent, dave), tenant)).status).toBe(404);
      expect((await call(as(listEvent, dave), tenant)).body.items).toEqual([]);
      // With the default owner claim (sub), the same tokens are separate owners again.
      expect((await call(as(getEvent, carol))).status).toBe(404);
      expect((await call(as(deleteEvent, carol), tenant)).status).toBe(204);
      expect((await call(as(getEvent, alice), tenant)).status).toBe(404);
    });
  });

  describe('the daily upload quota', () => {
    it('answers 429 QUOTA_EXCEEDED with retry-after and the request id, and signs nothing', async () => {
      quota = new FakeQuota(1);
      expect((await call(asEvent(createEvent))).status).toBe(201);
      presigned = [];
      const refused = await call(asEvent(createEvent));
      expect(refused).toEqual({
        status: 429,
        headers: expect.objectContaining({
          'retry-after': '3600',
          'x-request-id': 'document-create-request-id',
        }),
        body: {
          error: {
            code: 'QUOTA_EXCEEDED',
            message: 'The daily upload quota is used up',
            requestId: 'document-create-request-id',
          },
        },
      });
      expect(presigned).toEqual([]);
      // Another owner has a quota of their own.
      expect((await call(as(createEvent, { sub: 'bob', scope: READ_WRITE }))).status).toBe(201);
    });

    it("answers 413 when the quota says the size alone exceeds a day's bytes, and signs nothing", async () => {
      quota.failWith = new PayloadTooLargeError('size 48213 exceeds the daily upload quota of 1000 bytes');
      const response = await call(asEvent(createEvent));
      expect(response).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
      expect(response.headers).not.toHaveProperty('retry-after');
      expect(presigned).toEqual([]);
    });

    it('answers 503 (retry later), not 429, when the quota store fails, and signs nothing', async () => {
      quota.failWith = new ServiceUnavailableError('DynamoDB is down', {
        service: 'DynamoDB',
        operation: 'UpdateItem',
      });
      const response = await call(asEvent(createEvent));
      expect(response).toMatchObject({
        status: 503,
        headers: expect.objectContaining({ 'retry-after': '1' }),
        body: { error: { code: 'SERVICE_UNAVAILABLE', requestId: 'document-create-request-id' } },
      });
      expect(response.body.error.message).not.toContain('DynamoDB');
      expect(presigned).toEqual([]);
    });

    it('is not consulted by reads and deletes', async () => {
      quota.failWith = new Error('must not be called');
      await storeDocument('alice');
      expect((await call(asEvent(listEvent))).status).toBe(200);
      expect((await call(asEvent(getEvent))).status).toBe(200);
      expect((await call(asEvent(deleteEvent))).status).toBe(204);
    });
  });
});

describe('document settings', () => {
  it('defaults to 100 MB, the default types and 300 s expiries', () => {
    expect(loadDocumentSettings({})).toEqual({
      policy: expect.objectContaining({ maxBytes: DEFAULT_MAX_UPLOAD_BYTES, expirySeconds: 300 }),
      downloadExpirySeconds: 300,
      inlineTypes: [],
    });
  });

  it('accepts only types safe to show as DOCUMENTS_INLINE_TYPES, and fails at init naming it otherwise', () => {
    expect(loadDocumentSettings({ DOCUMENTS_INLINE_TYPES: 'image/png, image/jpg' }).inlineTypes).toEqual([
      'image/png',
      'image/jpeg',
    ]);
    for (const unsafe of ['text/html', 'image/svg+xml', 'text/plain', 'application/xml'])
      expect(() => loadDocumentSettings({ DOCUMENTS_INLINE_TYPES: `image/png,${unsafe}` })).toThrow(
        expect.objectContaining({ variables: ['DOCUMENTS_INLINE_TYPES'] }),
      );
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
