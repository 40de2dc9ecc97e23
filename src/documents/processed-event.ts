import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { toIntegrationError } from '../aws/error-mapping';
import type { DocumentManifest } from './manifest';

/** The `document.processed` message: enough for a consumer to act without fetching the manifest. */
export interface DocumentProcessedEvent {
  type: 'document.processed';
  id: string;
  status: DocumentManifest['status'];
  reason: DocumentManifest['reason'];
  key: string;
  manifestKey: string;
  size: number;
  sha256: string;
  detectedType: string;
  processedAt: string;
}

/** Builds the event for a manifest stored at `manifestKey`. */
export function documentProcessedEvent(
  manifest: DocumentManifest,
  manifestKey: string,
): DocumentProcessedEvent {
  return {
    type: 'document.processed',
    id: manifest.id,
    status: manifest.status,
    reason: manifest.reason,
    key: manifest.storedKey,
    manifestKey,
    size: manifest.size,
    sha256: manifest.sha256,
    detectedType: manifest.detectedType.mime,
    processedAt: manifest.processedAt,
  };
}

export type PublishDocumentEvent = (event: DocumentProcessedEvent) => Promise<void>;

/** Publishes to the documents queue; an SDK failure becomes an IntegrationError (the run is retried). */
export function sqsDocumentEventPublisher(client: SQSClient, queueUrl: string): PublishDocumentEvent {
  return async (event) => {
    try {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(event),
          MessageAttributes: { type: { DataType: 'String', StringValue: event.type } },
        }),
      );
    } catch (error) {
      throw toIntegrationError(error, { service: 'SQS', operation: 'SendMessage' });
    }
  };
}
