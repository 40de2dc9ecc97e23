/**
 * Long fuzz run of the document processor (issue 12): many more hostile documents than the CI suite
 * (test/unit/documents/document-fuzz.test.ts) draws — mutated and generated PDF, PNG, JPEG, GIF, WebP, zip
 * and text files, through the real processor over a filesystem storage. Passes when every input ends as
 * processed or quarantined (never a processor failure), each within the PDF parse budget plus the
 * streaming pass, and memory stays bounded.
 *
 *   npx tsx scripts/document-fuzz.ts [--runs 20000] [--seed 42]
 *
 * Writes bench/results/document-fuzz.json (inputs tried, outcomes, worst time, worst heap retained
 * across one input, RSS at the start and at its worst — RSS rarely shrinks, so its worst is the peak);
 * exit code 1 on any failure.
 */
import '../test/helpers/quiet';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { writeBenchResult } from '../bench/lib/results';
import { PDF_PARSE_BUDGET_MS } from '../src/documents/inspection/pdf-budget';
import { documentFuzzHarness, fuzzDocument, type FuzzDocument } from '../test/helpers/document-fuzz';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '42' },
  },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
const MAX_MS_PER_INPUT = PDF_PARSE_BUDGET_MS + 1_500;
/** RSS may grow this much over the run (the attack this replays grew it by ~900 MB with one file). */
const MAX_RSS_GROWTH_BYTES = 256 * 1024 * 1024;
/** Inputs are drawn in batches (each from its own seed), so they are never all held at once. */
const BATCH = 200;

function* documents(): Generator<FuzzDocument> {
  for (let drawn = 0; drawn < runs; drawn += BATCH) {
    const count = Math.min(BATCH, runs - drawn);
    for (const [document] of fc.sample(fc.tuple(fuzzDocument), { numRuns: count, seed: seed + drawn }))
      yield document;
  }
}

async function main(): Promise<void> {
  const harness = documentFuzzHarness();
  const outcomes: Record<string, number> = {};
  const failures: string[] = [];
  let worstMs = 0;
  let worstHeapGrowth = 0;
  const startRss = process.memoryUsage().rss;
  let worstRss = startRss;
  let largestInput = 0;
  const started = performance.now();
  try {
    for (const document of documents()) {
      largestInput = Math.max(largestInput, document.bytes.length);
      try {
        const result = await harness.run(document);
        outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
        worstMs = Math.max(worstMs, result.ms);
        worstHeapGrowth = Math.max(worstHeapGrowth, result.heapGrowth);
        if (result.ms > MAX_MS_PER_INPUT) failures.push(`${document.filename}: ${Math.round(result.ms)} ms`);
      } catch (error) {
        outcomes.failed = (outcomes.failed ?? 0) + 1;
        failures.push(`${document.filename}: ${(error as Error).message}`);
      }
      worstRss = Math.max(worstRss, process.memoryUsage().rss);
    }
  } finally {
    harness.close();
  }
  const pass = failures.length === 0 && worstRss - startRss < MAX_RSS_GROWTH_BYTES;
  const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
  writeBenchResult(
    'document-fuzz',
    {
      inputs: runs,
      seed,
      processed: outcomes.processed ?? 0,
      quarantined: outcomes.quarantined ?? 0,
      failed: outcomes.failed ?? 0,
      worstMs: Math.round(worstMs * 10) / 10,
      worstHeapGrowthMB: mb(worstHeapGrowth),
      startRssMB: mb(startRss),
      worstRssMB: mb(worstRss),
      rssGrowthMB: mb(worstRss - startRss),
      largestInputBytes: largestInput,
      totalSeconds: Math.round((performance.now() - started) / 100) / 10,
      firstFailures: failures.slice(0, 5).join(' | ') || null,
    },
    {
      outcome: 'every input processed or quarantined, none failed',
      worstMs: `< ${MAX_MS_PER_INPUT} (PDF parse budget ${PDF_PARSE_BUDGET_MS} ms + the streaming pass)`,
      rssGrowthMB: `< ${mb(MAX_RSS_GROWTH_BYTES)} (worstRssMB - startRssMB)`,
    },
    pass,
    `${runs} inputs: ${outcomes.processed ?? 0} processed, ${outcomes.quarantined ?? 0} quarantined, ` +
      `${outcomes.failed ?? 0} failed; worst ${Math.round(worstMs)} ms, worst RSS ${mb(worstRss)} MB`,
  );
  process.exitCode = pass ? 0 : 1;
}

void main();
