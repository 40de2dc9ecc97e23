/**
 * Where the CPU went, for bench result files: the top self-time functions of V8 CPU profiles.
 *
 * - A process (or the whole `npm start` stack, worker threads and emulator children included) started with
 *   `NODE_OPTIONS=--cpu-prof --cpu-prof-dir=<dir>` (`cpuProfileEnv(dir)`) writes one
 *   `CPU.<date>.<time>.<pid>.<threadId>.<seq>.cpuprofile` per thread when that thread exits; summarise
 *   them with `summariseProfileDir(dir, nameOf)` after a graceful stop.
 * - The bench's own work is profiled in process with `profileInProcess(work)` (node:inspector).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { round2 } from './stats';

/** One function's self time in a profile. */
export interface HotFunction {
  /** Function name (`(anonymous)`, `(garbage collector)`, `(program)` as V8 names them). */
  function: string;
  /** Script and line, shortened to what follows the last `node_modules/` (else the last 3 path parts). */
  location: string;
  selfMs: number;
  /** Share of the profile's non-idle time. */
  selfPercent: number;
}

/** A summarised profile: one process, or one thread of it. */
export interface ProcessProfile {
  /** What ran there, e.g. `offline main thread`, `offline worker 3 (webhook-receive)`, `emulator sqs`, `bench`. */
  process: string;
  /** Sampled time that was not idle. */
  busyMs: number;
  top: HotFunction[];
}

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/** The environment that makes a Node process and all its threads and Node children write CPU profiles. */
export function cpuProfileEnv(dir: string, existing = process.env.NODE_OPTIONS): Record<string, string> {
  return { NODE_OPTIONS: [existing, '--cpu-prof', `--cpu-prof-dir=${dir}`].filter(Boolean).join(' ') };
}

function shortLocation(url: string, lineNumber: number): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const afterModules = path.lastIndexOf('node_modules/');
  const short =
    afterModules >= 0
      ? path.slice(afterModules + 'node_modules/'.length)
      : path.split('/').slice(-3).join('/');
  return `${short}:${lineNumber + 1}`;
}

/** The top `top` self-time functions of one profile (functions with the same name and place are summed). */
export function summariseCpuProfile(profile: CpuProfile, processName: string, top = 12): ProcessProfile {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<string, { function: string; location: string; us: number }>();
  let busyUs = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let index = 0; index < samples.length; index += 1) {
    const node = nodes.get(samples[index]!);
    // A sample's delta is the time since the previous sample: it belongs to the sample it ends.
    const us = Math.max(0, deltas[index] ?? 0);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    const name = node.callFrame.functionName || '(anonymous)';
    const location = shortLocation(node.callFrame.url, node.callFrame.lineNumber);
    const key = `${name}\0${location}`;
    const entry = selfUs.get(key) ?? { function: name, location, us: 0 };
    entry.us += us;
    selfUs.set(key, entry);
    busyUs += us;
  }
  const hottest = [...selfUs.values()].sort((a, b) => b.us - a.us).slice(0, top);
  return {
    process: processName,
    busyMs: round2(busyUs / 1000),
    top: hottest.map((entry) => ({
      function: entry.function,
      location: entry.location,
      selfMs: round2(entry.us / 1000),
      selfPercent: busyUs === 0 ? 0 : round2((100 * entry.us) / busyUs),
    })),
  };
}

/** pid and thread id of a `--cpu-prof` file name (`CPU.20261206.051500.1234.0.001.cpuprofile`). */
export function profileFileIds(file: string): { pid: number; threadId: number } | undefined {
  const match = /^CPU\.\d+\.\d+\.(\d+)\.(\d+)\.\d+\.cpuprofile$/.exec(file);
  return match ? { pid: Number(match[1]), threadId: Number(match[2]) } : undefined;
}

/**
 * Summarises every profile in `dir`. `nameOf(pid, threadId)` names the process/thread (undefined skips the
 * file, e.g. npm's own process); threads given the same name are merged into one summary.
 */
export function summariseProfileDir(
  dir: string,
  nameOf: (pid: number, threadId: number) => string | undefined,
  top = 12,
): ProcessProfile[] {
  const merged = new Map<string, CpuProfile[]>();
  for (const file of readdirSync(dir).sort()) {
    const ids = profileFileIds(file);
    if (!ids) continue;
    const name = nameOf(ids.pid, ids.threadId);
    if (name === undefined) continue;
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    merged.set(name, [...(merged.get(name) ?? []), profile]);
  }
  return [...merged.entries()].map(([name, profiles]) =>
    summariseCpuProfile(mergeProfiles(profiles), name, top),
  );
}

/** Several profiles as one: node ids are renumbered so that they stay apart. */
function mergeProfiles(profiles: CpuProfile[]): CpuProfile {
  if (profiles.length === 1) return profiles[0]!;
  const merged: Required<CpuProfile> = { nodes: [], samples: [], timeDeltas: [] };
  let offset = 0;
  for (const profile of profiles) {
    let maxId = 0;
    for (const node of profile.nodes) {
      merged.nodes.push({ ...node, id: node.id + offset });
      maxId = Math.max(maxId, node.id);
    }
    merged.samples.push(...(profile.samples ?? []).map((id) => id + offset));
    merged.timeDeltas.push(...(profile.timeDeltas ?? []));
    offset += maxId + 1;
  }
  return merged;
}

/** Runs `work` under the inspector's CPU profiler in this process and summarises what it sampled. */
export async function profileInProcess<T>(
  processName: string,
  work: () => Promise<T>,
  top = 12,
): Promise<{ result: T; profile: ProcessProfile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
    const result = await work();
    const { profile } = await session.post('Profiler.stop');
    return { result, profile: summariseCpuProfile(profile as CpuProfile, processName, top) };
  } finally {
    session.disconnect();
  }
}
