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

// Runs in one worker thread: loads each function's module in turn, with process.env set to that
// function's environment, as Lambda's runtime does at init, and answers what each threw (or null). The
// modules share the worker's module cache, so the SDK and Powertools (required from node_modules by the
// local build) load once rather than once per function.
const INIT_SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
for (const { index, file, environment } of workerData.inits) {
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, environment);
  parentPort.postMessage({ index, started: true });
  let message = null;
  try {
    // Functions that share a handler file (fixtures do) each initialise it with their own environment.
    delete require.cache[file];
    require(file);
  } catch (error) {
    message = String(error !== null && typeof error === 'object' && 'message' in error ? error.message : error);
  }
  parentPort.postMessage({ index, message });
}`;

/** The bundle serverless-offline would load for `module` (a CommonJS build), or undefined. */
function bundleOf(module: string): string | undefined {
  return ['.js', '.cjs'].map((extension) => `${module}${extension}`).find((file) => existsSync(file));
}

type WorkerAnswer = { index: number; started: true } | { index: number; message: string | null };

/**
 * Loads every function's module, with its environment, as a Lambda init does (see INIT_SCRIPT), and
 * resolves with those that threw, in `inits` order. A function without a bundle is skipped; one that
 * takes longer than `timeoutMs` to load ends the check there (its first invocation will tell); one
 * that ends the process fails, as on Lambda (Runtime.ExitError). What the modules print is not shown.
 */
export function initFailures(
  inits: readonly FunctionInit[],
  { timeoutMs = 20_000 }: { timeoutMs?: number } = {},
): Promise<InitFailure[]> {
  const bundled = inits
    .map((init, index) => ({ index, file: bundleOf(init.module), environment: init.environment }))
    .filter((init) => init.file !== undefined);
  const failures = new Map<number, string>();
  const report = () =>
    [...failures.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, message]) => ({ functionKey: inits[index]!.functionKey, message }));
  if (bundled.length === 0) return Promise.resolve([]);
  return new Promise((resolve) => {
    const worker = new Worker(INIT_SCRIPT, {
      eval: true,
      workerData: { inits: bundled },
      stdout: true,
      stderr: true,
    });
    worker.stdout.resume();
    worker.stderr.resume();
    let loading: number | undefined;
    let remaining = bundled.length;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(report());
      void worker.terminate();
    };
    const restartTimer = () => {
      clearTimeout(timer);
      timer = setTimeout(settle, timeoutMs);
    };
    restartTimer();
    worker.on('message', (answer: WorkerAnswer) => {
      if ('started' in answer) {
        loading = answer.index;
        return restartTimer();
      }
      loading = undefined;
      if (answer.message !== null) failures.set(answer.index, answer.message);
      if (--remaining === 0) settle();
    });
    worker.once('exit', (code) => {
      if (loading !== undefined && !settled)
        failures.set(loading, `the module ended the process (exit code ${code}) while initialising`);
      settle();
    });
    worker.once('error', (error) => {
      if (loading !== undefined) failures.set(loading, error.message);
      settle();
    });
  });
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
