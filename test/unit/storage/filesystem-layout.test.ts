import fc from 'fast-check';
import { relative, sep } from 'node:path';
import { InvalidRequestError } from '../../../src/errors';
import {
  keyOfDataFile,
  objectFiles,
  prefixDirectory,
  segmentOfDirectory,
} from '../../../src/aws/storage/filesystem-layout';

const root = '/srv/storage';
const ctx = { service: 'filesystem', operation: 'Test' };
const segment = fc
  .string({ unit: 'grapheme', maxLength: 12 })
  .filter((text) => !text.includes('/') && text !== '.' && text !== '..');
const safeKey = fc.array(segment, { minLength: 1, maxLength: 5 }).map((segments) => segments.join('/'));

/** The key a data file stands for, read back from its path as the listing does. */
function keyFromPath(path: string): string | undefined {
  const parts = relative(root, path).split(sep);
  const file = parts.pop()!;
  return keyOfDataFile(parts.map((name) => `${segmentOfDirectory(name)}/`).join(''), file);
}

describe('filesystem layout of object keys', () => {
  it('keeps every file of every safe key under the root and reads the key back from the path', () => {
    fc.assert(
      fc.property(safeKey, (key) => {
        const files = objectFiles(root, key, ctx);
        expect(files.data.startsWith(`${root}${sep}`)).toBe(true);
        expect(files.sidecar.startsWith(`${root}${sep}`)).toBe(true);
        expect(keyFromPath(files.data)).toBe(key);
      }),
    );
  });

  it('never gives two different keys the same file, nor a folder the name of a file', () => {
    fc.assert(
      fc.property(safeKey, safeKey, (a, b) => {
        fc.pre(a !== b);
        const filesA = objectFiles(root, a, ctx);
        const filesB = objectFiles(root, b, ctx);
        expect(filesA.data).not.toBe(filesB.data);
        expect(filesA.sidecar).not.toBe(filesB.data);
        expect(filesB.directory.startsWith(`${filesA.data}${sep}`)).toBe(false);
      }),
    );
  });

  it.each(['..', '../x', 'a/../b', 'a/.', './a'])('refuses %j', (key) => {
    expect(() => objectFiles(root, key, ctx)).toThrow(InvalidRequestError);
  });

  it('refuses a segment too long for a filename', () => {
    expect(() => objectFiles(root, `a/${'x'.repeat(250)}`, ctx)).toThrow(InvalidRequestError);
  });

  it('finds the folder of a prefix, searching the folder of a partial last segment', () => {
    expect(prefixDirectory(root, 'uploads/ab')).toEqual({
      directory: `${root}/uploads`,
      keyPrefix: 'uploads/',
    });
    expect(prefixDirectory(root, '')).toEqual({ directory: root, keyPrefix: '' });
    expect(prefixDirectory(root, 'a/../')).toBeUndefined();
  });

  it('ignores files that are not object data (sidecars, temporary files)', () => {
    expect(keyOfDataFile('p/', 'a~meta.json')).toBeUndefined();
    expect(keyOfDataFile('p/', 'a~123-abc.tmp')).toBeUndefined();
    expect(keyOfDataFile('p/', '%25~')).toBe('p/%');
  });
});
