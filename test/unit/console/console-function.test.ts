import { createHash } from 'node:crypto';
import { handler } from '../../../functions/console';
import { consolePagePolicy, consolePageResponder } from '../../../src/console/page-response';
import { httpEvent, lambdaContext } from '../middleware/events';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64');
const inline = (html: string, tag: string) => new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html)?.[1];
const page = { html: '<!doctype html><p>page</p>', scriptSha256: 'c2NyaXB0', styleSha256: 'c3R5bGU=' };

describe('the console function (GET /console)', () => {
  const get = (headers: Record<string, string> = {}) =>
    handler(
      httpEvent({ routeKey: 'GET /console', rawPath: '/console', body: undefined, headers }),
      lambdaContext(),
    );

  it('serves the built page: one HTML document whose inline script and style are the ones its CSP allows', async () => {
    const response = await get();
    expect(response.statusCode).toBe(200);
    expect(response.headers!['content-type']).toBe('text/html; charset=utf-8');
    const html = String(response.body);
    expect(html).toMatch(/^<!doctype html>/);
    const script = inline(html, 'script')!;
    const style = inline(html, 'style')!;
    expect(script.length).toBeGreaterThan(1000);
    const csp = String(response.headers!['content-security-policy']);
    expect(csp).toContain(`script-src 'sha256-${sha256(script)}'`);
    expect(csp).toContain(`style-src 'sha256-${sha256(style)}'`);
    // Nothing else to load: no external script, stylesheet or font (the page works with no network).
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|@import|url\(/);
  });

  it('answers 304 without a body when the browser already holds this page (If-None-Match)', async () => {
    const first = await get();
    const etag = String(first.headers!.etag);
    const again = await get({ 'if-none-match': `"other", W/${etag}` });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBeUndefined();
    expect((await get({ 'if-none-match': '"other"' })).statusCode).toBe(200);
  });
});

describe('consolePagePolicy', () => {
  it('allows only the page’s own script and style, calls to its own origin, and no framing', () => {
    expect(consolePagePolicy(page).split('; ')).toEqual([
      "default-src 'none'",
      "script-src 'sha256-c2NyaXB0'",
      "style-src 'sha256-c3R5bGU='",
      "connect-src 'self'",
      'img-src data:',
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ]);
  });
});

describe('consolePageResponder', () => {
  it('sends nosniff, no-referrer, DENY framing and revalidation with an ETag of the page', () => {
    const response = consolePageResponder(page)(undefined);
    expect(response).toMatchObject({
      statusCode: 200,
      body: page.html,
      headers: {
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
        'cache-control': 'no-cache',
      },
    });
    expect(response.headers!.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(consolePageResponder({ ...page, html: 'other' })(undefined).headers!.etag).not.toBe(
      response.headers!.etag,
    );
  });
});
