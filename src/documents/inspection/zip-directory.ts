const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const ZIP64_END_OF_CENTRAL_DIRECTORY = 0x06064b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const MAX_COMMENT = 0xffff;
const MAX_ENTRIES_READ = 10_000;

/**
 * Entry names from a zip's central directory, read from the last bytes of the archive (`tail`, the last
 * `tail.length` bytes of a `totalSize`-byte file). Returns undefined when the directory is not wholly
 * inside the tail or the structure is broken — the caller then says "zip" without guessing further.
 */
export function readZipEntryNames(tail: Buffer, totalSize: number): string[] | undefined {
  const eocd = findEndOfCentralDirectory(tail);
  if (eocd === undefined) return undefined;
  let entries = tail.readUInt16LE(eocd + 10);
  let directorySize = tail.readUInt32LE(eocd + 12);
  let directoryOffset = tail.readUInt32LE(eocd + 16);

  if (directoryOffset === 0xffffffff || entries === 0xffff || directorySize === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || tail.readUInt32LE(locator) !== ZIP64_END_LOCATOR) return undefined;
    const zip64Offset = Number(tail.readBigUInt64LE(locator + 8));
    const zip64 = zip64Offset - (totalSize - tail.length);
    if (zip64 < 0 || zip64 + 56 > tail.length || tail.readUInt32LE(zip64) !== ZIP64_END_OF_CENTRAL_DIRECTORY)
      return undefined;
    entries = Number(tail.readBigUInt64LE(zip64 + 32));
    directorySize = Number(tail.readBigUInt64LE(zip64 + 40));
    directoryOffset = Number(tail.readBigUInt64LE(zip64 + 48));
  }

  const start = directoryOffset - (totalSize - tail.length);
  if (start < 0 || start + directorySize > tail.length) return undefined;
  const names: string[] = [];
  let position = start;
  for (let i = 0; i < Math.min(entries, MAX_ENTRIES_READ); i++) {
    if (position + 46 > tail.length || tail.readUInt32LE(position) !== CENTRAL_DIRECTORY_ENTRY)
      return undefined;
    const nameLength = tail.readUInt16LE(position + 28);
    const extraLength = tail.readUInt16LE(position + 30);
    const commentLength = tail.readUInt16LE(position + 32);
    if (position + 46 + nameLength > tail.length) return undefined;
    names.push(tail.toString('utf8', position + 46, position + 46 + nameLength));
    position += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

/** Offset in `tail` of the last end-of-central-directory record within reach of a comment, or undefined. */
export function findEndOfCentralDirectory(tail: Buffer): number | undefined {
  const lowest = Math.max(0, tail.length - 22 - MAX_COMMENT);
  if (tail.length < 22) return undefined;
  for (let position = tail.length - 22; position >= lowest; position--) {
    if (tail.readUInt32LE(position) === END_OF_CENTRAL_DIRECTORY) return position;
  }
  return undefined;
}

/** The Office Open XML kind of a zip, told by the part its `[Content_Types].xml` points at. */
export function officeOpenXmlType(names: readonly string[]): { ext: string; mime: string } | undefined {
  const has = new Set(names);
  if (!has.has('[Content_Types].xml')) return undefined;
  if (has.has('word/document.xml'))
    return { ext: 'docx', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' };
  if (has.has('xl/workbook.xml'))
    return { ext: 'xlsx', mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };
  if (has.has('ppt/presentation.xml'))
    return { ext: 'pptx', mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation' };
  return undefined;
}
