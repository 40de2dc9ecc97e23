/**
 * Documents end to end through `npm start`: the real API (serverless-offline), the real S3 notification
 * to document-process, uploads sent as a browser sends them.
 */
import { createHash } from 'node:crypto';
import { startLocalStack, type LocalStackProcess } from '../helpers/local-stack-process';
import { makePdf, makePng } from '../unit/documents/document-fixtures';

jest.setTimeout(120_000);

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface CreatedUpload {
  id: string;
  key: string;
  upload: { url: string; fields: Record<string, string> };
}

describe('documents through npm start', () => {
  let stack: LocalStackProcess;

  beforeAll(async () => {
    stack = await startLocalStack();
  });

  afterAll(async () => {
    if (stack) await stack.stop().catch(() => undefined);
  });

  const url = (path: string) => `${stack.state.http.url}${path}`;

  async function createUpload(filename: string, contentType: string, size: number): Promise<CreatedUpload> {
    const response = await fetch(url('/documents'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filename, contentType, size }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as CreatedUpload;
  }

  async function uploadAsBrowser(created: CreatedUpload, bytes: Buffer, filename: string) {
    const form = new FormData();
    for (const [name, value] of Object.entries(created.upload.fields)) form.append(name, value);
    form.append('file', new Blob([new Uint8Array(bytes)]), filename);
    const response = await fetch(created.upload.url, { method: 'POST', body: form });
    return { status: response.status, body: await response.text() };
  }

  /** GET /documents/{id} until it is no longer pending (or missing), within `timeoutMs`. */
  async function processedDocument(id: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const response = await fetch(url(`/documents/${id}`));
      if (response.status === 200) {
        const body = (await response.json()) as Record<string, unknown>;
        if (body.status !== 'pending') return body;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`document ${id} was not processed within ${timeoutMs} ms`);
  }

  it('POST /documents → browser upload → manifest: processed, with the SHA-256 of the bytes sent', async () => {
    const bytes = makePdf(3);
    const created = await createUpload('Annual report 2026.pdf', 'application/pdf', bytes.length);
    expect((await uploadAsBrowser(created, bytes, 'Annual report 2026.pdf')).status).toBe(204);
    const document = await processedDocument(created.id);
    expect(document).toMatchObject({
      id: created.id,
      status: 'processed',
      sha256: sha256(bytes),
      size: bytes.length,
      metadata: { pages: 3 },
    });
    const download = await fetch((document.download as { url: string }).url);
    expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(sha256(bytes));
  });

  it('ends a file whose content contradicts its declared type quarantined', async () => {
    const bytes = makePng(8, 8);
    const created = await createUpload('scan.pdf', 'application/pdf', bytes.length);
    expect((await uploadAsBrowser(created, bytes, 'scan.pdf')).status).toBe(204);
    expect(await processedDocument(created.id)).toMatchObject({
      status: 'quarantined',
      reason: { code: 'TYPE_MISMATCH' },
      download: null,
    });
  });

  it('has an upload over the declared size refused by S3 itself', async () => {
    expect(stack.state.emulators.s3.postPolicy).toBe('enforced');
    const created = await createUpload('small.pdf', 'application/pdf', 100);
    const result = await uploadAsBrowser(created, makePdf(1, { padding: 1000 }), 'small.pdf');
    expect(result.status).toBe(400);
    expect(result.body).toContain('<Code>EntityTooLarge</Code>');
    expect((await fetch(url(`/documents/${created.id}`))).status).toBe(404);
  });

  it('answers 413 for a declared size over the limit and 404 for an unknown document', async () => {
    const tooLarge = await fetch(url('/documents'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'huge.pdf', contentType: 'application/pdf', size: 200 * 1024 * 1024 }),
    });
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await fetch(url('/documents/3f2b8c1e-7d4a-4e6b-9c0d-1a2b3c4d5e6f'))).status).toBe(404);
  });
});
