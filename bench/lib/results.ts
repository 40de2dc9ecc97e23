import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessProfile } from './cpu-profile';

export const RESULTS_DIR = join(__dirname, '..', 'results');

export type Figures = Record<string, number | string | boolean | null>;

/** One benchmark's outcome as written to `bench/results/<name>.json` (the bench contract in COMMON.md). */
export interface BenchResult {
  name: string;
  date: string;
  figures: Figures;
  targets: Record<string, string>;
  pass: boolean;
  /** Where the CPU went: the top self-time functions of each process or thread profiled (cpu-profile.ts). */
  profiles?: ProcessProfile[];
}

/**
 * Writes `bench/results/<name>.json` and prints the one summary line every benchmark ends with
 * (`PASS|FAIL <name>: <summary>`). Returns the written result.
 */
export function writeBenchResult(
  name: string,
  figures: Figures,
  targets: Record<string, string>,
  pass: boolean,
  summary: string,
  profiles?: ProcessProfile[],
): BenchResult {
  const result: BenchResult = { name, date: new Date().toISOString(), figures, targets, pass, profiles };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`${pass ? 'PASS' : 'FAIL'} ${name}: ${summary}`);
  return result;
}
