/**
 * Runs every `bench/*.bench.ts` in turn (one at a time: the machine is small and shared), each in its
 * own `tsx` process, then prints one line per benchmark from its `bench/results/<name>.json`.
 *
 *   npm run bench                 # all of them
 *   npm run bench -- cold-init    # only those whose file name contains one of the words
 *
 * Exit code 1 when a benchmark crashed, wrote no result, or missed its target.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR } from './lib/results';
import type { BenchResult } from './lib/results';

const BENCH_DIR = __dirname;
const TSX = join(BENCH_DIR, '..', 'node_modules', '.bin', 'tsx');

interface Outcome {
  file: string;
  status: 'pass' | 'fail' | 'crashed' | 'no result';
  seconds: number;
  result?: BenchResult;
}

function runOne(file: string): Outcome {
  const name = file.replace(/\.bench\.ts$/, '');
  const resultPath = join(RESULTS_DIR, `${name}.json`);
  const before = existsSync(resultPath) ? statSync(resultPath).mtimeMs : 0;
  const started = Date.now();
  console.log(`\n=== ${file}`);
  const run = spawnSync(TSX, [join(BENCH_DIR, file)], { stdio: 'inherit', env: process.env });
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  if (run.status !== 0) return { file, status: 'crashed', seconds };
  if (!existsSync(resultPath) || statSync(resultPath).mtimeMs <= before)
    return { file, status: 'no result', seconds };
  const result = JSON.parse(readFileSync(resultPath, 'utf8')) as BenchResult;
  return { file, status: result.pass ? 'pass' : 'fail', seconds, result };
}

function main(): number {
  const filters = process.argv.slice(2);
  const files = readdirSync(BENCH_DIR)
    .filter((file) => file.endsWith('.bench.ts'))
    .filter((file) => filters.length === 0 || filters.some((word) => file.includes(word)))
    .sort();
  if (files.length === 0) {
    console.error(`no benchmark matches ${filters.join(', ')}`);
    return 1;
  }
  const outcomes = files.map(runOne);
  console.log('\n=== summary');
  for (const outcome of outcomes) {
    const figures = outcome.result ? JSON.stringify(outcome.result.figures) : '';
    console.log(
      `${outcome.status.toUpperCase().padEnd(9)} ${outcome.file.padEnd(32)} ${outcome.seconds}s ${figures}`,
    );
  }
  const bad = outcomes.filter((outcome) => outcome.status !== 'pass');
  console.log(`bench: ${outcomes.length - bad.length}/${outcomes.length} passed`);
  return bad.length === 0 ? 0 : 1;
}

process.exitCode = main();
