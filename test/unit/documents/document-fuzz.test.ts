import fc from 'fast-check';
import { PDF_PARSE_BUDGET_MS } from '../../../src/documents/inspection/pdf-budget';
import { documentFuzzHarness, fuzzDocument, type FuzzResult } from '../../helpers/document-fuzz';

/** Any one input: the PDF parse budget plus room for the streaming pass and the storage round trips. */
const MAX_MS_PER_INPUT = PDF_PARSE_BUDGET_MS + 1_500;
/** The attack this replays grew the heap by ~900 MB; honest inputs here stay in the low megabytes. */
const MAX_HEAP_GROWTH_BYTES = 96 * 1024 * 1024;
const MAX_RSS_GROWTH_BYTES = 256 * 1024 * 1024;

describe('document processor under hostile input (fuzz, fast-check)', () => {
  const harness = documentFuzzHarness();
  afterAll(() => harness.close());

  it('ends every mutated or generated PDF, PNG, JPEG, GIF, WebP, zip and text file as processed or quarantined, in bounded time and memory', async () => {
    const rssBefore = process.memoryUsage().rss;
    let worstRss = rssBefore;
    const results: FuzzResult[] = [];
    await fc.assert(
      fc.asyncProperty(fuzzDocument, async (document) => {
        const result = await harness.run(document);
        results.push(result);
        worstRss = Math.max(worstRss, process.memoryUsage().rss);
        expect(['processed', 'quarantined']).toContain(result.outcome);
        expect(result.ms).toBeLessThan(MAX_MS_PER_INPUT);
        expect(result.heapGrowth).toBeLessThan(MAX_HEAP_GROWTH_BYTES);
      }),
      { numRuns: 400 },
    );
    expect(worstRss - rssBefore).toBeLessThan(MAX_RSS_GROWTH_BYTES);
    // The suite must actually reach both verdicts, or it is not exercising the inspection.
    expect(results.some((result) => result.outcome === 'processed')).toBe(true);
    expect(results.some((result) => result.outcome === 'quarantined')).toBe(true);
  }, 120_000);
});
