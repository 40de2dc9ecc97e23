import { join, resolve, sep } from 'node:path';
import { InvalidRequestError } from '../../errors';
import type { ArgumentContext } from './arguments';

/*
 * How object keys map to files, injectively and readably. A key's `/`-separated segments become folders
 * and a file; each segment is percent-encoded only for `%`, `~`, `\` and control characters, an empty
 * segment becomes `%`. The object's bytes live in `<segment>~` and its attributes in the sidecar
 * `<segment>~meta.json`. Folder names never contain `~`, so `a` (file `a~`) and `a/b` (folder `a`) can both
 * exist, as in S3. `.` and `..` segments are refused, so no key reaches outside the root.
 */

const DATA_SUFFIX = '~';
const SIDECAR_SUFFIX = '~meta.json';
const TEMPORARY_SUFFIX = '.tmp';
const MAX_NAME_BYTES = 255;
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
const ESCAPED = /[%~\\\x00-\x1f\x7f]/g;

export interface ObjectFiles {
  directory: string;
  data: string;
  sidecar: string;
  /** A unique temporary name beside the target, for write-then-rename. */
  temporary(): string;
}

function encodeSegment(segment: string): string {
  if (segment === '') return '%';
  return segment.replace(
    ESCAPED,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

function decodeSegment(name: string): string {
  if (name === '%') return '';
  return name.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Throws InvalidRequestError for a key with a `.` or `..` segment (it would escape or alias a folder). */
export function assertFilesystemSafeKey(key: string, context: ArgumentContext): void {
  if (key.split('/').some((segment) => segment === '..' || segment === '.')) {
    throw new InvalidRequestError('An object key must not contain "." or ".." path segments', context);
  }
}

/** The files of `key` under `root`; throws InvalidRequestError for unsafe keys or over-long segments. */
export function objectFiles(root: string, key: string, context: ArgumentContext): ObjectFiles {
  assertFilesystemSafeKey(key, context);
  const names = key.split('/').map(encodeSegment);
  const last = names.pop()!;
  for (const name of [...names, `${last}${SIDECAR_SUFFIX}`]) {
    if (Buffer.byteLength(name) > MAX_NAME_BYTES) {
      throw new InvalidRequestError(
        `A key segment is too long for the filesystem (${MAX_NAME_BYTES} bytes)`,
        context,
      );
    }
  }
  const base = resolve(root);
  const directory = join(base, ...names);
  const data = join(directory, `${last}${DATA_SUFFIX}`);
  // Defence in depth: encoding and the segment check already keep every path under the root.
  if (!data.startsWith(`${base}${sep}`))
    throw new InvalidRequestError('The key resolves outside the storage root', context);
  return {
    directory,
    data,
    sidecar: join(directory, `${last}${SIDECAR_SUFFIX}`),
    temporary: () =>
      join(directory, `${last}~${process.pid}-${Math.random().toString(36).slice(2)}${TEMPORARY_SUFFIX}`),
  };
}

/**
 * The folder every key starting with `prefix` lives under, and the key prefix that folder stands for;
 * undefined when the prefix passes through a `.` or `..` segment (no storable key starts with it).
 */
export function prefixDirectory(
  root: string,
  prefix: string,
): { directory: string; keyPrefix: string } | undefined {
  const segments = prefix.split('/');
  segments.pop(); // the last segment may be partial: its folder is searched, not entered
  if (segments.some((segment) => segment === '..' || segment === '.')) return undefined;
  return {
    directory: join(resolve(root), ...segments.map(encodeSegment)),
    keyPrefix: segments.map((segment) => `${segment}/`).join(''),
  };
}

/** The object key of a data file name within a folder of keys starting with `keyPrefix`, or undefined for other files. */
export function keyOfDataFile(keyPrefix: string, fileName: string): string | undefined {
  if (!fileName.endsWith(DATA_SUFFIX)) return undefined;
  return `${keyPrefix}${decodeSegment(fileName.slice(0, -DATA_SUFFIX.length))}`;
}

/** The key segment a folder name stands for. */
export function segmentOfDirectory(name: string): string {
  return decodeSegment(name);
}
