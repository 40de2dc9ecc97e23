/**
 * The console page in a real browser (Debian's headless Chromium through playwright-core), served by the
 * `console` function's handler, against a FAKE console API (test/helpers/fake-console-api.ts; the real API
 * is another part, driven by test/e2e/console.test.ts). Each test saves a screenshot of each view it shows.
 */
import type { Page } from 'playwright-core';
import { handler as consoleHandler } from '../../../functions/console';
import { launchBrowser, type TestBrowser } from '../../helpers/browser';
import {
  consoleFixtures,
  HOSTILE_TEXT,
  serveConsoleWithFakeApi,
  type FakeConsoleApi,
} from '../../helpers/fake-console-api';

jest.setTimeout(60_000);

let browser: TestBrowser;
let api: FakeConsoleApi;
let page: Page;

beforeAll(async () => {
  [browser, api] = await Promise.all([launchBrowser(), serveConsoleWithFakeApi(consoleHandler)]);
  console.log(`console page screenshots: ${browser.screenshotDir}`);
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
});
beforeEach(async () => {
  api.requests.length = 0;
  api.refuseWith = undefined;
  Object.assign(api.fixtures, consoleFixtures());
  page = await browser.newPage();
});
afterEach(async () => {
  await page.close();
});

/** Opens the console signed in with `token` (the banner's link form), at `route`. */
async function openSignedIn(route = '', token = 'admin-token') {
  await page.goto(`${api.pageUrl}#token=${token}`);
  await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
  if (route) {
    await page.evaluate(`location.hash = ${JSON.stringify(route)}`);
  }
}

/** Resolves once `condition` holds (checked every 20 ms); rejects after 5 s. */
async function eventually(condition: () => boolean | Promise<boolean>) {
  const deadline = Date.now() + 5_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`still false after 5 s: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sessionToken = () => page.evaluate(`sessionStorage.getItem('intake-console-token')`);

describe('the token', () => {
  it('is taken from the fragment, kept in sessionStorage, sent as a Bearer token and removed from the URL', async () => {
    await openSignedIn('', 'eyJ.admin.token');
    expect(page.url()).toBe(`${api.pageUrl}#/deliveries`);
    expect(await sessionToken()).toBe('eyJ.admin.token');
    expect(api.requestsTo('GET', 'deliveries')[0]?.authorization).toBe('Bearer eyJ.admin.token');
    await browser.screenshot(page, 'deliveries');
  });

  it('is asked for with a paste box when there is none, and a pasted token is used', async () => {
    await page.goto(api.pageUrl);
    await page.getByRole('heading', { name: 'Sign in with an admin token' }).waitFor();
    expect(api.requests).toEqual([]);
    await browser.screenshot(page, 'sign-in');
    await page.getByLabel('Admin token').fill('pasted-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
    expect(api.requestsTo('GET', 'deliveries')[0]?.authorization).toBe('Bearer pasted-token');
  });

  it.each([
    [401, 'refused the token'],
    [403, 'not an admin token'],
  ])('refused by the API with %i: the page says to sign in with an admin token', async (status, reason) => {
    api.refuseWith = status;
    await page.goto(`${api.pageUrl}#token=expired`);
    await page.getByRole('heading', { name: 'Sign in with an admin token' }).waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toContain(reason);
    await browser.screenshot(page, `refused-${status}`);
  });

  it('is forgotten with "Forget token"', async () => {
    await openSignedIn();
    await page.getByRole('button', { name: 'Forget token' }).click();
    await page.getByRole('heading', { name: 'Sign in with an admin token' }).waitFor();
    expect(await sessionToken()).toBeNull();
  });
});

