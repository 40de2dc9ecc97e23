import { DuplicateInFlightError } from '../../../src/errors';
import type { DeliveryGuards } from '../../../src/webhooks/idempotency';

/**
 * In-memory DeliveryGuards with Powertools' semantics: a completed key returns its stored result; a key in
 * progress (a duplicate running concurrently in the same batch) throws DuplicateInFlightError, as the
 * DynamoDB guards do; a failure stores nothing, so a retry runs the work again.
 */
export function memoryGuards(): DeliveryGuards & { completed: Map<string, unknown> } {
  const completed = new Map<string, unknown>();
  const inProgress = new Set<string>();
  const once =
    <R>(prefix: string) =>
    async (key: object, work: () => Promise<R>): Promise<R> => {
      const id = `${prefix}:${JSON.stringify(key)}`;
      if (completed.has(id)) return completed.get(id) as R;
      if (inProgress.has(id)) throw new DuplicateInFlightError(`${id} is already in progress`);
      inProgress.add(id);
      try {
        const result = await work();
        completed.set(id, result);
        return result;
      } finally {
        inProgress.delete(id);
      }
    };
  return {
    completed,
    deliveryOnce: once('delivery'),
    stepOnce: once('step'),
    registerContext: () => undefined,
  };
}
