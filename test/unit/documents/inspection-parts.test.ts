import { deflateSync } from 'node:zlib';
import { TailWindow } from '../../../src/documents/inspection/byte-windows';
import { readPdfInfo, undoPngPredictor } from '../../../src/documents/inspection/pdf-structure';
import {
  CachingRangeReader,
  RangeReadLimitError,
  bufferRangeReader,
} from '../../../src/documents/inspection/range-reader';
import { declaredTypeMatches, extensionMatches } from '../../../src/documents/inspection/type-compatibility';
import { Utf8Validator, completeLength } from '../../../src/documents/inspection/utf8-validator';
import { officeOpenXmlType, readZipEntryNames } from '../../../src/documents/inspection/zip-directory';
import { makePdf, makeZip } from './document-fixtures';

describe('zip central directory', () => {
  const zip = makeZip([
    { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
    { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
  ]);

  it('lists entry names from the tail of the archive', () => {
    expect(readZipEntryNames(zip, zip.length)).toEqual(['[Content_Types].xml', 'xl/workbook.xml']);
  });

  it('gives up when the directory starts before the bytes held', () => {
    expect(readZipEntryNames(zip.subarray(zip.length - 40), zip.length)).toBeUndefined();
  });

  it('gives up on a missing end record or a corrupt directory entry', () => {
    expect(readZipEntryNames(Buffer.alloc(100), 100)).toBeUndefined();
    const corrupt = Buffer.from(zip);
    corrupt.writeUInt32LE(0, zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])));
    expect(readZipEntryNames(corrupt, corrupt.length)).toBeUndefined();
  });

  it('follows a zip64 end record', () => {
    const plain = makeZip([{ name: '[Content_Types].xml', data: Buffer.from('x') }]);
    const eocdAt = plain.length - 22;
    const directoryOffset = plain.readUInt32LE(eocdAt + 16);
    const directorySize = plain.readUInt32LE(eocdAt + 12);
    const zip64 = Buffer.alloc(56);
    zip64.writeUInt32LE(0x06064b50, 0);
    zip64.writeBigUInt64LE(1n, 32);
    zip64.writeBigUInt64LE(BigInt(directorySize), 40);
    zip64.writeBigUInt64LE(BigInt(directoryOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(eocdAt), 8);
    const eocd = Buffer.from(plain.subarray(eocdAt));
    eocd.writeUInt32LE(0xffffffff, 16);
    const archive = Buffer.concat([plain.subarray(0, eocdAt), zip64, locator, eocd]);
    expect(readZipEntryNames(archive, archive.length)).toEqual(['[Content_Types].xml']);
    const noLocator = Buffer.concat([plain.subarray(0, eocdAt), eocd]);
    expect(readZipEntryNames(noLocator, noLocator.length)).toBeUndefined();
  });

  it.each([
    ['word/document.xml', 'docx'],
    ['xl/workbook.xml', 'xlsx'],
    ['ppt/presentation.xml', 'pptx'],
  ])('tells OOXML by %s', (part, ext) => {
    expect(officeOpenXmlType(['[Content_Types].xml', part])?.ext).toBe(ext);
  });

  it('does not call a zip OOXML without [Content_Types].xml or a known main part', () => {
    expect(officeOpenXmlType(['word/document.xml'])).toBeUndefined();
    expect(officeOpenXmlType(['[Content_Types].xml', 'content.xml'])).toBeUndefined();
  });
});

describe('PNG predictors of xref streams', () => {
  it.each([
    [0, [10, 20, 30, 40]],
    [1, [10, 20, 30, 70]],
    [2, [10, 20, 40, 60]],
    [3, [10, 20, 35, 67]],
    [4, [10, 20, 40, 80]],
  ])('undoes filter %i', (filter, expected) => {
    // Row 0 uses filter 0 (none); row 1 uses the filter under test with raw bytes [30, 40].
    const data = Buffer.from([0, 10, 20, filter, 30, 40]);
    expect([...undoPngPredictor(data, 2)]).toEqual(expected);
  });
});

