import type { RangeReader } from './range-reader';

/**
 * Parsing time one PDF's structure may take, not counting the time spent waiting on ranged reads (those
 * are bounded by count and bytes in CachingRangeReader, and a slow S3 must not turn a good file into a
 * damaged one). Real files need 1–25 ms (a 1 GB PDF: 7 reads, 25 ms); 2 s is ~100× that, yet caps what
 * a hostile file costs at 2 s of CPU per attempt — under 1 % of the processor's 300 s timeout.
 */
export const PDF_PARSE_BUDGET_MS = 2_000;
/** Bytes all inflated streams of one PDF may add up to (xref and object streams are KBs in real files). */
export const PDF_INFLATE_BUDGET_BYTES = 64 * 1024 * 1024;

/** The structure could not be read within its budget: the file is treated as damaged, never retried. */
export class PdfBudgetError extends Error {
  constructor(what: string) {
    super(`gave up reading the PDF structure: ${what}`);
    this.name = 'PdfBudgetError';
  }
}

/**
 * The time and memory budget of one structure read. `check()` is called from every loop of the parser
 * (the parser is synchronous between reads, so a timer could never interrupt it: the loops stop
 * themselves). Throws PdfBudgetError once the budget is spent.
 */
export class PdfParseBudget {
  private readonly started = performance.now();
  private waitingMs = 0;
  private inflatedBytes = 0;

  constructor(
    readonly limitMs = PDF_PARSE_BUDGET_MS,
    readonly maxInflatedBytes = PDF_INFLATE_BUDGET_BYTES,
  ) {}

  /** Milliseconds spent parsing so far (waits on the reader excluded). */
  get parsingMs(): number {
    return performance.now() - this.started - this.waitingMs;
  }

  /** Throws PdfBudgetError when the parsing time is spent. */
  check(): void {
    if (this.parsingMs > this.limitMs) throw new PdfBudgetError(`more than ${this.limitMs} ms of parsing`);
  }

  /** Bytes a stream may still inflate to. */
  get inflateAllowance(): number {
    return this.maxInflatedBytes - this.inflatedBytes;
  }

  /** Counts inflated bytes against the budget. */
  spendInflated(bytes: number): void {
    this.inflatedBytes += bytes;
  }

  /** The reader, with its waits excluded from the parsing time and the budget checked before each read. */
  wrap(reader: RangeReader): RangeReader {
    return {
      size: reader.size,
      read: async (start, end) => {
        this.check();
        const waitStarted = performance.now();
        try {
          return await reader.read(start, end);
        } finally {
          this.waitingMs += performance.now() - waitStarted;
        }
      },
    };
  }
}
