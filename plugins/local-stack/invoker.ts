import { Agent, request } from 'node:http';

/** The outcome of one synchronous invoke: the handler's result, or its error under `functionError`. */
export interface InvocationResult {
  /** Set when the handler threw ('Unhandled') or returned an error, as the Lambda API reports it. */
  functionError?: string;
  payload: unknown;
}

/**
 * Runs a function by its deployed name with `event` and resolves with its result. Rejects only when the
 * function could not be reached at all (nothing ran), so callers can tell "failed" from "not delivered".
 */
export type Invoker = (functionName: string, event: unknown) => Promise<InvocationResult>;

/** Why an invoke was refused before anything ran (unknown function, bad request): Lambda's error type. */
export class InvokeRefusedError extends Error {
  constructor(
    readonly errorType: string,
    readonly statusCode: number,
    message: string,
  ) {
    super(`${errorType} (${statusCode}): ${message}`);
    this.name = 'InvokeRefusedError';
  }
}

function parsePayload(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function describePayload(payload: unknown): string {
  const fields = (payload ?? {}) as { Message?: unknown; message?: unknown };
  const message = fields.Message ?? fields.message;
  return typeof message === 'string' ? message : String(JSON.stringify(payload));
}

/**
 * An Invoker that calls serverless-offline's Lambda API at `endpoint` (RequestResponse: an `Event`
 * invoke of a throwing handler kills offline, so async semantics are emulated by the caller), as the
 * Lambda Invoke operation over plain keep-alive HTTP: offline checks no signature, and the SDK's
 * per-command middleware cost about as much CPU as the rest of the stack's hand-off, on every SQS batch
 * and every async invoke. 200 is a result (with `X-Amz-Function-Error` when the handler failed); any other
 * status means nothing ran (InvokeRefusedError, named by offline's `x-amzn-ErrorType`).
 */
export function createOfflineInvoker(endpoint: string): Invoker {
  const agent = new Agent({ keepAlive: true });
  const base = new URL(endpoint);
  const send = (functionName: string, body: Buffer, attemptsLeft: number): Promise<InvocationResult> =>
    new Promise<InvocationResult>((resolve, reject) => {
      const outgoing = request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method: 'POST',
          path: `/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`,
          headers: {
            'content-type': 'application/json',
            'content-length': body.length,
            'x-amz-invocation-type': 'RequestResponse',
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const payload = parsePayload(Buffer.concat(chunks).toString('utf8'));
            const status = response.statusCode ?? 0;
            if (status !== 200) {
              const errorType = response.headers['x-amzn-errortype'];
              return reject(
                new InvokeRefusedError(
                  typeof errorType === 'string' ? errorType : 'ServiceException',
                  status,
                  describePayload(payload),
                ),
              );
            }
            const functionError = response.headers['x-amz-function-error'];
            resolve(typeof functionError === 'string' ? { functionError, payload } : { payload });
          });
        },
      );
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed as idle just as it was reused: the request never reached
        // it, so nothing ran. Send it again on a new socket (as the SDK's retries did) rather than fail the
        // batch, whose messages would otherwise wait out their visibility timeout and end in the DLQ.
        if (outgoing.reusedSocket && attemptsLeft > 0 && STALE_SOCKET_CODES.has(error.code ?? '')) {
          send(functionName, body, attemptsLeft - 1).then(resolve, reject);
          return;
        }
        reject(error);
      });
      outgoing.end(body);
    });
  return (functionName, event) =>
    send(functionName, Buffer.from(JSON.stringify(event) ?? 'null'), MAX_STALE_SOCKET_RETRIES);
}

/** How a request on a socket the server had already closed fails (Node's http client). */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE']);

/** Each retry takes another pooled socket, which may be stale too; then a new one is opened. */
const MAX_STALE_SOCKET_RETRIES = 3;
