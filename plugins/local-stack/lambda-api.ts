import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AsyncInvokePolicy } from './async-invoke';
import { invokeAsync } from './async-invoke';
import type { Invoker } from './invoker';
import type { LocalLog } from './log';

export interface LocalLambdaApiOptions {
  /** serverless-offline's Lambda API: everything but `Event` invokes goes there unchanged. */
  offlineEndpoint: string;
  /** The async-invoke policy of every function, by deployed name. */
  policies: ReadonlyMap<string, AsyncInvokePolicy>;
  /** Runs one attempt (RequestResponse); offline's instances per function are capped (function-pool-limit.ts). */
  invoke: Invoker;
  log: LocalLog;
  /** Port to listen on (0: any free one). */
  port?: number;
}

export interface LocalLambdaApi {
  endpoint: string;
  port: number;
  /** Resolves once every accepted async invoke has finished (retries and destinations included). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** Lambda's payload limit for asynchronous invocations (1 MB since late 2025). */
export const ASYNC_PAYLOAD_LIMIT_BYTES = 1024 * 1024;

const invocationsPath = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * The Lambda API the functions are given locally (their AWS_ENDPOINT_URL_LAMBDA). An `Event` invoke is
 * answered 202 at once and queued, as Lambda does: run when one of the function's (capped) instances is
 * free, retried with its maximumRetryAttempts, then sent to its on-failure destination. serverless-offline would start
 * it at once in a new worker thread however many are running, and a handler that throws there takes the
 * whole process down. A `DryRun` invoke is answered here too (offline refuses it). Every other request
 * (RequestResponse) is passed to offline untouched.
 */
export async function startLocalLambdaApi(options: LocalLambdaApiOptions): Promise<LocalLambdaApi> {
  const pending = new Set<Promise<boolean>>();
  const server = createServer((request, response) => {
    const match = invocationsPath.exec(pathOf(request.url));
    const invocationType = request.headers['x-amz-invocation-type'];
    if (request.method === 'POST' && match && (invocationType === 'Event' || invocationType === 'DryRun')) {
      const target = decodedSegment(match[1]!);
      if (target === undefined) {
        request.resume();
        return lambdaError(response, 400, 'InvalidParameterValueException', 'The function name is not valid');
      }
      if (invocationType === 'DryRun') return answerDryRun(target, request, response);
      acceptAsyncInvoke(target, request, response).catch(() => response.destroy());
    } else {
      forwardToOffline(options.offlineEndpoint, request, response);
    }
  });

  /**
   * A DryRun invoke, answered as Lambda does: 204 with no body and nothing run when the function exists,
   * 404 ResourceNotFoundException otherwise. (serverless-offline rejects DryRun as unsupported.)
   */
  function answerDryRun(target: string, request: IncomingMessage, response: ServerResponse): void {
    request.resume();
    if (!options.policies.has(functionNameOf(target))) {
      return lambdaError(response, 404, 'ResourceNotFoundException', `Function not found: ${target}`);
    }
    response.writeHead(204, { 'x-amzn-requestid': randomUUID() }).end();
  }

  async function acceptAsyncInvoke(target: string, request: IncomingMessage, response: ServerResponse) {
    const policy = options.policies.get(functionNameOf(target));
    const body = await readBody(request, ASYNC_PAYLOAD_LIMIT_BYTES);
    if (policy === undefined) {
      return lambdaError(response, 404, 'ResourceNotFoundException', `Function not found: ${target}`);
    }
    if (body === undefined) {
      return lambdaError(
        response,
        413,
        'RequestTooLargeException',
        `Request must be smaller than ${ASYNC_PAYLOAD_LIMIT_BYTES} bytes for the InvokeAsync operation`,
      );
    }
    let event: unknown;
    try {
      event = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return lambdaError(
        response,
        400,
        'InvalidRequestContentException',
        'Could not parse request body into json',
      );
    }
    const delivery = invokeAsync(options.invoke, event, policy, options.log);
    pending.add(delivery);
    void delivery.finally(() => pending.delete(delivery));
    response.writeHead(202, { 'x-amzn-requestid': randomUUID(), 'content-length': '0' }).end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    drain: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The path of a request target; empty for one that is not a URL (it then matches no route). */
function pathOf(target: string | undefined): string {
  try {
    return new URL(target ?? '/', 'http://local').pathname;
  } catch {
    return '';
  }
}

/** A percent-decoded path segment, or undefined when its encoding is broken (`%E0%A4%A`). */
function decodedSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** `name`, `name:qualifier`, or a (partial) ARN → the function name. */
export function functionNameOf(target: string): string {
  const afterFunction = target.includes(':function:') ? target.split(':function:')[1]! : target;
  return afterFunction.split(':')[0]!;
}

/** The body, or undefined when it is larger than `limit` bytes (the rest is drained, not kept). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function lambdaError(response: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ Type: 'User', message });
  response
    .writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-errortype': type,
      'x-amzn-requestid': randomUUID(),
      'content-length': String(Buffer.byteLength(body)),
    })
    .end(body);
}

function forwardToOffline(offlineEndpoint: string, request: IncomingMessage, response: ServerResponse): void {
  let target: URL;
  try {
    target = new URL(request.url ?? '/', offlineEndpoint);
  } catch {
    request.resume();
    return lambdaError(response, 400, 'InvalidRequestContentException', 'The request target is not a URL');
  }
  const upstream = httpRequest(target, { method: request.method, headers: request.headers }, (answer) => {
    response.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(response);
  });
  upstream.on('error', (error) => {
    if (response.headersSent) return void response.destroy(error);
    lambdaError(
      response,
      502,
      'ServiceException',
      `serverless-offline's Lambda API did not answer: ${error.message}`,
    );
  });
  request.pipe(upstream);
}
