import { InvalidCursorError } from '../../errors';
import type { ArgumentContext } from './arguments';

/**
 * The list cursor both storage adapters hand out: the last key of the page, base64url-encoded. The next
 * page starts after it (S3 `StartAfter`), so a cursor is checked here, by us, before any call: a cursor
 * that is not one we issued for this prefix is refused as the caller's error (INVALID_CURSOR), never
 * passed on for the store to reject in its own words.
 */
export function encodeListCursor(lastKey: string): string {
  return Buffer.from(lastKey, 'utf8').toString('base64url');
}

/** The key a cursor continues after; throws InvalidCursorError (400) unless it is one issued under `prefix`. */
export function decodeListCursor(cursor: string, prefix: string, context: ArgumentContext): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (
    key.length === 0 ||
    Buffer.byteLength(key) > 1024 ||
    encodeListCursor(key) !== cursor ||
    !key.startsWith(prefix)
  )
    throw new InvalidCursorError(
      'The cursor is not valid: pass the cursor of the previous page unchanged',
      context,
    );
  return key;
}
