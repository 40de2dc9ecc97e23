import { deflateSync } from 'node:zlib';
import { PdfParseBudget } from '../../../src/documents/inspection/pdf-budget';
import { readPdfInfo } from '../../../src/documents/inspection/pdf-structure';
import { bufferRangeReader, type RangeReader } from '../../../src/documents/inspection/range-reader';
import { makeCompressedPdf, makePdf } from './document-fixtures';

/** A PDF whose only cross-reference is an xref stream with this dictionary and these (raw) bytes. */
function xrefStreamPdf(dictionary: string, data: Buffer = Buffer.alloc(0)): Buffer {
  const head = '%PDF-1.5\n';
  return Buffer.concat([
    Buffer.from(
      `${head}1 0 obj\n<< /Type /XRef ${dictionary} /Root 1 0 R /Length ${data.length} >>\nstream\n`,
      'latin1',
    ),
    data,
    Buffer.from(`\nendstream\nendobj\nstartxref\n${head.length}\n%%EOF\n`, 'latin1'),
  ]);
}

/** The same PDF with its startxref moved by `delta` bytes (graphviz's dottyguide.pdf is off by ~392). */
function withStartxrefOff(pdf: Buffer, delta: number): Buffer {
  const text = pdf.toString('latin1');
  return Buffer.from(
    text.replace(/startxref\n(\d+)/, (_match, offset: string) => `startxref\n${Number(offset) + delta}`),
    'latin1',
  );
}

/** Time, heap growth and result of one structure read. */
async function measured(pdf: Buffer, budget?: PdfParseBudget) {
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const info = await readPdfInfo(bufferRangeReader(pdf), budget);
  return { info, ms: performance.now() - started, heapGrowth: process.memoryUsage().heapUsed - heapBefore };
}

describe('PDF structure under hostile input', () => {
  it('refuses zero-width xref rows with a huge /Index (the 249-byte file that took 900 MB of heap)', async () => {
    const pdf = xrefStreamPdf('/W [0 0 0] /Index [0 2000000000 0 2000000000] /Size 2000000000');
    expect(pdf.length).toBeLessThan(300);
    const { info, ms, heapGrowth } = await measured(pdf);
    expect(info).toMatchObject({ pages: null, reason: expect.stringMatching(/zero-width rows/) });
    expect(ms).toBeLessThan(500);
    expect(heapGrowth).toBeLessThan(32 * 1024 * 1024);
  });

  it('caps declared xref entries by the rows actually present (many /Index pairs, the 9.6 s file)', async () => {
    const pairs = Array.from({ length: 40 }, () => '0 8388607').join(' ');
    const pdf = xrefStreamPdf(`/W [1 1 1] /Index [${pairs}] /Size 8388607`, Buffer.from([1, 0, 0, 1, 9, 0]));
    expect(pdf.length).toBeLessThan(600);
    const { info, ms } = await measured(pdf);
    expect(info).toMatchObject({ pages: null, reason: expect.stringMatching(/subsections for 2 rows/) });
    expect(ms).toBeLessThan(500);
  });

  it.each([
    ['more entries than rows', '/W [1 2 1] /Index [0 1000]', /declares 1000 entries but holds 2 rows/],
    ['object numbers beyond the PDF limit', '/W [1 2 1] /Index [8388607 2]', /beyond object number/],
    ['an odd /Index', '/W [1 2 1] /Index [0 1 5]', /odd \/Index/],
    ['a field wider than 8 bytes', '/W [1 9 1]', /valid \/W/],
  ])('refuses an xref stream with %s', async (_name, dictionary, reason) => {
    const { info } = await measured(xrefStreamPdf(dictionary, Buffer.alloc(8)));
    expect(info).toMatchObject({ pages: null, reason: expect.stringMatching(reason) });
  });

  it('refuses a classic xref subsection that runs past the end of the file', async () => {
    const pdf = makePdf(2)
      .toString('latin1')
      .replace(/xref\n0 (\d+)/, 'xref\n0 99999999');
    const { info, ms } = await measured(Buffer.from(pdf, 'latin1'));
    // The scan for objects repairs what the table cannot describe, as readers do.
    expect(info).toMatchObject({
      pages: 2,
      recovered: true,
      reason: expect.stringMatching(/runs past the end/),
    });
    expect(ms).toBeLessThan(500);
  });

  it('reads a /Prev chain that loops back on itself once', async () => {
    const base = makePdf(3).toString('latin1');
    const xref = Number(/startxref\n(\d+)/.exec(base)![1]);
    const looped = base.replace('/Root 1 0 R', `/Root 1 0 R /Prev ${xref}`);
    const { info } = await measured(Buffer.from(looped, 'latin1'));
    expect(info).toMatchObject({ pages: 3 });
    expect(info.recovered).toBeUndefined();
  });

  it('refuses a page tree with a cycle instead of walking it forever', async () => {
    // No /Count, so the tree is walked; its root lists itself as a kid.
    const pdf = makePdf(2)
      .toString('latin1')
      .replace(/\/Kids \[4 0 R 5 0 R\] \/Count 2/, '/Kids [4 0 R 2 0 R]');
    const { info, ms } = await measured(Buffer.from(pdf, 'latin1'));
    expect(info).toMatchObject({ pages: null, reason: expect.stringMatching(/twice \(a cycle\)/) });
    expect(ms).toBeLessThan(500);
  });

  it('counts the leaves of a page tree without /Count, as readers do', async () => {
    const pdf = makePdf(3)
      .toString('latin1')
      .replace(/ \/Count 3/, '');
    expect((await measured(Buffer.from(pdf, 'latin1'))).info).toMatchObject({ pages: 3 });
  });

  it('refuses an object stream that declares more objects than it lists', async () => {
    // (same length, so every offset stays right and the object stream itself is what fails)
    const declaresMore = makeCompressedPdf(2).toString('latin1').replace('/N 2', '/N 9');
    expect((await measured(Buffer.from(declaresMore, 'latin1'))).info).toMatchObject({
      pages: null,
      reason: expect.stringMatching(/declares 9 objects but lists 2/),
    });
  });

  it('stops once its parse budget is spent, whatever the file', async () => {
    const { info } = await measured(makePdf(3), new PdfParseBudget(0));
    expect(info).toMatchObject({ pages: null, reason: expect.stringMatching(/more than 0 ms of parsing/) });
  });

  it('does not count time spent waiting on ranged reads against the parse budget', async () => {
    const bytes = makePdf(3);
    const slow: RangeReader = {
      size: bytes.length,
      read: async (start, end) => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        return bytes.subarray(start, end);
      },
    };
    expect(await readPdfInfo(slow, new PdfParseBudget(20))).toMatchObject({ pages: 3 });
  });

  it('bounds what all streams of one file may inflate to, together', async () => {
    const { info } = await measured(makeCompressedPdf(2), new PdfParseBudget(2_000, 10));
    expect(info).toMatchObject({ pages: null, reason: expect.stringMatching(/inflate/) });
  });
});

