import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createOfflineInvoker, InvokeRefusedError } from '../../../plugins/local-stack/invoker';

/** Listens on a free loopback port; resolves with the endpoint URL. */
async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** Closes the server and every connection kept alive on it. */
function closed(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * A stand-in for serverless-offline's Lambda API (the real one is exercised by the e2e spec): it
 * answers like offline does — 200 + payload, 200 + X-Amz-Function-Error for a throwing handler, 404 +
 * x-amzn-ErrorType for an unknown function.
 */
describe('createOfflineInvoker (Lambda Invoke over HTTP)', () => {
  let server: Server;
  let endpoint: string;
  const requests: { url: string; invocationType: string | undefined; body: string }[] = [];

  const readBody = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      const body = await readBody(request);
      requests.push({
        url: request.url!,
        invocationType: request.headers['x-amz-invocation-type'] as string,
        body,
      });
      const name = decodeURIComponent(request.url!.split('/')[3]!);
      if (name === 'throws') {
        response.writeHead(200, { 'X-Amz-Function-Error': 'Unhandled', 'content-type': 'application/json' });
        response.end(JSON.stringify({ errorMessage: 'boom', errorType: 'Error' }));
      } else if (name === 'silent') {
        response.writeHead(200);
        response.end();
      } else if (name === 'missing') {
        response.writeHead(404, { 'x-amzn-ErrorType': 'ResourceNotFoundException' });
        response.end(JSON.stringify({ Message: 'Function not found: missing', Type: 'User' }));
      } else if (name === 'garbled') {
        response.writeHead(502);
        response.end('not json');
      } else if (name === 'text') {
        response.writeHead(200);
        response.end('plain words');
      } else {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ echoed: JSON.parse(body) }));
      }
    });
    endpoint = await listening(server);
  });

  afterAll(() => closed(server));

  it('invokes RequestResponse (never Event) and returns the parsed payload', async () => {
    const invoke = createOfflineInvoker(endpoint);
    await expect(invoke('intake-local-fn', { a: 1 })).resolves.toEqual({ payload: { echoed: { a: 1 } } });
    expect(requests[0]).toMatchObject({
      url: '/2015-03-31/functions/intake-local-fn/invocations',
      invocationType: 'RequestResponse',
      body: '{"a":1}',
    });
  });

  it('reports a throwing handler as functionError with its error payload', async () => {
    const invoke = createOfflineInvoker(endpoint);
    await expect(invoke('throws', {})).resolves.toEqual({
      functionError: 'Unhandled',
      payload: { errorMessage: 'boom', errorType: 'Error' },
    });
  });

  it('returns an empty payload as undefined and a non-JSON one as text', async () => {
    const invoke = createOfflineInvoker(endpoint);
    await expect(invoke('silent', {})).resolves.toEqual({ payload: undefined });
    await expect(invoke('text', {})).resolves.toEqual({ payload: 'plain words' });
  });

  it('rejects an unknown function, named by the Lambda error type offline answers, since nothing ran', async () => {
    const refused = createOfflineInvoker(endpoint)('missing', {});
    await expect(refused).rejects.toBeInstanceOf(InvokeRefusedError);
    await expect(refused).rejects.toThrow('ResourceNotFoundException (404): Function not found: missing');
  });

  it('rejects an answer that is neither a result nor a Lambda error as a service error', async () => {
    await expect(createOfflineInvoker(endpoint)('garbled', {})).rejects.toThrow(
      'ServiceException (502): "not json"',
    );
  });

  it('sends an undefined event as JSON null', async () => {
    await createOfflineInvoker(endpoint)('silent', undefined);
    expect(requests.at(-1)!.body).toBe('null');
  });

  it('rejects when nothing listens, so callers know nothing ran', async () => {
    const invoke = createOfflineInvoker('http://127.0.0.1:1');
    await expect(invoke('any', {})).rejects.toThrow();
  });
});

/**
 * The race of keep-alive: the server closes a socket it considers idle just as the client sends the next
 * request on it. Played here by a server that destroys a reused socket without reading the request.
 */
describe('createOfflineInvoker on a kept-alive socket the server has closed', () => {
  let server: Server;
  let endpoint: string;
  const attempts: { name: string; socketRequest: number }[] = [];
  const servedBySocket = new WeakMap<object, number>();

  beforeAll(async () => {
    server = createServer((request, response) => {
      const served = (servedBySocket.get(request.socket) ?? 0) + 1;
      servedBySocket.set(request.socket, served);
      const name = decodeURIComponent(request.url!.split('/')[3]!);
      attempts.push({ name, socketRequest: served });
      if (name === 'drop-reused' && served > 1) return request.socket.destroy();
      if (name === 'drop-always') return request.socket.destroy();
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ran: name }));
      });
    });
    endpoint = await listening(server);
  });

  afterAll(() => closed(server));

  beforeEach(() => {
    attempts.length = 0;
  });

  it('sends the invocation again on a new socket, so the batch is not failed for a transport race', async () => {
    const invoke = createOfflineInvoker(endpoint);
    await expect(invoke('warm', {})).resolves.toEqual({ payload: { ran: 'warm' } });
    await expect(invoke('drop-reused', {})).resolves.toEqual({ payload: { ran: 'drop-reused' } });
    expect(attempts).toEqual([
      { name: 'warm', socketRequest: 1 },
      { name: 'drop-reused', socketRequest: 2 },
      { name: 'drop-reused', socketRequest: 1 },
    ]);
  });

  it('rejects a reset on a new socket without sending again: the function may have run', async () => {
    const invoke = createOfflineInvoker(endpoint);
    await expect(invoke('drop-always', {})).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(attempts).toEqual([{ name: 'drop-always', socketRequest: 1 }]);
  });
});