describe('the deliveries view', () => {
  it('lists the contract records newest first, with a chart of one bar per minute', async () => {
    await openSignedIn();
    const rows = page.locator('table', { hasText: 'Deliveries (newest first)' }).locator('tbody tr');
    await expect(rows.count()).resolves.toBe(3);
    await expect(rows.nth(0).textContent()).resolves.toContain('delivery-3');
    await expect(page.locator('svg.chart rect.bar-deliveries').count()).resolves.toBe(
      api.fixtures.activity.minutes.length,
    );
    await expect(page.locator('svg.chart rect.bar-failures').count()).resolves.toBe(
      api.fixtures.activity.minutes.length,
    );
    await expect(page.locator('svg.chart').getAttribute('aria-label')).resolves.toContain(
      '18 deliveries, 1 failures',
    );
    expect(api.requestsTo('GET', 'activity')[0]?.query).toEqual({ minutes: '60' });
  });

  it('shows hostile data as text: an <img onerror> in a record is never parsed as HTML', async () => {
    await openSignedIn();
    await expect(page.locator('table').getByText(HOSTILE_TEXT).count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('main img').count()).resolves.toBe(0);
    await expect(page.title()).resolves.toBe('intake console');
  });

  it('shows hostile text in every field of every view as text, never as HTML', async () => {
    // Every string of every answer (sources, types, payloads, headers, filenames, quarantine reasons, dead
    // letters, health errors, pause reasons, cost lines) carries the markup; the chart's minutes stay times.
    const hostile = (value: unknown): unknown =>
      typeof value === 'string'
        ? `${value}${HOSTILE_TEXT}`
        : Array.isArray(value)
          ? value.map(hostile)
          : value !== null && typeof value === 'object'
            ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, hostile(item)]))
            : value;
    const { activity, ...rest } = consoleFixtures();
    Object.assign(api.fixtures, hostile(rest), { activity });
    await openSignedIn();
    const views = [
      ['#/delivery/r-1', 'Delivery'],
      ['#/queues', 'Queues'],
      ['#/queue/documents', 'Dead letters of documents'],
      ['#/documents', 'Documents'],
      ['#/health', 'Health'],
      ['#/controls', 'Controls'],
      ['#/cost', 'Cost estimate'],
    ] as const;
    for (const [route, heading] of views) {
      await page.evaluate(`location.hash = ${JSON.stringify(route)}`);
      await eventually(async () =>
        ((await page.locator('main h2').first().textContent()) ?? '').startsWith(heading),
      );
      await expect(page.locator('main').textContent()).resolves.toContain(HOSTILE_TEXT);
      await expect(page.locator('img').count()).resolves.toBe(0);
    }
    await expect(page.title()).resolves.toBe('intake console');
  });

  it('filters by source, type, status and time through the hash, and asks the API with those filters', async () => {
    await openSignedIn();
    await page.getByLabel('Source').fill('github');
    await page.getByLabel('Type').fill('push');
    await page.getByLabel('Status').selectOption('failed');
    await page.getByLabel('Since').fill('2026-12-06T09:00');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=failed/);
    await eventually(() => api.requestsTo('GET', 'deliveries').length === 2);
    const query = api.requestsTo('GET', 'deliveries')[1]!.query;
    expect(query).toMatchObject({ source: 'github', type: 'push', status: 'failed', limit: '50' });
    expect(Date.parse(query.since!)).not.toBeNaN();
    expect(page.url()).toContain('source=github');
  });

  it('pages to older deliveries with the cursor, then hides "Older" on the last page', async () => {
    await openSignedIn();
    await page.getByRole('button', { name: 'Older' }).click();
    const rows = page.locator('table', { hasText: 'Deliveries (newest first)' }).locator('tbody tr');
    await eventually(async () => (await rows.count()) === 4);
    expect(api.requestsTo('GET', 'deliveries')[1]?.query.cursor).toBe('page-2');
    await expect(page.getByRole('button', { name: 'Older' }).isHidden()).resolves.toBe(true);
  });

  it('asks before replaying the filtered set, and sends nothing when the answer is Cancel', async () => {
    await openSignedIn('#/deliveries?source=github&status=failed');
    const asked = browser.dialogs.length;
    browser.dismissNextDialog();
    await page.getByRole('button', { name: 'Replay every matching delivery' }).click();
    await eventually(() => browser.dialogs.length === asked + 1);
    expect(browser.dialogs.at(-1)).toBe('Replay every matching delivery (up to 500)?');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(api.requestsTo('POST', 'replays')).toHaveLength(0);
  });

  it('replays the filtered set: POST /replays with the filter, and says how many were queued and why some were not', async () => {
    await openSignedIn('#/deliveries?source=github&status=failed');
    await page.getByRole('button', { name: 'Replay every matching delivery' }).click();
    await page
      .getByRole('status')
      .getByText(
        'Replay replay-2: 5 matched, 3 queued again. Not replayed: 1 with their archive gone, 1 too large for one message (npm run replay sends those).',
      )
      .waitFor();
    expect(api.requestsTo('POST', 'replays')[0]?.body).toEqual({ source: 'github', status: 'failed' });
  });
});

