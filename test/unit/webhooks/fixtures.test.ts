import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, Context, SQSEvent } from 'aws-lambda';
import { httpHandler } from '../../../src/middleware/http';
import { sqsBatchHandler } from '../../../src/middleware/sqs';
import { exampleEnvironment, webhookFixtures } from '../../helpers/webhook-fixtures';
import { loadLocalSources, schemesWithoutSource } from '../../../scripts/lib/webhook-requests';
import { createWebhookProcessor } from '../../../src/webhooks/processor';
import { createWebhookReceiver } from '../../../src/webhooks/receiver';
import { schemeNames } from '../../../src/webhooks/schemes';
import { createSigningKeyResolver, createSourceSettingResolver } from '../../../src/webhooks/signing-keys';
import { memoryGuards } from './memory-guards';

const root = join(__dirname, '../../..');
const context = { awsRequestId: 'fixture', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

// The sources `.env.example` configures (commented-out example lines count).
const env = exampleEnvironment();
// The helper re-signs the time-bound fixtures (timestamped schemes) with the current time.
const { fixtures } = webhookFixtures(env, Math.floor(Date.now() / 1000));
const onDisk = (name: string): unknown =>
  JSON.parse(readFileSync(join(root, 'events', `${name}.json`), 'utf8'));

describe('events/webhook-*.json', () => {
  it.each(schemeNames)(
    'the %s scheme has a source in .env.example, so its sample events, fuzz and e2e cases exist',
    (scheme) => {
      expect(schemesWithoutSource(loadLocalSources(env))).not.toContain(scheme);
    },
  );

  it('holds every source case: valid and bad-signature each, stale for timestamped schemes', () => {
    const names = fixtures.map((fixture) => fixture.name);
    for (const source of loadLocalSources(env).sources.values()) {
      expect(names).toEqual(
        expect.arrayContaining([`webhook-${source.name}-valid`, `webhook-${source.name}-bad-signature`]),
      );
    }
    expect(names).toEqual(expect.arrayContaining(['webhook-stripe-stale', 'webhook-standard-stale']));
    expect(names).not.toContain('webhook-github-stale');
  });

  it('has no webhook event on disk that the generator no longer makes', () => {
    const generated = new Set(fixtures.map((fixture) => `${fixture.name}.json`));
    const stray = readdirSync(join(root, 'events')).filter(
      (file) => file.startsWith('webhook-') && !generated.has(file),
    );
    expect(stray).toEqual([]);
  });

  it.each(
    fixtures.filter((fixture) => !fixture.timeBound).map((fixture) => [fixture.name, fixture] as const),
  )('%s on disk is what scripts/sign-webhook-events.ts makes from .env.example', (name, fixture) => {
    expect(onDisk(name)).toEqual(JSON.parse(JSON.stringify(fixture.event)));
  });

  const receive = (event: APIGatewayProxyEventV2, queued: string[]) =>
    httpHandler(
      createWebhookReceiver({
        sources: loadLocalSources(env).sources,
        signingKeys: createSigningKeyResolver(),
        sourceSetting: createSourceSettingResolver(),
        nowMs: Date.now,
        maxBodyBytes: 1024 * 1024,
        sendMessage: async (text) => void queued.push(text),
        storeClaim: async () => undefined,
        history: { recordReceived: async () => undefined },
      }),
    )(event, context);

  it.each(
    fixtures
      .filter((fixture) => typeof fixture.expected === 'number' && fixture.handshakeCheck === undefined)
      .map((fixture) => [fixture.name, fixture.expected, fixture] as const),
  )('%s answers %s from webhook-receive', async (_name, expected, fixture) => {
    const queued: string[] = [];
    const result = await receive(fixture.event as APIGatewayProxyEventV2, queued);
    expect(result.statusCode).toBe(expected);
    // Only an accepted delivery is queued.
    expect(queued).toHaveLength(expected === 202 ? 1 : 0);
  });

  // (No scheme on main before issue 15's providers has a handshake: the table may be empty.)
  const handshakes = fixtures.filter((fixture) => fixture.handshakeCheck !== undefined);
  if (handshakes.length > 0)
    it.each(handshakes.map((fixture) => [fixture.name, fixture] as const))(
      '%s is answered (2xx) by webhook-receive as its provider checks the answer, and nothing is queued',
      async (_name, fixture) => {
        const queued: string[] = [];
        const result = await receive(fixture.event as APIGatewayProxyEventV2, queued);
        expect(result.statusCode).toBeGreaterThanOrEqual(200);
        expect(result.statusCode).toBeLessThan(300);
        const headers = Object.fromEntries(
          Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
        );
        expect(
          fixture.handshakeCheck!(result.statusCode, String(result.body ?? ''), headers),
        ).toBeUndefined();
        expect(queued).toEqual([]);
      },
    );

  it.each(
    fixtures
      .filter((fixture) => Array.isArray(fixture.expected))
      .map((fixture) => [fixture.name, fixture] as const),
  )(
    '%s gives webhook-process the expected partial batch failures and dead letters',
    async (_name, fixture) => {
      const dispatched: string[] = [];
      const deadLettered: string[] = [];
      const processor = sqsBatchHandler(
        createWebhookProcessor({
          bucket: 'docs',
          storage: { put: async () => undefined, get: async () => '' },
          routes: [{ source: '*', type: '*', function: 'downstream' }],
          dispatch: async (_target, payload) => {
            dispatched.push((JSON.parse(payload) as { id: string }).id);
          },
          guards: memoryGuards(),
        }),
        { deadLetter: async (record) => void deadLettered.push(record.messageId) },
      );
      const event = onDisk(fixture.name) as SQSEvent;
      const { batchItemFailures } = await processor(event, context);
      const failed = batchItemFailures.map((failure) => failure.itemIdentifier);
      const mustFail = fixture.expected as readonly string[];
      expect(failed).toEqual(expect.arrayContaining([...mustFail]));
      expect(deadLettered).toEqual(fixture.deadLettered ?? []);
      for (const id of deadLettered) expect(failed).not.toContain(id);
      // Every valid delivery of the batch reaches the downstream function exactly once.
      const deliveries = new Set(
        event.Records.flatMap((record) => /"id":"([^"]+)"/.exec(record.body)?.[1] ?? []),
      );
      expect([...dispatched].sort()).toEqual([...deliveries].sort());
      // Any other failure is a duplicate whose delivery another record processed (retried, then skipped).
      for (const id of failed.filter((messageId) => !mustFail.includes(messageId))) {
        const body = event.Records.find((record) => record.messageId === id)!.body;
        expect(dispatched.some((delivery) => body.includes(`"id":"${delivery}"`))).toBe(true);
      }
    },
  );
});
