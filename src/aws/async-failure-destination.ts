import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import type { AppError } from '../errors';
import { toIntegrationError } from './error-mapping';

/** What an asynchronously invoked function could not process, and why no retry can help. */
export interface AsyncFailure {
  /** The part of the invocation's event that failed, in the event's own shape. */
  readonly event: unknown;
  readonly failure: AppError;
  readonly context: Context;
}

/**
 * Stores a failure in the function's on-failure destination, then resolves: the caller may end the
 * invocation successfully, so Lambda does not retry it. Rejects when the destination did not take it,
 * so the caller fails the invocation instead and Lambda's retries still end there.
 */
export type AsyncFailureDestination = (failure: AsyncFailure) => Promise<void>;

/**
 * Why a record reached the destination without Lambda's retries. Lambda itself writes `RetriesExhausted`
 * or `EventAgeExceeded` there; this one is intake's, so an operator can tell the two apart.
 */
export const NOT_RETRYABLE_CONDITION = 'NotRetryable';

/**
 * An AsyncFailureDestination on an SQS queue (the function's `destinations.onFailure`), writing the record
 * Lambda writes there after its retries (`requestContext`, `requestPayload`, `responsePayload` with the
 * error), with condition NotRetryable. Needs `sqs:SendMessage` on the queue, which the destination
 * itself already requires of the function's role.
 */
export function sqsFailureDestination(client: SQSClient, queueUrl: string): AsyncFailureDestination {
  return async ({ event, failure, context }) => {
    const record = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: context.awsRequestId,
        functionArn: context.invokedFunctionArn,
        condition: NOT_RETRYABLE_CONDITION,
      },
      requestPayload: event,
      responseContext: {
        statusCode: 200,
        executedVersion: context.functionVersion,
        functionError: 'Handled',
      },
      responsePayload: { errorType: failure.name, errorCode: failure.code, errorMessage: failure.message },
    };
    try {
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(record) }));
    } catch (error) {
      throw toIntegrationError(error, { service: 'SQS', operation: 'SendMessage', resource: queueUrl });
    }
  };
}
