/**
 * Documents end to end through `npm start`: the real API (serverless-offline) behind the JWT authorizer
 * that the local stack enforces, tokens from its own issuer, the real S3 notification to document-process,
 * uploads sent as a browser sends them. Every document belongs to its caller.
 */
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { clientsOfStack } from '../helpers/emulators';
import { startLocalStack, type LocalStackProcess } from '../helpers/local-stack-process';
import { localToken } from '../helpers/local-tokens';
import { makePdf, makePng } from '../unit/documents/document-fixtures';

jest.setTimeout(180_000);

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface CreatedUpload {
  id: string;
  key: string;
  upload: { url: string; fields: Record<string, string> };
}

/** A client of one running stack, calling as the holder of `token`. */
function apiClient(stack: LocalStackProcess, token: string) {
  const url = (path: string) => `${stack.state.http.url}${path}`;
  const call = (path: string, init: RequestInit = {}) =>
    fetch(url(path), {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });
  return {
    call,
    async createUpload(filename: string, contentType: string, size: number): Promise<CreatedUpload> {
      const response = await call('/documents', {
        method: 'POST',
        body: JSON.stringify({ filename, contentType, size }),
      });
      expect(response.status).toBe(201);
      return (await response.json()) as CreatedUpload;
    },
    /** GET /documents/{id} until it is neither pending nor scanning (npm start scans), within `timeoutMs`. */
    async processedDocument(id: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const response = await call(`/documents/${id}`);
        if (response.status === 200) {
          const body = (await response.json()) as Record<string, unknown>;
          if (body.status !== 'pending' && body.status !== 'scanning') return body;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`document ${id} was not processed within ${timeoutMs} ms`);
    },
  };
}

async function uploadAsBrowser(created: CreatedUpload, bytes: Buffer, filename: string) {
  const form = new FormData();
  for (const [name, value] of Object.entries(created.upload.fields)) form.append(name, value);
  form.append('file', new Blob([new Uint8Array(bytes)]), filename);
  const response = await fetch(created.upload.url, { method: 'POST', body: form });
  return { status: response.status, body: await response.text() };
}

