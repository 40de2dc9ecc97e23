import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** One function to initialise: its bundled handler module and the environment its instances get. */
export interface FunctionInit {
  functionKey: string;
  /** The handler module's path without extension (`<build>/functions/health`). */
  module: string;
  environment: Record<string, string>;
}

/** A function whose module threw while it initialised, and the message it threw. */
export interface InitFailure {
  functionKey: string;
  message: string;
}

// Runs in a worker thread with the function's environment: loads its module as Lambda's runtime does at
// init, and answers null, or the message of what the module threw.
const INIT_SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
try {
  require(workerData.file);
  parentPort.postMessage(null);
} catch (error) {
  parentPort.postMessage(String(error !== null && typeof error === 'object' && 'message' in error ? error.message : error));
}`;

/** The bundle serverless-offline would load for `module` (a CommonJS build), or undefined. */
function bundleOf(module: string): string | undefined {
  return ['.js', '.cjs'].map((extension) => `${module}${extension}`).find((file) => existsSync(file));
}

/**
 * Loads one function's module in a worker thread of its own, with its environment, as a Lambda init
 * does. Resolves with what it threw, or undefined when it loaded, had no bundle to load, or took longer
 * than `timeoutMs` (the first invocation will tell). What the module prints is not shown.
 */
export function initFailureOf(init: FunctionInit, timeoutMs: number): Promise<InitFailure | undefined> {
  const file = bundleOf(init.module);
  if (file === undefined) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const worker = new Worker(INIT_SCRIPT, {
      eval: true,
      env: init.environment,
      workerData: { file },
      stdout: true,
      stderr: true,
    });
    worker.stdout.resume();
    worker.stderr.resume();
    let settled = false;
    const settle = (message: string | null | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(typeof message === 'string' ? { functionKey: init.functionKey, message } : undefined);
      void worker.terminate();
    };
    const timer = setTimeout(() => settle(undefined), timeoutMs);
    worker.once('message', settle);
    // Lambda counts an init that ends the process as failed too (Runtime.ExitError).
    worker.once('exit', (code) =>
      settle(`the module ended the process (exit code ${code}) while initialising`),
    );
    worker.once('error', (error) => settle(error.message));
  });
}

/** Initialises every function, `parallel` at a time; resolves with those that failed, in `inits` order. */
export async function initFailures(
  inits: readonly FunctionInit[],
  { parallel = 2, timeoutMs = 20_000 }: { parallel?: number; timeoutMs?: number } = {},
): Promise<InitFailure[]> {
  const outcomes: (InitFailure | undefined)[] = [];
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < inits.length; index = next++)
      outcomes[index] = await initFailureOf(inits[index]!, timeoutMs);
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, lane));
  return outcomes.filter((outcome): outcome is InitFailure => outcome !== undefined);
}

/** The one message npm start stops with: each failing function and what it threw, indented. */
export function initFailureMessage(failures: readonly InitFailure[]): string {
  const lines = failures.map(
    ({ functionKey, message }) => `  ${functionKey}: ${message.split('\n').join('\n    ')}`,
  );
  const count = failures.length === 1 ? 'a function' : `${failures.length} functions`;
  return `local stack: ${count} cannot initialise (on AWS every invocation would fail):\n${lines.join('\n')}`;
}

/** `handler` (`functions/health.handler`) → its module under `codeDir` (`<codeDir>/functions/health`). */
export function handlerModule(codeDir: string, handler: string): string {
  return join(codeDir, handler.slice(0, handler.lastIndexOf('.')));
}

/**
 * The environment serverless-offline gives a function's instances: the shell's AWS_* variables, then
 * the provider's and the function's environment (intrinsics already resolved by the local stack),
 * then IS_OFFLINE.
 */
export function offlineFunctionEnvironment(
  shellEnv: NodeJS.ProcessEnv,
  providerEnvironment: Record<string, unknown> | undefined,
  functionEnvironment: Record<string, unknown> | undefined,
): Record<string, string> {
  const strings = (values: Record<string, unknown> | undefined) =>
    Object.entries(values ?? {})
      .filter(([, value]) => value !== undefined && value !== null)
      .map(([name, value]) => [name, String(value)] as const);
  return Object.fromEntries([
    ...strings(shellEnv).filter(([name]) => name.startsWith('AWS_')),
    ...strings(providerEnvironment),
    ...strings(functionEnvironment),
    ['IS_OFFLINE', 'true'],
  ]);
}
