/* Test and benchmark infrastructure: never imported by a function. */
import { createServer, type Server } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { HttpHandler } from '../../src/middleware/http';

const textTypes = /^(text\/|application\/(json|x-www-form-urlencoded|xml)|[^;]*\+json)/i;

/**
 * Serves an HTTP API handler on 127.0.0.1 the way API Gateway (payload v2) calls it: lower-cased headers,
 * `{source}` from `/webhooks/<source>`, text bodies as UTF-8 and other content types base64 with
 * `isBase64Encoded`. For the reliability and fuzz runs, which need real sockets without serverless-offline.
 */
export async function serveHttpHandler(
  handler: HttpHandler,
  port = 0,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  let requestNumber = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers))
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
      const isText = textTypes.test(headers['content-type'] ?? 'text/plain');
      const source = /^\/webhooks\/([^/]+)$/.exec(url.pathname)?.[1];
      const requestId = `local-${++requestNumber}`;
      const event = {
        version: '2.0',
        routeKey: `${request.method} /webhooks/{source}`,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        ...(source === undefined ? {} : { pathParameters: { source: decodeURIComponent(source) } }),
        requestContext: { requestId, http: { method: request.method ?? 'POST', path: url.pathname } },
        body: isText ? raw.toString('utf8') : raw.toString('base64'),
        isBase64Encoded: !isText,
      } as unknown as APIGatewayProxyEventV2;
      const context = { awsRequestId: requestId, getRemainingTimeInMillis: () => 6000 } as unknown as Context;
      handler(event, context).then(
        (result) => {
          response.writeHead(result.statusCode, (result.headers ?? {}) as Record<string, string>);
          response.end(result.body ?? '');
        },
        () => {
          // The HTTP stack never rejects; if it did, this is the crash the runs look for.
          response.writeHead(599);
          response.end('handler crashed');
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
