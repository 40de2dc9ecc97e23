import { createHash } from 'node:crypto';
import type { HttpResult } from '../middleware/http-types';

/** The console page as the build makes it: one HTML document with its script and style inlined. */
export interface BuiltConsolePage {
  readonly html: string;
  /** Base64 SHA-256 of the inline <script>'s text, for the CSP. */
  readonly scriptSha256: string;
  /** Base64 SHA-256 of the inline <style>'s text. */
  readonly styleSha256: string;
}

/**
 * Nothing runs but the page's own script and style (by hash); the page may only call its own origin (the
 * console API); no plugin, frame, form target, base URL or framing by another site.
 */
export function consolePagePolicy(page: BuiltConsolePage): string {
  return [
    "default-src 'none'",
    `script-src 'sha256-${page.scriptSha256}'`,
    `style-src 'sha256-${page.styleSha256}'`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * `GET /console`: the page and its security headers. It holds no data (the API behind it needs the admin
 * scope), so it is public. Browsers keep it but revalidate every time (`no-cache` + ETag): a deploy shows at
 * the next load, and an unchanged page costs a 304 without a body.
 */
export function consolePageResponder(
  page: BuiltConsolePage,
): (ifNoneMatch: string | undefined) => HttpResult {
  const etag = `"${createHash('sha256').update(page.html).digest('base64url').slice(0, 27)}"`;
  const headers = {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': consolePagePolicy(page),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cache-control': 'no-cache',
    etag,
  };
  return (ifNoneMatch) =>
    ifNoneMatch !== undefined && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)
      ? { statusCode: 304, headers }
      : { statusCode: 200, headers, body: page.html };
}
