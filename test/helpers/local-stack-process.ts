import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { findRunningStackState, type LocalStackState } from '../../plugins/local-stack/state';
import { unusedPort } from '../../plugins/local-stack/unused-port';

export interface StartLocalStackOptions {
  /** Extra environment for `npm start` (wins over the helper's own choices). */
  env?: Record<string, string>;
  /** Load the fixture functions (INTAKE_FIXTURES=true). */
  fixtures?: boolean;
  /** How long to wait for the stack to be ready. */
  timeoutMs?: number;
}

export interface StoppedLocalStack {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** From SIGINT to the process group's exit. */
  durationMs: number;
}

export interface LocalStackProcess {
  /** The state file the stack wrote once ready (ports, pids, resources, mappings). */
  state: LocalStackState;
  /** Where that state file is (pass it as INTAKE_STATE_FILE to tools that should find this stack). */
  stateFile: string;
  /** Every stdout and stderr line so far, in arrival order. */
  lines: string[];
  /** serverless-esbuild's work folder of this stack (absolute; its bundles are under `.build/`). */
  buildDir: string;
  /** Milliseconds from spawn to ready (state file written and HTTP answering). */
  readyInMs: number;
  pid: number;
  /** Resolves with the first line (already seen or still to come) that satisfies `predicate`. */
  waitForLine(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Sends SIGINT to the whole process group, as Ctrl-C does; SIGKILL after 20 s. */
  stop(): Promise<StoppedLocalStack>;
}

const serviceDir = join(__dirname, '..', '..');

/** A port nothing listens on right now (the OS picks it). */
export const freePort = unusedPort;

async function httpAnswers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * Spawns `npm start` detached in its own process group on free ports (HTTP, Lambda, S3, SQS, DynamoDB,
 * the OIDC issuer),
 * with its own state file and build folder so it never clashes with another running stack, and
 * resolves once the state file exists and the HTTP API answers. Rejects (after killing the group) if
 * the stack exits or is not ready in time.
 */
export async function startLocalStack(options: StartLocalStackOptions = {}): Promise<LocalStackProcess> {
  const [http, lambda, s3, sqs, dynamodb, issuer] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const workDir = mkdtempSync(join(tmpdir(), 'intake-stack-'));
  const buildDir = join('.intake', `run-${process.pid}-${Date.now()}`);
  const stateFile = join(workDir, 'local-stack.json');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    INTAKE_HTTP_PORT: String(http),
    INTAKE_LAMBDA_PORT: String(lambda),
    INTAKE_S3_PORT: String(s3),
    INTAKE_SQS_PORT: String(sqs),
    INTAKE_DYNAMODB_PORT: String(dynamodb),
    INTAKE_ISSUER_PORT: String(issuer),
    INTAKE_STATE_FILE: stateFile,
    INTAKE_BUILD_DIR: buildDir,
    INTAKE_FIXTURES: options.fixtures ? 'true' : 'false',
    INTAKE_ASYNC_RETRY_DELAYS_MS: '200,400',
    ...options.env,
  };
  const startedAt = Date.now();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: serviceDir,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid!;
  const lines: string[] = [];
  const waiters = new Set<{ predicate: (line: string) => boolean; resolve: (line: string) => void }>();
  const onLine = (line: string) => {
    if (process.env.TRACE_STACK) process.stderr.write(`${Date.now() - startedAt} ${line}\n`);
    lines.push(line);
    for (const waiter of waiters) {
      if (waiter.predicate(line)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let hasExited = false;
  let exitCode: number | null = null;
  void exited.then(({ code }) => {
    hasExited = true;
    exitCode = code;
  });

  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is gone already
    }
  };
  const cleanUp = () => {
    rmSync(workDir, { recursive: true, force: true });
    rmSync(join(serviceDir, buildDir), { recursive: true, force: true });
  };

  const stop = async (): Promise<StoppedLocalStack> => {
    const stopAt = Date.now();
    killGroup('SIGINT');
    const killer = setTimeout(() => killGroup('SIGKILL'), 20_000);
    const { code, signal } = await exited;
    clearTimeout(killer);
    // npm may exit before its children: wait for the whole group to be gone.
    while (groupAlive(pid) && Date.now() - stopAt < 20_000)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const durationMs = Date.now() - stopAt;
    killGroup('SIGKILL');
    cleanUp();
    return { exitCode: code, signal, durationMs };
  };

  const waitForLine = (predicate: (line: string) => boolean, timeoutMs = 10_000) => {
    const seen = lines.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<string>((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (line: string) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(
          new Error(`no matching line within ${timeoutMs} ms; last lines:\n${lines.slice(-20).join('\n')}`),
        );
      }, timeoutMs);
      waiters.add(waiter);
    });
  };

  const deadline = startedAt + (options.timeoutMs ?? 60_000);
  let state: LocalStackState | undefined;
  while (Date.now() < deadline && !hasExited) {
    state ??= findRunningStackState(stateFile);
    if (state && (await httpAnswers(state.http.url))) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!state || hasExited || Date.now() >= deadline) {
    await stop();
    const how = hasExited ? `exited with code ${exitCode}` : 'not ready in time';
    throw new Error(`the local stack did not start (${how}); last lines:\n${lines.slice(-30).join('\n')}`);
  }
  return {
    state,
    stateFile,
    lines,
    buildDir: join(serviceDir, buildDir),
    readyInMs: Date.now() - startedAt,
    pid,
    waitForLine,
    stop,
  };
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}
