import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { LOCAL_CREDENTIALS } from '../../../plugins/local-stack/handler-environment';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AsyncFailureRecord, AsyncInvokePolicy } from '../../../plugins/local-stack/async-invoke';
import type { InvocationResult } from '../../../plugins/local-stack/invoker';
import {
  ASYNC_PAYLOAD_LIMIT_BYTES,
  functionNameOf,
  startLocalLambdaApi,
  type LocalLambdaApi,
} from '../../../plugins/local-stack/lambda-api';
import { silentLog } from '../../../plugins/local-stack/log';

/**
 * The Lambda API functions are given locally, over real sockets with the real SDK client: `Event` invokes
 * are accepted at once and run (with retries and on-failure destinations) through the injected invoker;
 * everything else reaches a stand-in for serverless-offline's Lambda API unchanged.
 */
describe('local Lambda API (async invokes queued, the rest passed to offline)', () => {
  let offline: Server;
  let offlineEndpoint: string;
  const offlineRequests: { url: string; invocationType: string | undefined; body: string }[] = [];
  const invocations: { functionName: string; event: unknown }[] = [];
  const failures: AsyncFailureRecord[] = [];
  let api: LocalLambdaApi;
  let lambda: LambdaClient;
  /** What the injected invoker answers, per function name. */
  const outcome = new Map<string, () => Promise<InvocationResult>>();

  const policy = (functionName: string, withDestination: boolean): AsyncInvokePolicy => ({
    functionName,
    functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    maximumRetryAttempts: 1,
    retryDelaysMs: [10],
    ...(withDestination ? { sendToOnFailure: async (record) => void failures.push(record) } : {}),
  });

  beforeAll(async () => {
    offline = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        offlineRequests.push({
          url: request.url!,
          invocationType: request.headers['x-amz-invocation-type'] as string | undefined,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        response.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
        response.end(JSON.stringify({ answeredBy: 'offline' }));
      });
    });
    await new Promise<void>((resolve) => offline.listen(0, '127.0.0.1', resolve));
    offlineEndpoint = `http://127.0.0.1:${(offline.address() as { port: number }).port}`;
    api = await startLocalLambdaApi({
      offlineEndpoint,
      policies: new Map([
        ['intake-local-downstream', policy('intake-local-downstream', true)],
        ['intake-local-no-destination', policy('intake-local-no-destination', false)],
      ]),
      invoke: async (functionName, event) => {
        invocations.push({ functionName, event });
        return (outcome.get(functionName) ?? (async () => ({ payload: null })))();
      },
      log: silentLog,
    });
    lambda = new LambdaClient({
      endpoint: api.endpoint,
      region: 'us-east-1',
      credentials: { ...LOCAL_CREDENTIALS },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    lambda.destroy();
    await api.stop();
    await new Promise<void>((resolve) => offline.close(() => resolve()));
  });

  beforeEach(() => {
    invocations.length = 0;
    offlineRequests.length = 0;
    failures.length = 0;
    outcome.clear();
  });

  const invokeEvent = (FunctionName: string, payload: unknown) =>
    lambda.send(
      new InvokeCommand({
        FunctionName,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify(payload)),
      }),
    );

  it('answers an Event invoke 202 before the function has run, then runs it once with the event', async () => {
    let release!: () => void;
    const running = new Promise<void>((resolve) => (release = resolve));
    outcome.set('intake-local-downstream', async () => {
      await running;
      return { payload: null };
    });
    const answer = await invokeEvent('intake-local-downstream', { id: 'delivery-1' });
    expect(answer.StatusCode).toBe(202);
    expect(invocations).toEqual([{ functionName: 'intake-local-downstream', event: { id: 'delivery-1' } }]);
    release();
    await api.drain();
    expect(invocations).toHaveLength(1);
    expect(offlineRequests).toEqual([]);
  });

  it('accepts the function by ARN and with a qualifier, as Lambda does', async () => {
    await invokeEvent('arn:aws:lambda:us-east-1:000000000000:function:intake-local-downstream:$LATEST', {
      n: 1,
    });
    await invokeEvent('intake-local-downstream:$LATEST', { n: 2 });
    await api.drain();
    expect(invocations.map(({ event }) => event)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(functionNameOf('arn:aws:lambda:us-east-1:1:function:fn:prod')).toBe('fn');
  });

  it('retries a failing function, then sends the failure record to its on-failure destination', async () => {
    outcome.set('intake-local-downstream', async () => ({
      functionError: 'Unhandled',
      payload: { errorMessage: 'downstream is down' },
    }));
    const answer = await invokeEvent('intake-local-downstream', { id: 'poison' });
    expect(answer.StatusCode).toBe(202);
    await api.drain();
    expect(invocations).toHaveLength(2);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 2 },
      requestPayload: { id: 'poison' },
      responsePayload: { errorMessage: 'downstream is down' },
    });
  });

  it('survives an invoker that cannot reach the function (retried, then dropped with no destination)', async () => {
    outcome.set('intake-local-no-destination', () => Promise.reject(new Error('connection refused')));
    await expect(invokeEvent('intake-local-no-destination', {})).resolves.toMatchObject({ StatusCode: 202 });
    await api.drain();
    expect(invocations).toHaveLength(2);
    await expect(invokeEvent('intake-local-downstream', { after: true })).resolves.toMatchObject({
      StatusCode: 202,
    });
  });

  it('refuses an unknown function with ResourceNotFoundException and runs nothing', async () => {
    await expect(invokeEvent('intake-local-missing', {})).rejects.toBeInstanceOf(ResourceNotFoundException);
    await api.drain();
    expect(invocations).toEqual([]);
  });

  it('refuses a function name with broken percent-encoding (400) and keeps serving', async () => {
    const answer = await fetch(`${api.endpoint}/2015-03-31/functions/%E0%A4%A/invocations`, {
      method: 'POST',
      headers: { 'x-amz-invocation-type': 'Event' },
      body: '{}',
    });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('x-amzn-errortype')).toBe('InvalidParameterValueException');
    await expect(invokeEvent('intake-local-downstream', {})).resolves.toMatchObject({ StatusCode: 202 });
  });

  it('answers 400 to a request target that is not a URL, whatever the invocation type', async () => {
    const rawRequest = (invocationType: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(api.port, '127.0.0.1', () =>
          socket.write(
            `POST http://[ HTTP/1.1\r\nhost: x\r\nx-amz-invocation-type: ${invocationType}\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}`,
          ),
        );
        let answer = '';
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
      });
    expect(await rawRequest('Event')).toMatch(/^HTTP\/1\.1 400[^]*not a URL/);
    expect(await rawRequest('RequestResponse')).toMatch(/^HTTP\/1\.1 400[^]*not a URL/);
    await expect(invokeEvent('intake-local-downstream', {})).resolves.toMatchObject({ StatusCode: 202 });
  });

  it('refuses a payload over the async limit (413) and one that is not JSON (400)', async () => {
    const url = `${api.endpoint}/2015-03-31/functions/intake-local-downstream/invocations`;
    const headers = { 'x-amz-invocation-type': 'Event' };
    const tooLarge = await fetch(url, {
      method: 'POST',
      headers,
      body: `"${'x'.repeat(ASYNC_PAYLOAD_LIMIT_BYTES)}"`,
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('x-amzn-errortype')).toBe('RequestTooLargeException');
    const notJson = await fetch(url, { method: 'POST', headers, body: '{not json' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ message: expect.stringContaining('json') });
    const empty = await fetch(url, { method: 'POST', headers, body: '' });
    expect(empty.status).toBe(202);
    await api.drain();
    expect(invocations).toEqual([{ functionName: 'intake-local-downstream', event: {} }]);
  });

  it('passes RequestResponse invokes to offline unchanged and relays its answer', async () => {
    const answer = await lambda.send(
      new InvokeCommand({ FunctionName: 'intake-local-downstream', Payload: Buffer.from('{"sync":true}') }),
    );
    expect(answer.StatusCode).toBe(200);
    expect(JSON.parse(Buffer.from(answer.Payload!).toString('utf8'))).toEqual({ answeredBy: 'offline' });
    expect(offlineRequests).toEqual([
      {
        url: '/2015-03-31/functions/intake-local-downstream/invocations',
        // The SDK sends no invocation type for the default (RequestResponse).
        invocationType: undefined,
        body: '{"sync":true}',
      },
    ]);
    expect(invocations).toEqual([]);
  });

  it('answers a DryRun invoke as Lambda does: 204 and nothing run, 404 for an unknown function', async () => {
    const dryRun = (FunctionName: string) =>
      lambda.send(new InvokeCommand({ FunctionName, InvocationType: 'DryRun', Payload: Buffer.from('{}') }));
    await expect(dryRun('intake-local-downstream')).resolves.toMatchObject({ StatusCode: 204 });
    await expect(
      dryRun('arn:aws:lambda:us-east-1:000000000000:function:intake-local-no-destination'),
    ).resolves.toMatchObject({ StatusCode: 204 });
    await expect(dryRun('intake-local-missing')).rejects.toBeInstanceOf(ResourceNotFoundException);
    await api.drain();
    expect(invocations).toEqual([]);
    expect(offlineRequests).toEqual([]);
  });

  it('answers 502 with a Lambda error when offline does not answer', async () => {
    const orphan = await startLocalLambdaApi({
      offlineEndpoint: 'http://127.0.0.1:1',
      policies: new Map(),
      invoke: async () => ({ payload: null }),
      log: silentLog,
    });
    try {
      const answer = await fetch(`${orphan.endpoint}/2015-03-31/functions/fn/invocations`, {
        method: 'POST',
        body: '{}',
      });
      expect(answer.status).toBe(502);
      expect(answer.headers.get('x-amzn-errortype')).toBe('ServiceException');
    } finally {
      await orphan.stop();
    }
  });
});
