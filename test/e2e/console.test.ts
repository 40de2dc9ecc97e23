/**
 * The operator console through `npm start`, in Debian's headless Chromium: the banner's link signs the
 * page in; a webhook sent to the receiver appears in the deliveries view, opens with its attempts and
 * payload, and is replayed; a delivery whose claim-checked body is missing is dead-lettered at once (a
 * NotFound is not retryable), shows in the webhooks DLQ, and once its body exists a redrive from the
 * console processes it: its status goes from dead-lettered to processed. Screenshots of each view go to a
 * temporary folder; INTAKE_UPDATE_DOCS_SCREENSHOT=true also writes docs/images/console-deliveries.png.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Page } from 'playwright-core';
import { contentDeliveryId } from '../../src/webhooks/delivery';
import { serialiseWebhookMessage, type WebhookMessageMeta } from '../../src/webhooks/message';
import { claimKey } from '../../src/webhooks/object-keys';
import { loadLocalSources, sendingSource } from '../../scripts/lib/webhook-requests';
import { launchBrowser, type TestBrowser } from '../helpers/browser';
import { postGithubPush } from '../helpers/github-push';
import { startLocalStack, type LocalStackProcess } from '../helpers/local-stack-process';
import { exampleEnvironment } from '../helpers/webhook-fixtures';

jest.setTimeout(240_000);

const local = loadLocalSources(exampleEnvironment());
const githubSecret = sendingSource(local, 'github').secret;
let stack: LocalStackProcess;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
  [stack, browser] = await Promise.all([
    startLocalStack({ env: { ...local.receiverVariables }, timeoutMs: 150_000 }),
    launchBrowser(),
  ]);
  console.log(`console e2e screenshots: ${browser.screenshotDir}`);
  page = await browser.newPage();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const queue = (logicalId: string) =>
  stack.state.resources.queues.find((candidate) => candidate.logicalId === logicalId)!;
const bucket = () =>
  stack.state.resources.buckets.find((candidate) => candidate.logicalId === 'DocumentsBucket')!.name;

/** Re-renders the current view (the hash changes, the page fetches again) until `check` passes. */
async function untilShown(route: string, check: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; ; round += 1) {
    await page.evaluate(
      `location.hash = ${JSON.stringify(`${route}${route.includes('?') ? '&' : '?'}r=${round}`)}`,
    );
    await page.locator('main:not([aria-busy])').waitFor();
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${route} never showed what was expected`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const dlqLink = () => page.getByRole('link', { name: /^Dead letters of .*webhooks/ }).first();
const deliveryRow = (id: string) =>
  page.locator('table', { hasText: 'Deliveries (newest first)' }).locator('tbody tr', { hasText: id });
const rowShows = (id: string, text: string) => async () =>
  (await deliveryRow(id).count()) > 0 && ((await deliveryRow(id).first().textContent()) ?? '').includes(text);

it('the banner prints a console link that signs the page in with an admin token', async () => {
  const line = stack.lines.find((text) => text.trimStart().startsWith('Console '));
  expect(line).toBeDefined();
  const link = line!.trim().replace(/^Console\s+/, '');
  expect(link).toMatch(new RegExp(`^${stack.state.http.url}/console#token=`));
  await page.goto(link);
  await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
  expect(page.url()).toBe(`${stack.state.http.url}/console#/deliveries`);
});

