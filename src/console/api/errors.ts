import { AppError } from '../../errors';

/** No delivery record with this receipt (never received, or expired by the history's TTL): 404. */
export class DeliveryNotFoundError extends AppError {
  constructor(receipt: string) {
    super(
      'DELIVERY_NOT_FOUND',
      `No delivery with receipt ${JSON.stringify(receipt.slice(0, 128))}`,
      404,
      false,
    );
  }
}

/** The console names a queue that it does not manage: 404. */
export class QueueNotFoundError extends AppError {
  constructor(name: string) {
    super('QUEUE_NOT_FOUND', `No queue named ${JSON.stringify(name.slice(0, 64))}`, 404, false);
  }
}

/** A dead letter to redrive by id that is not (or no longer) in the DLQ: 404. */
export class DeadLetterNotFoundError extends AppError {
  constructor(messageId: string) {
    super(
      'MESSAGE_NOT_FOUND',
      `No message ${JSON.stringify(messageId.slice(0, 128))} in the dead-letter queue`,
      404,
      false,
    );
  }
}

/** A replay that cannot run as asked (nothing archived yet, a filter matching too much): 409 or 400. */
export class ReplayRefusedError extends AppError {
  constructor(code: 'NOT_ARCHIVED' | 'TOO_MANY_DELIVERIES' | 'FILTER_TOO_WIDE', message: string) {
    super(code, message, code === 'NOT_ARCHIVED' ? 409 : 400, false);
  }
}
