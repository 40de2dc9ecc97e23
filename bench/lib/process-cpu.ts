import { readdirSync, readFileSync } from 'node:fs';

/** Names a process by its command line (arguments joined by spaces); undefined = not counted. */
export type ProcessClassifier = (commandLine: string) => string | undefined;

/** Names one of a process's threads by its Linux thread name (`comm`). */
export type ThreadClassifier = (threadName: string) => string;

/** user + system clock ticks (1/100 s) in a /proc `stat` line. */
function ticksOf(statPath: string): number {
  // Fields after the command name (which may hold spaces) start at "state": utime and stime are 12th, 13th.
  const fields = readFileSync(statPath, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Node's thread names: `MainThread`, `WorkerThread` (a worker_threads Worker, e.g. one warm instance of a
 * function in serverless-offline), `V8Worker` / `DelayedTaskSche` (V8's platform: concurrent GC and
 * compilation), `libuv-worker` (file system, DNS, crypto), the rest (signal and inspector threads).
 */
export const nodeThreads: ThreadClassifier = (threadName) => {
  if (threadName === 'MainThread') return 'main';
  if (threadName === 'WorkerThread') return 'workers';
  if (threadName === 'V8Worker' || threadName.startsWith('DelayedTask')) return 'v8';
  if (threadName.startsWith('libuv')) return 'libuv';
  return 'other';
};

/**
 * CPU seconds (user + system) used so far by every process the classifier names, summed per name, from
 * Linux's /proc. A process named in `splitThreads` is counted per thread group instead, as
 * `<name>_<group>` (nodeThreads), plus `<name>_exited` for threads that ended before the reading (the
 * process's total minus its live threads'), so that the groups add up to the process. Empty where there
 * is no /proc: the figures are then left out.
 */
function cpuSecondsByName(
  classify: ProcessClassifier,
  splitThreads: ReadonlySet<string>,
): Record<string, number> {
  const totals: Record<string, number> = {};
  const add = (name: string, ticks: number) => (totals[name] = (totals[name] ?? 0) + ticks / 100);
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return totals;
  }
  for (const pid of entries) {
    try {
      const name = classify(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim());
      if (name === undefined) continue;
      const processTicks = ticksOf(`/proc/${pid}/stat`);
      if (!splitThreads.has(name)) {
        add(name, processTicks);
        continue;
      }
      let liveTicks = 0;
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        try {
          const ticks = ticksOf(`/proc/${pid}/task/${tid}/stat`);
          const threadName = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
          add(`${name}_${nodeThreads(threadName)}`, ticks);
          liveTicks += ticks;
        } catch {
          // The thread ended while being read: its ticks are in `exited`.
        }
      }
      add(`${name}_exited`, processTicks - liveTicks);
    } catch {
      // The process ended while being read.
    }
  }
  return totals;
}

/** `after - before` per name (names missing before count from 0). */
function cpuSecondsBetween(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after).map(([name, seconds]) => [name, seconds - (before[name] ?? 0)]),
  );
}

/** The processes of an `npm start` stack: serverless-offline (with its worker threads) and each emulator. */
const localStackProcesses: ProcessClassifier = (commandLine) => {
  if (/^\S*node\b.*\boffline start\b/.test(commandLine)) return 'offline';
  return /run-emulator\.mjs (s3|sqs|dynamodb)\b/.exec(commandLine)?.[1];
};

/**
 * Runs `work` and returns its result with the CPU seconds it cost each process of the local stack —
 * serverless-offline per thread group (`offline_main`, `offline_workers` — the functions' worker threads —,
 * `offline_v8`, `offline_libuv`, `offline_other`, `offline_exited`), each emulator — and this process's own
 * under `selfName` (a load generator, the bench itself).
 */
export async function measureStackCpu<T>(
  selfName: string,
  work: () => Promise<T>,
): Promise<{ result: T; cpuSeconds: Record<string, number> }> {
  const split = new Set(['offline']);
  const before = cpuSecondsByName(localStackProcesses, split);
  const selfBefore = process.cpuUsage();
  const result = await work();
  const self = process.cpuUsage(selfBefore);
  const cpuSeconds = cpuSecondsBetween(before, cpuSecondsByName(localStackProcesses, split));
  cpuSeconds[selfName] = (self.user + self.system) / 1e6;
  return { result, cpuSeconds };
}