it('a webhook appears in the deliveries view, opens with its attempts and payload, and is replayed', async () => {
  const body = JSON.stringify({ ref: 'refs/heads/main', console: 'e2e', at: Date.now() });
  const id = contentDeliveryId('github', body);
  const response = await postGithubPush(stack.state.http.url, githubSecret, 'e2e-console-1', body);
  expect(response.status).toBe(202);

  await untilShown('#/deliveries?source=github', rowShows(id, 'processed'));
  await browser.screenshot(page, 'deliveries');
  if (process.env.INTAKE_UPDATE_DOCS_SCREENSHOT === 'true')
    copyFileSync(
      join(browser.screenshotDir, 'deliveries.png'),
      join(__dirname, '..', '..', 'docs', 'images', 'console-deliveries.png'),
    );

  await deliveryRow(id).getByRole('link', { name: id }).click();
  await page.getByRole('table', { name: 'Attempts (oldest first)' }).waitFor();
  await expect(page.getByLabel('Payload').textContent()).resolves.toContain('"console": "e2e"');
  await expect(page.getByRole('table', { name: 'Routed targets' }).textContent()).resolves.toContain(
    'invoked',
  );
  await browser.screenshot(page, 'delivery');

  await page.getByRole('button', { name: 'Replay this delivery' }).click();
  await page.getByRole('status').getByText('queued again').waitFor();
  await untilShown('#/deliveries?source=github', async () =>
    ((await deliveryRow(id).allTextContents()) ?? []).some((text) => /replayed/.test(text)),
  );
});

it('a dead-lettered delivery is redriven from the console once its body exists, and its status changes to processed', async () => {
  const id = `e2e-console-poison-${Date.now()}`;
  const receivedAt = new Date().toISOString();
  const key = claimKey('github', id, receivedAt);
  const body = '{"from":"console-redrive"}';
  const meta = {
    v: 1,
    source: 'github',
    type: 'push',
    id,
    receivedAt,
    encoding: 'utf8',
    headers: { 'content-type': 'application/json' },
    claim: { key, bytes: Buffer.byteLength(body) },
    receipt: `receipt-${id}`,
  } as WebhookMessageMeta;
  const sqs = new SQSClient({
    region: stack.state.region,
    endpoint: stack.state.emulators.sqs.endpoint,
    useQueueUrlAsEndpoint: false,
    credentials: stack.state.credentials,
  });
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queue('WebhooksQueue').url,
      MessageBody: serialiseWebhookMessage({ meta, body: '' }),
    }),
  );
  sqs.destroy();

  await untilShown('#/deliveries?source=github', rowShows(id, 'dead-lettered'));
  // The webhooks queue's DLQ, as the queues view links it (its name is the console API's).
  await untilShown('#/queues', async () => (await dlqLink().count()) > 0);
  const dlqRoute = (await dlqLink().getAttribute('href'))!;
  await untilShown(dlqRoute, async () => (await page.getByText(id).count()) > 0);
  await browser.screenshot(page, 'dead-letters');

  // The fix: the claim-checked body now exists.
  const s3 = new S3Client({
    region: stack.state.region,
    endpoint: stack.state.emulators.s3.endpoint,
    forcePathStyle: true,
    credentials: stack.state.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await s3.send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: body }));
  s3.destroy();

  const row = page.locator('tbody tr', { hasText: id });
  const messageId = (await row.locator('td').first().textContent())!;
  await page.getByRole('button', { name: `Redrive message ${messageId}` }).click();
  await page.getByRole('status').getByText('Redrive: 1 moved back to the queue.').waitFor();

  await untilShown('#/deliveries?source=github', rowShows(id, 'processed'));
  await browser.screenshot(page, 'redriven');
  await untilShown(
    '#/queues',
    async () =>
      ((await page.getByRole('table', { name: 'Queues and their dead-letter queues' }).textContent()) ?? '')
        .length > 0,
  );
  await browser.screenshot(page, 'queues');
  expect(browser.problems).toEqual([]);
});

it('shows health, documents, controls and cost from the running stack', async () => {
  for (const [route, heading] of [
    ['#/health', 'Health'],
    ['#/documents', 'Documents'],
    ['#/controls', 'Controls'],
    ['#/cost', 'Cost estimate'],
  ] as const) {
    await page.evaluate(`location.hash = ${JSON.stringify(route)}`);
    await page.getByRole('heading', { name: heading, exact: true }).waitFor();
    await expect(page.getByRole('alert').count()).resolves.toBe(0);
    if (route === '#/health')
      await expect(
        page.getByRole('table', { name: 'Integrations' }).locator('tbody tr').count(),
      ).resolves.toBeGreaterThan(0);
    await browser.screenshot(page, route.slice(2));
  }
});
