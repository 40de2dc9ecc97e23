import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { profilerOptions } from './profiler-options';

export type EmulatorKind = 's3' | 'sqs' | 'dynamodb';

export interface EmulatorOptions {
  /** 0 lets the OS pick a free port (tests); the bound port comes back in RunningEmulator. */
  port: number;
  /** Keep data in this folder across restarts; in memory (or a temporary folder) when absent. */
  dataDir?: string;
  /** Called with each S3 notification s3rver emits (s3 only). */
  onS3Event?: (event: unknown) => void;
  startTimeoutMs?: number;
}

export interface RunningEmulator {
  kind: EmulatorKind;
  port: number;
  endpoint: string;
  pid: number;
  /** S3 only: 'enforced' when presigned POST uploads are checked as AWS checks them. */
  postPolicy?: 'enforced';
  /** Resolves with the exit code once the process has ended, for whatever reason. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

// Two levels up is the service root both from plugins/local-stack/ and from the plugin's bundle in .intake/build/.
const runnerPath = join(__dirname, '..', '..', 'plugins', 'local-stack', 'emulators', 'run-emulator.mjs');

export class EmulatorStartError extends Error {
  constructor(
    readonly kind: EmulatorKind,
    readonly port: number,
    reason: string,
  ) {
    super(`The local ${kind} emulator could not start on 127.0.0.1:${port}: ${reason}`);
    this.name = 'EmulatorStartError';
  }
}

/**
 * An emulator's NODE_OPTIONS: none of its parent's (a loader or flag meant for serverless-offline must not
 * reach s3rver, fauxqs or dynalite) except the CPU profiler's, so that a profiled stack (bench/lib/cpu-profile.ts)
 * profiles its emulators too; s3rver also needs the legacy OpenSSL provider (ListObjectsV2 paging).
 */
export function emulatorNodeOptions(kind: EmulatorKind, parentOptions = ''): string {
  return [...(kind === 's3' ? ['--openssl-legacy-provider'] : []), ...profilerOptions(parentOptions)].join(
    ' ',
  );
}

/**
 * Starts one emulator (s3rver, fauxqs or dynalite) in its own Node process and resolves once it listens.
 * Rejects with an EmulatorStartError naming the port when it is taken or the emulator fails.
 */
export function startEmulator(kind: EmulatorKind, options: EmulatorOptions): Promise<RunningEmulator> {
  const args = [runnerPath, kind, String(options.port), ...(options.dataDir ? [options.dataDir] : [])];
  const child = spawn(process.execPath, args, {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: {
      ...process.env,
      NODE_OPTIONS: emulatorNodeOptions(kind, process.env.NODE_OPTIONS),
    },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A forgotten emulator must not keep its parent alive (a failed test's beforeAll, a crashed tool): the
  // handles are unref'd, and the child shuts itself down when our end of its stdin closes at our exit.
  child.unref();
  for (const stream of [child.stdin, child.stdout]) (stream as unknown as { unref?: () => void }).unref?.();

  return new Promise<RunningEmulator>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      fail(`no answer within ${options.startTimeoutMs ?? 10_000} ms`);
      child.kill('SIGKILL');
    }, options.startTimeoutMs ?? 10_000);
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new EmulatorStartError(kind, options.port, reason));
    };
    void exited.then((code) => fail(`exited with code ${code}`));

    createInterface({ input: child.stdout! }).on('line', (line) => {
      const message = parseLine(line);
      if (!message) return;
      if (message.s3Event !== undefined) {
        options.onS3Event?.(message.s3Event);
      } else if (message.error !== undefined) {
        fail(String(message.error));
      } else if (message.ready && !settled) {
        settled = true;
        clearTimeout(timer);
        // The port it is bound to: the one asked for, or the OS's pick when asked for port 0.
        const port = typeof message.port === 'number' ? message.port : options.port;
        resolve({
          kind,
          port,
          endpoint: `http://127.0.0.1:${port}`,
          pid: child.pid!,
          exited,
          stop: () => stopChild(child, exited),
        });
      }
    });
  });
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(killTimer);
}