describe('documents through npm start', () => {
  let stack: LocalStackProcess;
  let alice: ReturnType<typeof apiClient>;
  let bob: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    stack = await startLocalStack();
    alice = apiClient(stack, await localToken(stack.state, { sub: 'alice' }));
    bob = apiClient(stack, await localToken(stack.state, { sub: 'bob' }));
  });

  afterAll(async () => {
    if (stack) await stack.stop().catch(() => undefined);
  });

  it('POST /documents → browser upload → manifest: processed, owned by the caller, with the SHA-256 of the bytes sent', async () => {
    const bytes = makePdf(3);
    const created = await alice.createUpload('Annual report 2026.pdf', 'application/pdf', bytes.length);
    expect((await uploadAsBrowser(created, bytes, 'Annual report 2026.pdf')).status).toBe(204);
    const document = await alice.processedDocument(created.id);
    expect(document).toMatchObject({
      id: created.id,
      owner: 'alice',
      status: 'processed',
      sha256: sha256(bytes),
      size: bytes.length,
      metadata: { pages: 3 },
    });
    const download = await fetch((document.download as { url: string }).url);
    expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(sha256(bytes));
  });

  it('serves the inspected bytes after the upload form is posted again with other bytes, and refuses that version (replay)', async () => {
    const original = makePdf(2);
    const created = await alice.createUpload('contract.pdf', 'application/pdf', 4096);
    expect((await uploadAsBrowser(created, original, 'contract.pdf')).status).toBe(204);
    const inspected = await alice.processedDocument(created.id);
    expect(inspected).toMatchObject({ status: 'processed', sha256: sha256(original) });

    // The attack: the presigned form is valid until it expires; post it again with other bytes.
    const evil = Buffer.from('EVIL replaced!!');
    expect((await uploadAsBrowser(created, evil, 'contract.pdf')).status).toBe(204);
    // The processor refuses the later version by deleting it from the inbox: wait until it has.
    const clients = clientsOfStack(stack.state);
    const bucket = stack.state.resources.buckets.find((b) => b.logicalId === 'DocumentsBucket')!.name;
    const keysUnder = async (prefix: string) =>
      (
        (await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []
      ).map((object) => object.Key!);
    try {
      const deadline = Date.now() + 30_000;
      while ((await keysUnder(created.key)).length > 0) {
        if (Date.now() > deadline) throw new Error('the re-posted version was never refused');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const after = await alice.processedDocument(created.id);
      const { download: before, ...manifestBefore } = inspected;
      const { download: now, ...manifestNow } = after;
      expect(manifestNow).toEqual(manifestBefore);
      const served = Buffer.from(await (await fetch((now as { url: string }).url)).arrayBuffer());
      expect(served).toEqual(original);
      expect(before).toBeTruthy();
      // Nothing of the later version is stored anywhere the document owns.
      const segment = Buffer.from('alice').toString('base64url');
      expect(await keysUnder(`quarantine/${segment}/${created.id}/`)).toEqual([]);
      expect(await keysUnder(`clean/${segment}/${created.id}/`)).toEqual([
        (inspected as { storedKey: string }).storedKey,
      ]);
    } finally {
      clients.destroy();
    }
  });

  it("keeps Alice's documents invisible to Bob in list, get, download and delete", async () => {
    const bytes = makePdf(1);
    const created = await alice.createUpload('private.pdf', 'application/pdf', bytes.length);
    expect((await uploadAsBrowser(created, bytes, 'private.pdf')).status).toBe(204);
    const aliceView = await alice.processedDocument(created.id);

    const bobList = (await (await bob.call('/documents')).json()) as { items: { id: string }[] };
    expect(bobList.items.map((item) => item.id)).not.toContain(created.id);
    const aliceList = (await (await alice.call('/documents')).json()) as { items: { id: string }[] };
    expect(aliceList.items.map((item) => item.id)).toContain(created.id);

    // Another owner's id answers exactly as an unknown one: nothing tells Bob it exists.
    const unknownId = '3f2b8c1e-7d4a-4e6b-9c0d-1a2b3c4d5e6f';
    const bobGet = await bob.call(`/documents/${created.id}`);
    const unknownGet = await bob.call(`/documents/${unknownId}`);
    expect(bobGet.status).toBe(404);
    expect(unknownGet.status).toBe(404);
    const bobError = ((await bobGet.json()) as { error: { code: string; message: string } }).error;
    const unknownError = ((await unknownGet.json()) as { error: { code: string; message: string } }).error;
    expect(bobError.code).toBe(unknownError.code);
    expect(bobError.message.replace(created.id, 'ID')).toBe(unknownError.message.replace(unknownId, 'ID'));

    expect((await bob.call(`/documents/${created.id}`, { method: 'DELETE' })).status).toBe(404);
    // Still there for Alice, and her download link still serves her bytes.
    const again = await alice.processedDocument(created.id);
    expect(again).toMatchObject({ id: created.id, sha256: aliceView.sha256 });
    const download = await fetch((again.download as { url: string }).url);
    expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(sha256(bytes));

    expect((await alice.call(`/documents/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await alice.call(`/documents/${created.id}`)).status).toBe(404);
  });

  // Attack: upload the EICAR test "virus". npm start's EICAR-only stand-in plays GuardDuty (tag + scan
  // result event through the template's EventBridge rule and queue to document-scan-result).
  it('malware scanning: the EICAR string ends infected, moved to quarantine/, never downloadable; a clean text file ends processed', async () => {
    // Built here from parts: the repository holds no EICAR file.
    const eicar = Buffer.from(
      ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR', '-STANDARD-ANTIVIRUS-TEST-FILE!$H', '+H*'].join(''),
      'latin1',
    );
    expect(createHash('md5').update(eicar).digest('hex')).toBe('44d88612fea8a8f36de82e1278abb02f');
    const infected = await alice.createUpload('invoice.txt', 'text/plain', eicar.length);
    expect((await uploadAsBrowser(infected, eicar, 'invoice.txt')).status).toBe(204);
    const clean = Buffer.from('A plain, harmless note.\n');
    const kept = await alice.createUpload('note.txt', 'text/plain', clean.length);
    expect((await uploadAsBrowser(kept, clean, 'note.txt')).status).toBe(204);

    const verdict = await alice.processedDocument(infected.id);
    expect(verdict).toMatchObject({
      status: 'infected',
      // Settled by whichever comes first: the scan tag (read by the processor) or the result event.
      reason: { code: 'MALWARE' },
      malwareScan: { status: 'THREATS_FOUND' },
      storedKey: expect.stringMatching(/^quarantine\//),
      download: null,
    });
    // The uploaded object itself leaves uploads/ (moved right after the manifest is written).
    const [bucket] = stack.state.resources.buckets;
    // Asked with the stack's credentials: the local S3, as AWS, answers an unsigned request 403.
    const clients = clientsOfStack(stack.state);
    const uploadStatus = async () => {
      try {
        await clients.s3.send(
          new HeadObjectCommand({ Bucket: bucket!.name, Key: String(verdict.uploadKey) }),
        );
        return 200;
      } catch (error) {
        return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      }
    };
    const deadline = Date.now() + 10_000;
    let status = await uploadStatus();
    while (status !== 404 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await uploadStatus();
    }
    clients.destroy();
    expect(status).toBe(404);
    // Stays infected: listing shows it so, and asking again never yields a download.
    const listed = (await (await alice.call('/documents')).json()) as {
      items: { id: string; status: string }[];
    };
    expect(listed.items.find((item) => item.id === infected.id)?.status).toBe('infected');
    expect(await alice.processedDocument(infected.id)).toMatchObject({ status: 'infected', download: null });

    const document = await alice.processedDocument(kept.id);
    expect(document).toMatchObject({ status: 'processed', malwareScan: { status: 'NO_THREATS_FOUND' } });
    const download = await fetch((document.download as { url: string }).url);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(clean);
  });

  it('refuses a token that lacks the route scope: read-only callers cannot upload or delete', async () => {
    const reader = apiClient(stack, await localToken(stack.state, { sub: 'alice', scope: 'documents/read' }));
    expect((await reader.call('/documents')).status).toBe(200);
    const upload = await reader.call('/documents', {
      method: 'POST',
      body: JSON.stringify({ filename: 'a.pdf', contentType: 'application/pdf', size: 10 }),
    });
    expect(upload.status).toBe(403);
    expect(await upload.json()).toEqual({ message: 'Forbidden' });
  });

  it('refuses every documents route without a token, with the body API Gateway sends', async () => {
    for (const [method, path] of [
      ['POST', '/documents'],
      ['GET', '/documents'],
      ['GET', '/documents/3f2b8c1e-7d4a-4e6b-9c0d-1a2b3c4d5e6f'],
      ['DELETE', '/documents/3f2b8c1e-7d4a-4e6b-9c0d-1a2b3c4d5e6f'],
    ] as const) {
      const response = await fetch(`${stack.state.http.url}${path}`, { method });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 401 });
      expect(await response.json()).toEqual({ message: 'Unauthorized' });
    }
  });

  it('ends a file whose content contradicts its declared type quarantined', async () => {
    const bytes = makePng(8, 8);
    const created = await alice.createUpload('scan.pdf', 'application/pdf', bytes.length);
    expect((await uploadAsBrowser(created, bytes, 'scan.pdf')).status).toBe(204);
    expect(await alice.processedDocument(created.id)).toMatchObject({
      status: 'quarantined',
      reason: { code: 'TYPE_MISMATCH' },
      download: null,
    });
  });

  it('has an upload over the declared size refused by S3 itself', async () => {
    expect(stack.state.emulators.s3.postPolicy).toBe('enforced');
    const created = await alice.createUpload('small.pdf', 'application/pdf', 100);
    const result = await uploadAsBrowser(created, makePdf(1, { padding: 1000 }), 'small.pdf');
    expect(result.status).toBe(400);
    expect(result.body).toContain('<Code>EntityTooLarge</Code>');
    expect((await alice.call(`/documents/${created.id}`)).status).toBe(404);
  });

  it('answers 413 for a declared size over the limit and 404 for an unknown document', async () => {
    const tooLarge = await alice.call('/documents', {
      method: 'POST',
      body: JSON.stringify({ filename: 'huge.pdf', contentType: 'application/pdf', size: 200 * 1024 * 1024 }),
    });
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await alice.call('/documents/3f2b8c1e-7d4a-4e6b-9c0d-1a2b3c4d5e6f')).status).toBe(404);
  });
});

describe('documents shared by a tenant, under a daily quota, through npm start', () => {
  const QUOTA = 3;
  let stack: LocalStackProcess;

  beforeAll(async () => {
    stack = await startLocalStack({
      env: { DOCUMENTS_OWNER_CLAIM: 'custom:tenant', DOCUMENTS_QUOTA_UPLOADS_PER_DAY: String(QUOTA) },
    });
  });

  afterAll(async () => {
    if (stack) await stack.stop().catch(() => undefined);
  });

  const member = async (sub: string, tenant?: string) =>
    apiClient(
      stack,
      await localToken(stack.state, { sub, ...(tenant ? { claims: { 'custom:tenant': tenant } } : {}) }),
    );

  it('lets two users of one tenant share documents, and keeps another tenant out', async () => {
    const [carol, dave, eve] = [
      await member('carol', 't1'),
      await member('dave', 't1'),
      await member('eve', 't2'),
    ];
    const bytes = makePdf(2);
    const created = await carol.createUpload('team plan.pdf', 'application/pdf', bytes.length);
    expect((await uploadAsBrowser(created, bytes, 'team plan.pdf')).status).toBe(204);
    expect(await dave.processedDocument(created.id)).toMatchObject({ owner: 't1', status: 'processed' });
    expect((await eve.call(`/documents/${created.id}`)).status).toBe(404);
  });

  it('answers 403 to a token without the tenant claim', async () => {
    const loner = await member('frank');
    const response = await loner.call('/documents');
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
  });

  it('answers 429 with Retry-After once the owner used up the day, and signs nothing more', async () => {
    const grace = await member('grace', 't3');
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let attempt = 0; attempt < QUOTA + 1; attempt += 1) {
      const response = await grace.call('/documents', {
        method: 'POST',
        body: JSON.stringify({ filename: `n${attempt}.pdf`, contentType: 'application/pdf', size: 10 }),
      });
      statuses.push(response.status);
      if (response.status === 429) refused = response;
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
    const retryAfter = Number(refused!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    const body = (await refused!.json()) as { error: { code: string; requestId: string }; upload?: unknown };
    expect(body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', requestId: expect.any(String) });
    expect(body.upload).toBeUndefined();
    // The quota is the owner's: another tenant still gets forms.
    const other = await member('heidi', 't4');
    const response = await other.call('/documents', {
      method: 'POST',
      body: JSON.stringify({ filename: 'x.pdf', contentType: 'application/pdf', size: 10 }),
    });
    expect(response.status).toBe(201);
  });
});
