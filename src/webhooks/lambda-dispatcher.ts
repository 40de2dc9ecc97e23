import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { toIntegrationError } from '../aws/error-mapping';

/** Hands a payload to a downstream function; rejects (retryable or not) when the invoke was not accepted. */
export type DispatchToFunction = (functionKey: string, payload: string) => Promise<void>;

/**
 * Async-invokes (`InvocationType: 'Event'`) `<functionNamePrefix><functionKey>`: Lambda queues the event
 * and retries the function itself, so success here means accepted, not processed. SDK errors are mapped
 * to IntegrationErrors; a non-202 answer is a ServiceUnavailable-style failure via the mapping.
 */
export function lambdaDispatcher(client: LambdaClient, functionNamePrefix: string): DispatchToFunction {
  return async (functionKey, payload) => {
    const functionName = `${functionNamePrefix}${functionKey}`;
    let status: number | undefined;
    try {
      const response = await client.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'Event',
          Payload: Buffer.from(payload, 'utf8'),
        }),
      );
      status = response.StatusCode;
    } catch (error) {
      throw toIntegrationError(error, { service: 'Lambda', operation: 'Invoke', resource: functionName });
    }
    if (status !== 202) {
      throw toIntegrationError(
        { name: 'UnexpectedInvokeStatus', $fault: 'server', $metadata: { httpStatusCode: status } },
        { service: 'Lambda', operation: 'Invoke', resource: functionName },
      );
    }
  };
}