describe('one delivery', () => {
  it('shows its attempts, targets and pretty-printed payload as text, and replays it', async () => {
    await openSignedIn();
    await page.getByRole('link', { name: HOSTILE_TEXT }).click();
    await page.getByRole('table', { name: 'Attempts (oldest first)' }).waitFor();
    await expect(
      page.getByRole('table', { name: 'Attempts (oldest first)' }).locator('tbody tr').count(),
    ).resolves.toBe(2);
    await expect(page.getByRole('table', { name: 'Routed targets' }).textContent()).resolves.toContain(
      'webhook-sample-downstream',
    );
    const payload = await page.getByLabel('Payload').textContent();
    expect(payload).toBe(api.fixtures.delivery.payload!.text);
    expect(payload).toContain(HOSTILE_TEXT);
    await expect(page.locator('main img').count()).resolves.toBe(0);
    expect(api.requestsTo('GET', 'deliveries/receipt-2')).toHaveLength(1);
    await browser.screenshot(page, 'delivery');

    await page.getByRole('button', { name: 'Replay this delivery' }).click();
    await page.getByRole('status').getByText('Replay replay-1: 1 matched, 1 queued again.').waitFor();
    expect(api.requestsTo('POST', 'deliveries/receipt-2/replay')).toHaveLength(1);
  });
});

describe('queues and dead letters', () => {
  it('lists each queue with its DLQ depth, opens a DLQ and redrives one message, then all', async () => {
    await openSignedIn('#/queues');
    const queues = page.getByRole('table', { name: 'Queues and their dead-letter queues' });
    await queues.waitFor();
    await expect(queues.locator('tbody tr').first().textContent()).resolves.toBe(
      'webhooks312Dead letters of webhooks',
    );
    await browser.screenshot(page, 'queues');

    await page.getByRole('link', { name: 'Dead letters of webhooks' }).click();
    await page.getByRole('heading', { name: 'Dead letters of webhooks' }).waitFor();
    await expect(page.getByText(`not json ${HOSTILE_TEXT}`).count()).resolves.toBe(1);
    await browser.screenshot(page, 'dead-letters');

    await page.getByRole('button', { name: 'Redrive message m-1' }).click();
    await page.getByRole('status').getByText('Redrive: 1 moved back to the queue.').waitFor();
    browser.dismissNextDialog();
    await page.getByRole('button', { name: 'Redrive all' }).click();
    await eventually(
      () => browser.dialogs.at(-1) === 'Redrive every message of this DLQ (up to 500) to its queue?',
    );
    await page.getByRole('button', { name: 'Redrive all' }).click();
    await eventually(() => api.requestsTo('POST', 'queues/webhooks/redrive').length === 2);
    expect(api.requestsTo('POST', 'queues/webhooks/redrive').map((request) => request.body)).toEqual([
      { messageId: 'm-1' },
      {},
    ]);
  });
});

