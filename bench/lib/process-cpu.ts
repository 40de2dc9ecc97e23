import { readdirSync, readFileSync } from 'node:fs';

/** Names a process by its command line (arguments joined by spaces); undefined = not counted. */
export type ProcessClassifier = (commandLine: string) => string | undefined;

/**
 * CPU seconds (user + system) used so far by every process the classifier names, summed per name, from
 * Linux's /proc (clock ticks of 1/100 s). Empty where there is no /proc: the figures are then left out.
 */
function cpuSecondsByName(classify: ProcessClassifier): Record<string, number> {
  const totals: Record<string, number> = {};
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
      // Fields after the command name (which may hold spaces) start at "state": utime and stime are 12th, 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      totals[name] = (totals[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100;
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
 * Runs `work` and returns its result with the CPU seconds it cost each process of the local stack, and
 * this process's own under `selfName` (a load generator, the bench itself).
 */
export async function measureStackCpu<T>(
  selfName: string,
  work: () => Promise<T>,
): Promise<{ result: T; cpuSeconds: Record<string, number> }> {
  const before = cpuSecondsByName(localStackProcesses);
  const selfBefore = process.cpuUsage();
  const result = await work();
  const self = process.cpuUsage(selfBefore);
  const cpuSeconds = cpuSecondsBetween(before, cpuSecondsByName(localStackProcesses));
  cpuSeconds[selfName] = (self.user + self.system) / 1e6;
  return { result, cpuSeconds };
}
