import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cpuProfileEnv,
  profileFileIds,
  profileInProcess,
  summariseCpuProfile,
  summariseProfileDir,
} from '../../../bench/lib/cpu-profile';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

/** Root, idle, and two functions; samples: idle 50 µs, hmac 300 µs (twice 150), parse 100 µs. */
const profile = {
  nodes: [
    { id: 1, callFrame: frame('(root)') },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('hmac', 'file:///srv/app/node_modules/pkg/lib/hmac.js', 9) },
    { id: 4, callFrame: frame('', 'file:///srv/app/src/webhooks/signature/parse.ts', 0) },
  ],
  samples: [2, 3, 4, 3],
  timeDeltas: [50, 150, 100, 150],
};

describe('CPU profile summaries', () => {
  it('sums self time per function, leaves idle out, and names places after node_modules/', () => {
    const summary = summariseCpuProfile(profile, 'bench');
    expect(summary).toEqual({
      process: 'bench',
      busyMs: 0.4,
      top: [
        { function: 'hmac', location: 'pkg/lib/hmac.js:10', selfMs: 0.3, selfPercent: 75 },
        { function: '(anonymous)', location: 'webhooks/signature/parse.ts:1', selfMs: 0.1, selfPercent: 25 },
      ],
    });
  });

  it('keeps only the top N functions', () => {
    expect(summariseCpuProfile(profile, 'bench', 1).top.map((entry) => entry.function)).toEqual(['hmac']);
  });

  it('reads pid and thread id from --cpu-prof file names, and nothing else', () => {
    expect(profileFileIds('CPU.20261206.043938.2963.1.002.cpuprofile')).toEqual({ pid: 2963, threadId: 1 });
    expect(profileFileIds('notes.txt')).toBeUndefined();
  });

  it('merges the files given one name, skips the unnamed, and keeps the node ids of each file apart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpu-profile-'));
    try {
      writeFileSync(join(dir, 'CPU.20261206.000000.10.0.001.cpuprofile'), JSON.stringify(profile));
      writeFileSync(join(dir, 'CPU.20261206.000000.10.1.002.cpuprofile'), JSON.stringify(profile));
      writeFileSync(join(dir, 'CPU.20261206.000000.11.0.003.cpuprofile'), JSON.stringify(profile));
      const summaries = summariseProfileDir(dir, (pid, threadId) =>
        pid === 10 ? (threadId === 0 ? 'main' : 'workers') : undefined,
      );
      expect(summaries.map((summary) => [summary.process, summary.busyMs])).toEqual([
        ['main', 0.4],
        ['workers', 0.4],
      ]);
      writeFileSync(join(dir, 'CPU.20261206.000000.10.2.004.cpuprofile'), JSON.stringify(profile));
      const workers = summariseProfileDir(dir, (pid, threadId) => (threadId > 0 ? 'workers' : undefined));
      expect(workers).toHaveLength(1);
      expect(workers[0]!.busyMs).toBe(0.8);
      expect(workers[0]!.top[0]).toMatchObject({ function: 'hmac', selfMs: 0.6, selfPercent: 75 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('adds the profiler flags to the NODE_OPTIONS already there', () => {
    expect(cpuProfileEnv('/tmp/p', '--max-old-space-size=512')).toEqual({
      NODE_OPTIONS: '--max-old-space-size=512 --cpu-prof --cpu-prof-dir=/tmp/p',
    });
    expect(cpuProfileEnv('/tmp/p', undefined)).toEqual({ NODE_OPTIONS: '--cpu-prof --cpu-prof-dir=/tmp/p' });
  });

  it('profiles work in this process and returns its result', async () => {
    const { result, profile: summary } = await profileInProcess('bench', async () => {
      let total = 0;
      for (let index = 0; index < 2e6; index += 1) total += index % 7;
      return total;
    });
    expect(result).toBeGreaterThan(0);
    expect(summary.process).toBe('bench');
    expect(summary.busyMs).toBeGreaterThan(0);
    expect(summary.top.length).toBeGreaterThan(0);
  });
});