describe('the other views', () => {
  it('documents: status, type, owner, quarantine reason and manifest', async () => {
    await openSignedIn('#/documents');
    const documents = page.getByRole('table', { name: 'Documents' });
    await documents.waitFor();
    await expect(documents.locator('tbody tr').nth(1).textContent()).resolves.toContain('MALWARE_FOUND');
    await page.locator('summary', { hasText: 'Manifest' }).first().click();
    await expect(page.locator('details[open] pre').textContent()).resolves.toContain('"pages": 3');
    await browser.screenshot(page, 'documents');
  });

  it('health: each service with its status and latency', async () => {
    await openSignedIn('#/health');
    const checks = page.getByRole('table', { name: 'Integrations' });
    await checks.waitFor();
    await expect(checks.locator('tbody tr').allTextContents()).resolves.toEqual([
      's3ok4',
      'sqsok8',
      'dynamodberror2000TIMEOUT',
    ]);
    await browser.screenshot(page, 'health');
  });

  it('controls: shows pauses and caps; pause and resume send the scope', async () => {
    await openSignedIn('#/controls');
    await page.getByRole('table', { name: 'Routed targets' }).waitFor();
    await expect(page.getByRole('table', { name: 'Routed targets' }).textContent()).resolves.toContain(
      'uncapped',
    );
    await browser.screenshot(page, 'controls');

    await page.getByRole('button', { name: 'Resume source stripe' }).click();
    await page.getByRole('status').getByText('Resumed source stripe.').waitFor();
    await page.getByLabel('Source (* with a target: every source)').fill('github');
    await page.getByLabel('Target (empty: the whole source)').fill('billing');
    await page.getByLabel('Reason').fill('billing is down');
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.getByRole('status').getByText('Paused target billing of source github').waitFor();
    await page
      .getByRole('button', { name: 'Pause target webhook-sample-downstream for every source' })
      .click();
    await eventually(() => api.requestsTo('PUT', 'controls/pause').length === 2);
    expect(api.requestsTo('PUT', 'controls/resume')[0]?.body).toEqual({ source: 'stripe' });
    expect(api.requestsTo('PUT', 'controls/pause').map((request) => request.body)).toEqual([
      { source: 'github', target: 'billing', reason: 'billing is down' },
      { source: '*', target: 'webhook-sample-downstream' },
    ]);
  });

  it('cost: the traffic seen and the estimate, a line per priced item', async () => {
    await openSignedIn('#/cost');
    const lines = page.getByRole('table', {
      name: /^Estimate: \$0\.0017 a month \(us-east-1, prices of 2026-12-01\)$/,
    });
    await lines.waitFor();
    await expect(page.locator('main dl').textContent()).resolves.toContain('1200');
    await expect(lines.locator('tbody tr').allTextContents()).resolves.toEqual([
      'Lambdawebhook-receive requests1200request2e-7$0.00024',
      'SQSrequests3600request4e-7$0.0014',
    ]);
    await browser.screenshot(page, 'cost');
  });

  it('cost: an estimate of another shape is shown as its JSON', async () => {
    api.fixtures.cost = { ...api.fixtures.cost, estimate: { currency: 'USD', total: 0.42 } };
    await openSignedIn('#/cost');
    await page.getByRole('heading', { name: 'Estimate', exact: true }).waitFor();
    await expect(page.locator('main pre').textContent()).resolves.toContain('"total": 0.42');
  });

  it("still lists the deliveries when the chart's count is refused, saying why there is no chart", async () => {
    api.fixtures.activity = {
      error: {
        code: 'TOO_MANY_TO_COUNT',
        message: 'More than 200000 deliveries in the span: ask for a shorter one',
      },
    } as never;
    await openSignedIn();
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'No chart of the last hour: More than 200000 deliveries in the span: ask for a shorter one',
    );
    await expect(page.locator('main table tbody tr').count()).resolves.toBe(
      api.fixtures.deliveries.items.length,
    );
  });

  it('an API failure is shown with its code, message and request id', async () => {
    await openSignedIn();
    api.refuseWith = 500;
    await page.evaluate(`location.hash = '#/health'`);
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'The console API answered 500 INTERNAL: the history table is unreachable (request req-42)',
    );
  });
});

