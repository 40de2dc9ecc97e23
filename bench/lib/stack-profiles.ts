/**
 * Where the CPU of an `npm start` stack went, per process and thread: start the stack with
 * `cpuProfileEnv(dir)` in its environment, stop it gracefully (every thread then writes its profile), and
 * summarise the folder with the names given here.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDLE_FUNCTION_SECONDS_VARIABLE } from '../../plugins/local-stack/settings';
import type { LocalStackState } from '../../plugins/local-stack/state';
import {
  startLocalStack,
  type LocalStackProcess,
  type StartLocalStackOptions,
} from '../../test/helpers/local-stack-process';
import { cpuProfileEnv, profileFileIds, summariseProfileDir, type ProcessProfile } from './cpu-profile';

const IDLE_SECONDS = 3;

/**
 * The environment of a profiled stack (with cpuProfileEnv): offline ends an instance idle for IDLE_SECONDS,
 * so that its worker thread writes its profile (those still alive when the stack stops write none).
 */
export const PROFILED_STACK_ENV = { [IDLE_FUNCTION_SECONDS_VARIABLE]: String(IDLE_SECONDS) };

/** Waits until offline has ended every idle instance (it looks every IDLE_SECONDS, for those idle that long). */
export function workersEnded(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, (2 * IDLE_SECONDS + 1) * 1000));
}

/** The function whose bundle a profile ran (the first handler file it names), or undefined. */
function functionOfProfile(text: string): string | undefined {
  return /\/functions\/([a-z0-9-]+)\.c?js/.exec(text)?.[1];
}

/**
 * Names each profile of the stack `state` describes: `offline main thread`, `offline worker <n>
 * (<function>)`, `emulator <kind>`; anything else (npm, its shell) is skipped. Workers of one function
 * are merged into one summary.
 */
export function summariseStackProfiles(dir: string, state: LocalStackState, top = 12): ProcessProfile[] {
  const emulators = new Map(
    Object.entries(state.emulators).map(([kind, emulator]) => [emulator.pid, `emulator ${kind}`]),
  );
  const functions = new Map<string, string>();
  for (const file of readdirSync(dir)) {
    const ids = profileFileIds(file);
    if (ids?.pid !== state.pid || ids.threadId === 0) continue;
    functions.set(
      String(ids.threadId),
      functionOfProfile(readFileSync(join(dir, file), 'utf8')) ?? 'no function',
    );
  }
  return summariseProfileDir(
    dir,
    (pid, threadId) => {
      if (pid === state.pid)
        return threadId === 0
          ? 'offline main thread'
          : `offline worker threads (${functions.get(String(threadId))})`;
      return emulators.get(pid);
    },
    top,
  ).sort((a, b) => b.busyMs - a.busyMs);
}

/**
 * Runs `work` on a stack of its own started with the profiler on (kept apart from the measured runs: the
 * profiler costs every thread CPU), lets its idle workers end, stops it and returns the summaries.
 */
export async function profiledStackRun(
  options: StartLocalStackOptions,
  work: (stack: LocalStackProcess) => Promise<unknown>,
  top = 12,
): Promise<ProcessProfile[]> {
  const dir = mkdtempSync(join(tmpdir(), 'intake-stack-profiles-'));
  try {
    const stack = await startLocalStack({
      ...options,
      env: { ...options.env, ...cpuProfileEnv(dir), ...PROFILED_STACK_ENV },
    });
    try {
      await work(stack);
      await workersEnded();
    } finally {
      await stack.stop();
    }
    return summariseStackProfiles(dir, stack.state, top);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
