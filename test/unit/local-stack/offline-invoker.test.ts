import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOfflineInvoker, InvokeRefusedError } from '../../../plugins/local-stack/invoker';

/** Stands in for serverless-offline's Lambda API: answers as its invocations route does. */
function offlineLambdaApi(): Promise<{
  endpoint: string;
  requests: { url: string; headers: IncomingMessage['headers']; body: string }[];
  server: Server;
}> {
  const requests: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ url: request.url ?? '', headers: request.headers, body });
      const name = decodeURIComponent(/functions\/([^/]+)\//.exec(request.url ?? '')?.[1] ?? '');
      if (name === 'missing') {
        response.writeHead(404, { 'x-amzn-ErrorType': 'ResourceNotFoundException' });
        return response.end(JSON.stringify({ Message: 'Function not found: missing', Type: 'User' }));
      }
      if (name === 'garbled') {
        response.writeHead(502);
        return response.end('not json');
      }
      if (name === 'throws') {
        response.writeHead(200, { 'X-Amz-Function-Error': 'Unhandled' });
        return response.end(JSON.stringify({ errorMessage: 'boom', errorType: 'Error' }));
      }
      if (name === 'silent') return response.writeHead(200).end();
      response.writeHead(200).end(JSON.stringify({ echo: JSON.parse(body) as unknown }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server }),
    ),
  );
}

describe('createOfflineInvoker', () => {
  let api: Awaited<ReturnType<typeof offlineLambdaApi>>;
  beforeAll(async () => {
    api = await offlineLambdaApi();
  });
  afterAll(async () => {
    api.server.closeAllConnections();
    await new Promise((resolve) => api.server.close(resolve));
  });

  it('posts the event as a RequestResponse invoke of the named function and resolves with its JSON result', async () => {
    const invoke = createOfflineInvoker(api.endpoint);
    await expect(invoke('intake-local-webhook-process', { Records: [1] })).resolves.toEqual({
      payload: { echo: { Records: [1] } },
    });
    const sent = api.requests.at(-1)!;
    expect(sent.url).toBe('/2015-03-31/functions/intake-local-webhook-process/invocations');
    expect(sent.headers['x-amz-invocation-type']).toBe('RequestResponse');
    expect(JSON.parse(sent.body)).toEqual({ Records: [1] });
  });

  it('reports a handler that threw as a function error with its error payload, not as a rejection', async () => {
    await expect(createOfflineInvoker(api.endpoint)('throws', {})).resolves.toEqual({
      functionError: 'Unhandled',
      payload: { errorMessage: 'boom', errorType: 'Error' },
    });
  });

  it('resolves an empty answer as an undefined payload and sends an undefined event as null', async () => {
    await expect(createOfflineInvoker(api.endpoint)('silent', undefined)).resolves.toEqual({
      payload: undefined,
    });
    expect(api.requests.at(-1)!.body).toBe('null');
  });

  it('rejects when nothing ran: an unknown function, named by the Lambda error type offline gives', async () => {
    const refused = createOfflineInvoker(api.endpoint)('missing', {});
    await expect(refused).rejects.toBeInstanceOf(InvokeRefusedError);
    await expect(refused).rejects.toThrow('ResourceNotFoundException (404): Function not found: missing');
  });

  it('rejects an answer that is neither a result nor a Lambda error as a service error', async () => {
    await expect(createOfflineInvoker(api.endpoint)('garbled', {})).rejects.toThrow(
      'ServiceException (502): "not json"',
    );
  });

  it('rejects when offline does not listen', async () => {
    await expect(createOfflineInvoker('http://127.0.0.1:1')('any', {})).rejects.toThrow(/ECONNREFUSED/);
  });
});
