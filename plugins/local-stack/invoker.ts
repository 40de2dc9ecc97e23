import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { LOCAL_CREDENTIALS } from './handler-environment';

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

function parsePayload(bytes: Uint8Array | undefined): unknown {
  const text = bytes ? Buffer.from(bytes).toString('utf8') : '';
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * An Invoker that calls serverless-offline's Lambda API at `endpoint` (RequestResponse: an `Event`
 * invoke of a throwing handler kills offline, so async semantics are emulated by the caller).
 */
export function createOfflineInvoker(endpoint: string, region: string): Invoker {
  const client = new LambdaClient({
    endpoint,
    region,
    credentials: { ...LOCAL_CREDENTIALS },
    maxAttempts: 1,
  });
  return async (functionName, event) => {
    const response = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: Buffer.from(JSON.stringify(event)),
      }),
    );
    const payload = parsePayload(response.Payload);
    return response.FunctionError ? { functionError: response.FunctionError, payload } : { payload };
  };
}