describe('empty and partial answers', () => {
  it('says so when nothing matches, nothing is paused or a DLQ is empty, and offers no action that would do nothing', async () => {
    api.fixtures.deliveries = { items: [] };
    api.fixtures.deadLetters = { queue: 'documents', messages: [] };
    api.fixtures.controls = { pauses: [], targets: [] };
    await openSignedIn('#/deliveries?status=dead-lettered');
    await page.getByText('No delivery matches.').waitFor();
    await expect(page.getByRole('button', { name: 'Older' }).isHidden()).resolves.toBe(true);
    await page.evaluate(`location.hash = '#/queue/documents'`);
    await page.getByText('The dead-letter queue is empty.').waitFor();
    await expect(page.getByRole('button', { name: 'Redrive all' }).count()).resolves.toBe(0);
    await page.evaluate(`location.hash = '#/controls'`);
    await page.getByText('Nothing is paused.').waitFor();
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.getByRole('alert').getByText('Name a source to pause').waitFor();
    expect(api.requestsTo('PUT', 'controls/pause')).toEqual([]);
  });

  it('a delivery not processed yet: no attempt, no target, and why there is no payload', async () => {
    const { delivery } = api.fixtures.delivery;
    api.fixtures.delivery = {
      delivery: { ...delivery, status: 'queued', attempts: [], targets: {} },
      payloadMissing: 'Not archived yet: the worker has not processed it.',
    };
    await openSignedIn('#/delivery/receipt-2');
    await page.getByText('Not archived yet: the worker has not processed it.').waitFor();
    await expect(page.getByText('No attempt yet.').count()).resolves.toBe(1);
    await expect(page.getByText('No routed target yet.').count()).resolves.toBe(1);
  });

  it('a binary payload cut short says so', async () => {
    api.fixtures.delivery = {
      ...api.fixtures.delivery,
      payload: { text: 'AAEC', encoding: 'base64', truncated: true, headers: {} },
    };
    await openSignedIn('#/delivery/receipt-2');
    await page.getByText('binary (base64)').waitFor();
    await expect(page.getByText('yes: only the start of the body is shown').count()).resolves.toBe(1);
    await expect(page.getByRole('table', { name: 'Kept headers' }).count()).resolves.toBe(0);
  });

  it('documents page on with "More" while the API gives a cursor, and filter by owner', async () => {
    const [first, second] = api.fixtures.documents.items;
    api.fixtures.documents = { items: [first!], cursor: 'docs-2' };
    await openSignedIn('#/documents');
    const rows = page.getByRole('table', { name: 'Documents' }).locator('tbody tr');
    await rows.first().waitFor();
    api.fixtures.documents = { items: [second!] };
    await page.getByRole('button', { name: 'More' }).click();
    await eventually(async () => (await rows.count()) === 2);
    expect(api.requestsTo('GET', 'documents')[1]?.query).toEqual({ cursor: 'docs-2' });
    await expect(page.getByRole('button', { name: 'More' }).isHidden()).resolves.toBe(true);
    await page.getByLabel('Owner').fill('alice');
    await page.getByRole('button', { name: 'Filter' }).click();
    await eventually(() => api.requestsTo('GET', 'documents').length === 3);
    expect(api.requestsTo('GET', 'documents')[2]?.query).toEqual({ owner: 'alice' });
  });

  it('an unknown view shows the deliveries', async () => {
    await openSignedIn('#/no-such-view');
    await eventually(() => api.requestsTo('GET', 'deliveries').length === 2);
    await expect(page.locator('nav a[aria-current=page]').textContent()).resolves.toBe('Deliveries');
  });
});

describe('the served page', () => {
  it('is served with a strict CSP, nosniff, no-referrer and revalidation, and runs under it without an error', async () => {
    const response = await fetch(api.pageUrl);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toMatch(/connect-src 'self'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const again = await fetch(api.pageUrl, { headers: { 'if-none-match': response.headers.get('etag')! } });
    expect(again.status).toBe(304);
    // Every test above ran the page under that policy: a blocked script or style would be a console error.
    expect(browser.problems).toEqual([]);
  });
});
