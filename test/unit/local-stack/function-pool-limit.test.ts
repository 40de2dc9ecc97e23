import {
  instanceLimit,
  limitedPoolGet,
  type FunctionPoolPrototype,
  type PooledFunction,
} from '../../../plugins/local-stack/function-pool-limit';

/** Puts the limited `get` in place on a pool class, as upstream-internals.ts does on offline's. */
function limitFunctionPool(
  prototype: FunctionPoolPrototype,
  limitFor: (functionKey: string) => number,
): void {
  prototype.get = limitedPoolGet(prototype.get, limitFor);
}

/** A function instance whose runs end when the test says so; it records the inputs of each run. */
class FakeFunction implements PooledFunction {
  status = 'IDLE';
  event: unknown;
  clientContext: unknown;
  readonly runs: {
    event: unknown;
    clientContext: unknown;
    finish: (value: unknown) => void;
    fail: (error: Error) => void;
  }[] = [];
  cleanedUp = false;

  constructor(readonly id: number) {}

  setEvent(event: unknown): void {
    this.event = event;
  }

  setClientContext(clientContext: unknown): void {
    this.clientContext = clientContext;
  }

  runHandler(): Promise<unknown> {
    this.status = 'BUSY';
    return new Promise((resolve, reject) => {
      this.runs.push({
        event: this.event,
        clientContext: this.clientContext,
        finish: (value) => {
          this.status = 'IDLE';
          resolve(value);
        },
        fail: (error) => {
          this.status = 'IDLE';
          reject(error);
        },
      });
    });
  }

  async cleanup(): Promise<void> {
    this.cleanedUp = true;
  }
}

/** serverless-offline's pool in miniature: an idle instance if there is one, else a new one. */
function fakePoolClass() {
  return class FakePool {
    readonly created: FakeFunction[] = [];
    private readonly byKey = new Map<string, FakeFunction[]>();

    get(functionKey: string): PooledFunction {
      const instances = this.byKey.get(functionKey) ?? [];
      this.byKey.set(functionKey, instances);
      const idle = instances.find((instance) => instance.status === 'IDLE' && !instance.cleanedUp);
      if (idle) return idle;
      const instance = new FakeFunction(this.created.length + 1);
      this.created.push(instance);
      instances.push(instance);
      return instance;
    }
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('limitedPoolGet', () => {
  it('creates instances up to the limit, then queues invocations in order on the next free instance', async () => {
    const Pool = fakePoolClass();
    limitFunctionPool(Pool.prototype, () => 2);
    const pool = new Pool();
    const answers: unknown[] = [];
    const invoke = (event: string, clientContext?: string) => {
      const instance = pool.get('fn');
      if (clientContext !== undefined) instance.setClientContext?.(clientContext);
      instance.setEvent(event);
      void instance.runHandler().then((answer) => answers.push(answer));
    };
    invoke('a');
    invoke('b');
    invoke('c', 'ctx-c');
    invoke('d');
    await tick();
    expect(pool.created).toHaveLength(2);
    const [first, second] = pool.created as [FakeFunction, FakeFunction];
    expect(first.runs.map((run) => run.event)).toEqual(['a']);
    expect(second.runs.map((run) => run.event)).toEqual(['b']);

    second.runs[0]!.finish('B');
    await tick();
    // The oldest waiting invocation ('c') took the freed instance, with its own client context.
    expect(second.runs.map((run) => run.event)).toEqual(['b', 'c']);
    expect(second.runs[1]!.clientContext).toBe('ctx-c');
    expect(pool.created).toHaveLength(2);

    first.runs[0]!.finish('A');
    await tick();
    expect(first.runs.map((run) => run.event)).toEqual(['a', 'd']);
    second.runs[1]!.finish('C');
    first.runs[1]!.finish('D');
    await tick();
    expect(answers).toEqual(['B', 'A', 'C', 'D']);
  });

  it('reuses an idle instance rather than waiting or creating one', async () => {
    const Pool = fakePoolClass();
    limitFunctionPool(Pool.prototype, () => 1);
    const pool = new Pool();
    const instance = pool.get('fn');
    instance.setEvent('first');
    const run = instance.runHandler();
    (instance as FakeFunction).runs[0]!.finish('done');
    await expect(run).resolves.toBe('done');
    expect(pool.get('fn')).toBe(instance);
    expect(pool.created).toHaveLength(1);
  });

  it('keeps separate limits per function and counts an instance cleaned up by the pool as gone', async () => {
    const Pool = fakePoolClass();
    limitFunctionPool(Pool.prototype, (functionKey) => (functionKey === 'wide' ? 2 : 1));
    const pool = new Pool();
    const narrow = pool.get('narrow');
    narrow.setEvent(1);
    void narrow.runHandler();
    const wide = [pool.get('wide')];
    void wide[0]!.runHandler();
    wide.push(pool.get('wide'));
    void wide[1]!.runHandler();
    expect(new Set(wide).size).toBe(2);

    // 'narrow' is at its limit: the next one waits (a stand-in, not a new instance).
    const waiting = pool.get('narrow');
    expect(waiting.status).toBe('BUSY');
    expect(pool.created).toHaveLength(3);

    // The pool retires the busy instance's worker (e.g. after a timeout): room for a new one.
    await narrow.cleanup();
    const fresh = pool.get('narrow');
    expect(pool.created).toHaveLength(4);
    expect(fresh).not.toBe(narrow);
    await expect(waiting.cleanup()).resolves.toBeUndefined();
  });

  it('passes a failed run on to its caller and still frees the instance for the next one', async () => {
    const Pool = fakePoolClass();
    limitFunctionPool(Pool.prototype, () => 1);
    const pool = new Pool();
    const first = pool.get('fn') as FakeFunction;
    first.setEvent('crashes');
    const firstRun = first.runHandler();
    const second = pool.get('fn');
    second.setEvent('next');
    const secondRun = second.runHandler();
    first.runs[0]!.fail(new Error('handler crashed'));
    await expect(firstRun).rejects.toThrow('handler crashed');
    await tick();
    expect(first.runs.map((run) => run.event)).toEqual(['crashes', 'next']);
    first.runs[1]!.finish('ok');
    await expect(secondRun).resolves.toBe('ok');
  });

  it('fails only the waiting invocation when the pool cannot hand it an instance', async () => {
    const Pool = fakePoolClass();
    const originalGet = Pool.prototype.get;
    let broken = false;
    Pool.prototype.get = function get(this: InstanceType<typeof Pool>, functionKey: string) {
      if (broken) throw new Error('no worker thread');
      return originalGet.call(this, functionKey);
    };
    limitFunctionPool(Pool.prototype, () => 1);
    const pool = new Pool();
    const first = pool.get('fn') as FakeFunction;
    const firstRun = first.runHandler();
    const waiting = pool.get('fn');
    const waitingRun = waiting.runHandler();
    broken = true;
    first.runs[0]!.finish('first');
    await expect(firstRun).resolves.toBe('first');
    await expect(waitingRun).rejects.toThrow('no worker thread');
  });
});

describe('instanceLimit', () => {
  it("caps a function at its reservedConcurrency, never above the stack's limit", () => {
    expect(instanceLimit(8, { reservedConcurrency: 5 })).toBe(5);
    expect(instanceLimit(4, { reservedConcurrency: 5 })).toBe(4);
  });

  it('leaves a function without a usable reservedConcurrency at the stack limit', () => {
    for (const reservedConcurrency of [undefined, null, 0, 2.5, '5'])
      expect(instanceLimit(8, { reservedConcurrency })).toBe(8);
    expect(instanceLimit(8, undefined)).toBe(8);
  });
});
