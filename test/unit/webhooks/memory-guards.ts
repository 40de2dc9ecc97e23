import type { DeliveryGuards } from '../../../src/webhooks/idempotency';

/** In-memory DeliveryGuards with Powertools' semantics: a completed key returns its stored result; a failure stores nothing. */
export function memoryGuards(): DeliveryGuards & { completed: Map<string, unknown> } {
  const completed = new Map<string, unknown>();
  const once =
    <R>(prefix: string) =>
    async (key: object, work: () => Promise<R>): Promise<R> => {
      const id = `${prefix}:${JSON.stringify(key)}`;
      if (completed.has(id)) return completed.get(id) as R;
      const result = await work();
      completed.set(id, result);
      return result;
    };
  return {
    completed,
    deliveryOnce: once('delivery'),
    dispatchOnce: once('dispatch'),
    registerContext: () => undefined,
  };
}