describe('PDF repair when the cross-reference is broken', () => {
  it.each([392, -392])(
    'counts the pages of a 32-page PDF whose startxref is off by %i bytes (graphviz dottyguide.pdf)',
    async (delta) => {
      const { info } = await measured(withStartxrefOff(makePdf(32), delta));
      expect(info).toMatchObject({
        pages: 32,
        recovered: true,
        reason: expect.stringMatching(/repaired by scanning/),
      });
    },
  );

  it('finds a catalog and page tree kept in a compressed object stream', async () => {
    const { info } = await measured(withStartxrefOff(makeCompressedPdf(43), 392));
    expect(info).toMatchObject({ pages: 43, recovered: true });
  });

  it('takes the latest definition of an object rewritten by an incremental update', async () => {
    const base = makePdf(2);
    const update = `2 0 obj\n<< /Type /Pages /Kids [4 0 R 5 0 R 4 0 R] /Count 3 >>\nendobj\nstartxref\n1\n%%EOF\n`;
    const { info } = await measured(Buffer.concat([base, Buffer.from(update, 'latin1')]));
    expect(info).toMatchObject({ pages: 3, recovered: true });
  });

  it.each([
    [
      'wrong offsets in the table',
      (pdf: string) =>
        pdf.replace(
          /\n(\d{10}) 00000 n/g,
          (_m, n: string) => `\n${String(Number(n) + 3).padStart(10, '0')} 00000 n`,
        ),
    ],
    ['no trailer keyword', (pdf: string) => pdf.replace('trailer', 'trailor')],
    ['no /Root in the trailer', (pdf: string) => pdf.replace('/Root 1 0 R', '/Rooo 1 0 R')],
    ['a free object as /Root', (pdf: string) => pdf.replace('/Root 1 0 R', '/Root 0 0 R')],
  ])('repairs %s from the objects themselves', async (_name, corrupt) => {
    const { info } = await measured(Buffer.from(corrupt(makePdf(2).toString('latin1')), 'latin1'));
    expect(info).toMatchObject({ pages: 2, recovered: true });
  });

  it.each([
    ['no /Pages in the catalog', (pdf: string) => pdf.replace('/Pages 2 0 R', '/Pagez 2 0 R')],
    ['a page tree that is not there', (pdf: string) => pdf.replace('/Pages 2 0 R', '/Pages 99 0 R')],
    [
      'no catalog at all',
      (pdf: string) =>
        pdf
          .replace('/Type /Catalog', '/Type /Catalogue')
          .replace('/Root 1 0 R', '')
          .replace('startxref\n', 'startxref\n9'),
    ],
  ])('answers pages: null and why when even repair cannot count the pages: %s', async (_name, corrupt) => {
    const { info } = await measured(Buffer.from(corrupt(makePdf(2).toString('latin1')), 'latin1'));
    expect(info.pages).toBeNull();
    expect(info.reason).toEqual(expect.any(String));
  });

  it('says what broke and why the repair failed', async () => {
    const pdf = makePdf(2)
      .toString('latin1')
      .replace('/Type /Catalog', '/Type /Catalogue')
      .replace('/Root 1 0 R', '')
      .replace('startxref\n', 'startxref\n9');
    const { info } = await measured(Buffer.from(pdf, 'latin1'));
    expect(info.reason).toMatch(
      /no cross-reference section at byte 9.*; repair by scanning failed: no catalog found/,
    );
  });

  it('stays bounded on a scan of an 8 MiB file of object headers', async () => {
    const headers = Buffer.from('1 0 obj '.repeat(1_000_000), 'latin1');
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), headers, Buffer.from('startxref\n5\n%%EOF\n')]);
    const { info, ms, heapGrowth } = await measured(pdf);
    expect(info.pages).toBeNull();
    expect(ms).toBeLessThan(3_000);
    expect(heapGrowth).toBeLessThan(128 * 1024 * 1024);
  });

  it('keeps a deflate bomb bounded when the repair meets it again', async () => {
    const bomb = deflateSync(Buffer.alloc(64 * 1024 * 1024));
    const pdf = xrefStreamPdf('/W [1 1 1] /Size 1 /Filter /FlateDecode', bomb);
    const { info, heapGrowth } = await measured(pdf);
    expect(info).toMatchObject({ pages: null, reason: expect.stringMatching(/inflates beyond/) });
    expect(heapGrowth).toBeLessThan(96 * 1024 * 1024);
  });
});