describe('readPdfInfo', () => {
  it('follows /Prev to an older xref section for objects an update did not rewrite', async () => {
    const base = makePdf(3);
    const baseXref = Number(/startxref\n(\d+)/.exec(base.toString('latin1'))![1]);
    const update = `4 0 obj\n<< /Type /Page /Parent 2 0 R >>\nendobj\n`;
    const updateOffset = base.length;
    const xrefOffset = base.length + update.length;
    const tail =
      `xref\n4 1\n${String(updateOffset).padStart(10, '0')} 00000 n \n` +
      `trailer\n<< /Size 7 /Root 1 0 R /Prev ${baseXref} >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
    const pdf = Buffer.concat([base, Buffer.from(update + tail, 'latin1')]);
    expect(await readPdfInfo(bufferRangeReader(pdf))).toEqual({
      version: '1.4',
      encrypted: false,
      pages: 3,
      activeContent: [],
    });
  });

  it('resolves an indirect /Count', async () => {
    const info = await readPdfInfo(bufferRangeReader(makePdf(6, { indirectCount: true })));
    expect(info.pages).toBe(6);
  });

  // Broken cross-references that readers repair are counted from a scan for objects: pdf-hostile.test.ts.
  it.each([
    ['no /Pages in the catalog', (pdf: string) => pdf.replace('/Pages 2 0 R', '/Pagez 2 0 R')],
    ['an object missing from the xref', (pdf: string) => pdf.replace('/Pages 2 0 R', '/Pages 99 0 R')],
  ])('answers pages: null with a reason for %s', async (_name, corrupt) => {
    const pdf = Buffer.from(corrupt(makePdf(2).toString('latin1')), 'latin1');
    const info = await readPdfInfo(bufferRangeReader(pdf));
    expect(info.pages).toBeNull();
    expect(info.reason).toEqual(expect.any(String));
  });

  it('refuses a deflate bomb in an xref stream instead of inflating it', async () => {
    const bomb = deflateSync(Buffer.alloc(64 * 1024 * 1024));
    const head = `%PDF-1.5\n`;
    const object = `1 0 obj\n<< /Type /XRef /W [1 1 1] /Size 1 /Root 1 0 R /Filter /FlateDecode /Length ${bomb.length} >>\nstream\n`;
    const pdf = Buffer.concat([
      Buffer.from(head + object, 'latin1'),
      bomb,
      Buffer.from(`\nendstream\nendobj\nstartxref\n${head.length}\n%%EOF\n`, 'latin1'),
    ]);
    const info = await readPdfInfo(bufferRangeReader(pdf));
    expect(info).toMatchObject({ pages: null, reason: expect.stringMatching(/inflates beyond/) });
  });

  it('refuses an xref stream with an unsupported filter, an indirect or huge length', async () => {
    const body = deflateSync(Buffer.from([1, 0, 0]));
    for (const dictionary of [
      `/Type /XRef /W [1 1 1] /Size 1 /Root 1 0 R /Filter /LZWDecode /Length ${body.length}`,
      `/Type /XRef /W [1 1 1] /Size 1 /Root 1 0 R /Length 9 0 R`,
      `/Type /XRef /W [1 1] /Size 1 /Root 1 0 R /Length ${body.length}`,
      `/Type /XRef /W [1 1 1] /Size 1 /Root 1 0 R /Length 1000000000`,
    ]) {
      const head = `%PDF-1.5\n`;
      const object = `1 0 obj\n<< ${dictionary} >>\nstream\n`;
      const pdf = Buffer.concat([
        Buffer.from(head + object, 'latin1'),
        body,
        Buffer.from(`\nendstream\nendobj\nstartxref\n${head.length}\n%%EOF\n`, 'latin1'),
      ]);
      expect((await readPdfInfo(bufferRangeReader(pdf))).pages).toBeNull();
    }
  });
});

describe('CachingRangeReader', () => {
  const bytes = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));

  it('serves held bytes without fetching and fetches aligned blocks once', async () => {
    const reader = new CachingRangeReader(bufferRangeReader(bytes), 4, [
      { start: 0, bytes: bytes.subarray(0, 10) },
    ]);
    expect([...(await reader.read(2, 5))]).toEqual([2, 3, 4]);
    expect(reader.fetches).toBe(0);
    expect([...(await reader.read(70_000, 70_002))]).toEqual([70_000 % 251, 70_001 % 251]);
    await reader.read(70_100, 70_200);
    expect(reader.fetches).toBe(1);
    expect((await reader.read(-5, 0)).length).toBe(0);
  });

  it('stops before fetching more bytes than its byte budget', async () => {
    const reader = new CachingRangeReader(bufferRangeReader(bytes), 10, [], 100_000);
    await reader.read(0, 1);
    await expect(reader.read(65_536, 200_000)).rejects.toThrow(/100000 bytes/);
  });

  it('stops after its fetch budget', async () => {
    const reader = new CachingRangeReader(bufferRangeReader(bytes), 1);
    await reader.read(0, 1);
    await expect(reader.read(150_000, 150_001)).rejects.toBeInstanceOf(RangeReadLimitError);
  });
});

describe('small helpers', () => {
  it('TailWindow keeps at least the last bytes across many chunks', () => {
    const tail = new TailWindow(5);
    for (const piece of ['ab', '', 'cd', 'efg', 'h']) tail.push(Buffer.from(piece));
    expect(tail.contents().toString()).toBe('defgh');
  });

  it('Utf8Validator accepts sequences split over chunks and rejects unfinished or invalid ones', () => {
    const euro = Buffer.from('€'); // 3 bytes
    const ok = new Utf8Validator();
    ok.push(euro.subarray(0, 1));
    ok.push(euro.subarray(1, 2));
    ok.push(euro.subarray(2));
    expect(ok.finish()).toBe(true);
    const unfinished = new Utf8Validator();
    unfinished.push(euro.subarray(0, 2));
    expect(unfinished.finish()).toBe(false);
    const invalid = new Utf8Validator();
    invalid.push(Buffer.from([0xe2]));
    invalid.push(Buffer.from([0x28, 0xa1, 0x41]));
    expect(invalid.finish()).toBe(false);
    expect(completeLength(Buffer.from([0x41, 0xf0, 0x9f]))).toBe(1);
  });

  it('type compatibility: text declared as text/plain is fine; an unknown extension says nothing', () => {
    expect(declaredTypeMatches('text/plain', 'text/csv')).toBe(true);
    expect(declaredTypeMatches('text/csv', 'text/plain')).toBe(true);
    expect(declaredTypeMatches('application/pdf', 'text/plain')).toBe(false);
    expect(extensionMatches('xyz', 'text/plain')).toBeNull();
  });
});
