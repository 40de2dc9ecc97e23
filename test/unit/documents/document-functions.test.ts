import type { Context, S3Event } from 'aws-lambda';
import type { HttpHandler } from '../../../src/middleware/http';
import type { S3Handler } from '../../../src/middleware/s3';
import notFoundEvent from '../../../events/http-not-found.json';
import unknownEvent from '../../../events/document-get-unknown.json';
import outsideEvent from '../../../events/s3-outside-uploads.json';
import deletedEvent from '../../../events/s3-upload-deleted.json';

const context = { awsRequestId: 'unit', functionName: 'documents' } as Context;
const environment = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  DOCUMENTS_BUCKET: 'intake-test-documents',
  DOCUMENTS_QUEUE_URL: 'http://127.0.0.1:1/000000000000/documents',
};

// The entry points read their configuration at module scope: each case loads a fresh copy with its env.
function load<H>(modulePath: string, env: Record<string, string | undefined>): H {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    let handler: H | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = (require(modulePath) as { handler: H }).handler;
    });
    return handler!;
  } finally {
    process.env = saved;
  }
}

describe('documents entry points', () => {
  it('documents-api wires the routes: an unknown id or route answers 404 without touching AWS', async () => {
    const handler = load<HttpHandler>('../../../functions/documents-api', environment);
    expect((await handler(unknownEvent as never, context)).statusCode).toBe(404);
    expect((await handler(notFoundEvent as never, context)).statusCode).toBe(404);
  });

  it('document-process wires the processor: events outside uploads/ and deletions are skipped', async () => {
    const handler = load<S3Handler>('../../../functions/document-process', environment);
    await expect(handler(outsideEvent as S3Event, context)).resolves.toBeUndefined();
    await expect(handler(deletedEvent as S3Event, context)).resolves.toBeUndefined();
  });

  it.each(['../../../functions/document-process', '../../../functions/documents-api'])(
    '%s refuses to load without its configuration, naming what is missing',
    (modulePath) => {
      expect(() => load(modulePath, { ...environment, DOCUMENTS_BUCKET: '' })).toThrow(
        /DOCUMENTS_BUCKET is missing/,
      );
    },
  );
});
