import { freePort } from '../../helpers/local-stack-process';
import type { Invoker } from '../../../plugins/local-stack/invoker';
import type { LocalStackSettings } from '../../../plugins/local-stack/settings';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type InProcessHandler = (event: unknown) => unknown;

export interface RecordedInvocation {
  functionName: string;
  event: unknown;
  at: number;
}

/**
 * An Invoker that runs handlers in this process, reporting a throw as Lambda does
 * (`FunctionError: 'Unhandled'`), and records every invocation.
 */
export function inProcessInvoker(handlers: Record<string, InProcessHandler>) {
  const invocations: RecordedInvocation[] = [];
  const invoke: Invoker = async (functionName, event) => {
    invocations.push({ functionName, event, at: Date.now() });
    const handler = handlers[functionName];
    if (!handler) throw new Error(`no handler for ${functionName}`);
    try {
      return { payload: await handler(event) };
    } catch (error) {
      return { functionError: 'Unhandled', payload: { errorMessage: (error as Error).message } };
    }
  };
  return { invoke, invocations };
}

/** Settings for a stack on free ports with its own state file and short async retry delays. */
export async function testSettings(): Promise<LocalStackSettings> {
  return {
    ports: { s3: await freePort(), sqs: await freePort(), dynamodb: await freePort() },
    stateFile: join(tmpdir(), `intake-it-${process.pid}-${Date.now()}.json`),
    fixtures: false,
    singleBuild: true,
    asyncRetryDelaysMs: [50, 100],
    functionConcurrency: 5,
  };
}

type Truthy<T> = Exclude<T, undefined | null | false | 0 | ''>;

/** Polls `probe` until it returns something truthy, or throws after `timeoutMs`. */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
