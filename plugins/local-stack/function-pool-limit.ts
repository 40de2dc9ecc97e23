/** What the local stack uses of a serverless-offline LambdaFunction (one warm instance: a worker thread). */
export interface PooledFunction {
  readonly status: string;
  setEvent(event: unknown): void;
  setClientContext?(clientContext: unknown): void;
  runHandler(): Promise<unknown>;
  cleanup(): Promise<unknown>;
}

/** serverless-offline's LambdaFunctionPool: hands out an idle instance of a function, else a new one. */
export interface FunctionPoolPrototype {
  get(this: object, functionKey: string, functionDefinition: unknown): PooledFunction;
}

/**
 * The instances one function may run locally: the stack's INTAKE_FUNCTION_CONCURRENCY, or less when the
 * function declares `reservedConcurrency` (AWS runs no more than that at once; the rest waits).
 */
export function instanceLimit(
  stackLimit: number,
  definition: { reservedConcurrency?: unknown } | undefined,
): number {
  const reserved = definition?.reservedConcurrency;
  return typeof reserved === 'number' && Number.isInteger(reserved) && reserved >= 1
    ? Math.min(stackLimit, reserved)
    : stackLimit;
}

/** Instances handed out so far for one function, and the invocations waiting for one of them. */
interface FunctionLane {
  readonly instances: Set<PooledFunction>;
  readonly waiting: (() => void)[];
}

/** serverless-offline's `LambdaFunctionPool.prototype.get`, or a wrapper of it. */
export type PoolGet = FunctionPoolPrototype['get'];

/**
 * Caps the instances (worker threads) serverless-offline keeps per function at `limitFor(functionKey)`:
 * an invocation that finds every instance busy waits for the next one to finish, in arrival order,
 * instead of getting a new instance. Offline starts a worker thread — a cold start of its own — for every
 * concurrent invocation and keeps it for minutes, so under a steady load a few slow answers snowball into
 * dozens of cold starts competing for the same cores (on AWS each would have its own). Returns the
 * pool's new `get` (upstream-internals.ts puts it in place).
 */
export function limitedPoolGet(originalGet: PoolGet, limitFor: (functionKey: string) => number): PoolGet {
  const lanes = new WeakMap<object, Map<string, FunctionLane>>();

  const laneOf = (pool: object, functionKey: string): FunctionLane => {
    let byKey = lanes.get(pool);
    if (byKey === undefined) lanes.set(pool, (byKey = new Map()));
    let lane = byKey.get(functionKey);
    if (lane === undefined) byKey.set(functionKey, (lane = { instances: new Set(), waiting: [] }));
    return lane;
  };

  /** Tracks an instance: when one of its runs ends, the next waiting invocation takes it (synchronously). */
  const adopt = (lane: FunctionLane, instance: PooledFunction): PooledFunction => {
    if (lane.instances.has(instance)) return instance;
    lane.instances.add(instance);
    const run = instance.runHandler.bind(instance);
    const cleanup = instance.cleanup.bind(instance);
    Object.assign(instance, {
      runHandler: async () => {
        try {
          return await run();
        } finally {
          lane.waiting.shift()?.();
        }
      },
      cleanup: async () => {
        lane.instances.delete(instance);
        return cleanup();
      },
    });
    return instance;
  };

  return function limitedGet(this: object, functionKey, functionDefinition) {
    const lane = laneOf(this, functionKey);
    const take = () => adopt(lane, originalGet.call(this, functionKey, functionDefinition));
    const anyIdle = [...lane.instances].some((instance) => instance.status === 'IDLE');
    if (anyIdle || lane.instances.size < Math.max(1, limitFor(functionKey))) return take();
    return waitingInvocation(lane, take);
  };
}

/** Stands in for an instance until one is free; then runs the invocation on it with the same inputs. */
function waitingInvocation(lane: FunctionLane, take: () => PooledFunction): PooledFunction {
  let event: unknown;
  let clientContext: unknown;
  let hasClientContext = false;
  return {
    status: 'BUSY',
    setEvent: (value) => void (event = value),
    setClientContext: (value) => {
      clientContext = value;
      hasClientContext = true;
    },
    runHandler: () =>
      new Promise((resolve, reject) => {
        // Runs inside the finishing run's `finally`: anything thrown here belongs to this invocation.
        lane.waiting.push(() => {
          try {
            const instance = take();
            if (hasClientContext) instance.setClientContext?.(clientContext);
            instance.setEvent(event);
            instance.runHandler().then(resolve, reject);
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      }),
    cleanup: async () => undefined,
  };
}
