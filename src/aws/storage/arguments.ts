import { InvalidRequestError } from '../../errors';
import type { ByteRange } from './object-storage';
import { MAX_LIST_LIMIT } from './object-storage';

/** Which adapter and call an argument belongs to, for the error it raises. */
export interface ArgumentContext {
  service: string;
  operation: string;
  resource?: string;
}

const MAX_KEY_BYTES = 1024;
const MAX_METADATA_BYTES = 2048;
const MAX_TAGS = 10;
const MAX_TAG_KEY_LENGTH = 128;
const MAX_TAG_VALUE_LENGTH = 256;
const MIN_EXPIRES_IN = 1;
const MAX_EXPIRES_IN = 7 * 24 * 60 * 60;
// Printable ASCII and tab: what survives as an HTTP header value unchanged.
const HEADER_SAFE = /^[\t\x20-\x7e]*$/;
const METADATA_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
// Characters S3 allows in tags: letters, digits, whitespace and + - = . _ : / @ in any script.
const TAG_TEXT = /^[\p{L}\p{N}\p{Zs}+\-=._:/@]*$/u;

function invalid(context: ArgumentContext, message: string): InvalidRequestError {
  return new InvalidRequestError(message, context);
}

/** Throws InvalidRequestError unless `key` is a valid S3 key: non-empty, at most 1024 UTF-8 bytes, no NUL. */
export function assertValidKey(key: string, context: ArgumentContext): void {
  if (typeof key !== 'string' || key.length === 0) throw invalid(context, 'An object key must not be empty');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw invalid(context, `An object key must be at most ${MAX_KEY_BYTES} bytes of UTF-8`);
  }
  if (key.includes('\0')) throw invalid(context, 'An object key must not contain NUL characters');
}

/** Throws InvalidRequestError unless `prefix` is a valid key that can only name part of the store, never all of it. */
export function assertErasablePrefix(prefix: string, context: ArgumentContext): void {
  if (typeof prefix !== 'string' || prefix.length === 0) {
    throw invalid(context, 'Erasing needs a non-empty prefix: it never empties the whole store');
  }
  assertValidKey(prefix, context);
}

/**
 * Returns the metadata with lowercased names (as S3 stores them), or throws InvalidRequestError when a
 * name is not a header token, a value is not printable ASCII (S3 sends it as a header) or the whole
 * exceeds S3's 2 KB limit.
 */
export function normaliseMetadata(
  metadata: Record<string, string> | undefined,
  context: ArgumentContext,
): Record<string, string> {
  const normalised: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(metadata ?? {})) {
    const lowerName = name.toLowerCase();
    if (!METADATA_NAME.test(lowerName))
      throw invalid(context, `Metadata name "${name}" is not a valid header name`);
    if (typeof value !== 'string' || !HEADER_SAFE.test(value)) {
      throw invalid(
        context,
        `Metadata "${lowerName}" must be printable ASCII (encode other text, e.g. encodeURIComponent)`,
      );
    }
    bytes += Buffer.byteLength(lowerName) + Buffer.byteLength(value);
    normalised[lowerName] = value;
  }
  if (bytes > MAX_METADATA_BYTES)
    throw invalid(context, `Metadata must total at most ${MAX_METADATA_BYTES} bytes`);
  return normalised;
}

/** Throws InvalidRequestError unless the tags fit S3's rules (10 tags, key ≤ 128, value ≤ 256, allowed characters). */
export function assertValidTags(tags: Record<string, string>, context: ArgumentContext): void {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) throw invalid(context, `An object may have at most ${MAX_TAGS} tags`);
  for (const [name, value] of entries) {
    if (name.length === 0 || name.length > MAX_TAG_KEY_LENGTH || !TAG_TEXT.test(name)) {
      throw invalid(
        context,
        `Tag key "${name}" must be 1–${MAX_TAG_KEY_LENGTH} letters, digits, spaces or + - = . _ : / @`,
      );
    }
    if (typeof value !== 'string' || value.length > MAX_TAG_VALUE_LENGTH || !TAG_TEXT.test(value)) {
      throw invalid(
        context,
        `Tag "${name}" must have a value of at most ${MAX_TAG_VALUE_LENGTH} allowed characters`,
      );
    }
  }
}

/** Returns `expiresIn` (or the default) when within [1 s, 7 days]; throws InvalidRequestError otherwise. */
export function boundedExpiresIn(
  expiresIn: number | undefined,
  fallback: number,
  context: ArgumentContext,
): number {
  const seconds = expiresIn ?? fallback;
  if (!Number.isInteger(seconds) || seconds < MIN_EXPIRES_IN || seconds > MAX_EXPIRES_IN) {
    throw invalid(
      context,
      `Expiry must be a whole number of seconds from ${MIN_EXPIRES_IN} to ${MAX_EXPIRES_IN} (7 days)`,
    );
  }
  return seconds;
}

/** Returns the page size (default 1000) or throws InvalidRequestError when it is not an integer in 1–1000. */
export function boundedListLimit(limit: number | undefined, context: ArgumentContext): number {
  const value = limit ?? MAX_LIST_LIMIT;
  if (!Number.isInteger(value) || value < 1 || value > MAX_LIST_LIMIT) {
    throw invalid(context, `List limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  }
  return value;
}

/** Throws InvalidRequestError unless the range has a non-negative start and an end not before it. */
export function assertValidRange(range: ByteRange, context: ArgumentContext): void {
  const { start, end } = range;
  if (
    !Number.isSafeInteger(start) ||
    start < 0 ||
    (end !== undefined && (!Number.isSafeInteger(end) || end < start))
  ) {
    throw invalid(context, 'A byte range needs an integer start ≥ 0 and an end ≥ start');
  }
}

/** The HTTP Range header value for an inclusive byte range. */
export function rangeHeader(range: ByteRange): string {
  return `bytes=${range.start}-${range.end ?? ''}`;
}

/** Throws InvalidRequestError unless 0 ≤ minSize ≤ maxSize, both integers. */
export function assertValidSizeRange(minSize: number, maxSize: number, context: ArgumentContext): void {
  if (!Number.isSafeInteger(minSize) || !Number.isSafeInteger(maxSize) || minSize < 0 || maxSize < minSize) {
    throw invalid(context, 'Upload size bounds need integers with 0 ≤ minSize ≤ maxSize');
  }
}
