import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, Context, SQSEvent } from 'aws-lambda';
import { httpHandler } from '../../../src/middleware/http';
import { sqsBatchHandler } from '../../../src/middleware/sqs';
import { fixtureSourceVariables, webhookFixtures, type FixtureSecrets } from '../../helpers/webhook-fixtures';
import { createWebhookProcessor } from '../../../src/webhooks/processor';
import { createWebhookReceiver } from '../../../src/webhooks/receiver';
import { createSigningKeyResolver } from '../../../src/webhooks/signing-keys';
import { loadWebhookSources } from '../../../src/webhooks/sources';
import { memoryGuards } from './memory-guards';

const root = join(__dirname, '../../..');
const context = { awsRequestId: 'fixture', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

/** The test secrets as `.env.example` documents them (commented-out example lines count). */
function exampleSecrets(): FixtureSecrets {
  const text = readFileSync(join(root, '.env.example'), 'utf8');
  const value = (name: string) => new RegExp(`^\\s*(?:#\\s*)?${name}=(\\S*)\\s*$`, 'm').exec(text)?.[1];
  const acme = value('WEBHOOK_SECRET_ACME');
  return {
    github: value('WEBHOOK_SECRET_GITHUB')!,
    stripe: value('WEBHOOK_SECRET_STRIPE')!,
    standard: value('WEBHOOK_SECRET_STANDARD')!,
    ...(acme ? { acme } : {}),
  };
}

const secrets = exampleSecrets();
// The helper re-signs the time-bound fixtures (Stripe, Standard Webhooks) with the current time.
const fixtures = webhookFixtures(secrets, Math.floor(Date.now() / 1000));
const onDisk = (name: string): unknown =>
  JSON.parse(readFileSync(join(root, 'events', `${name}.json`), 'utf8'));

describe('events/webhook-*.json', () => {
  it.each(
    fixtures.filter((fixture) => !fixture.timeBound).map((fixture) => [fixture.name, fixture] as const),
  )('%s on disk is what scripts/sign-webhook-events.ts makes from .env.example', (name, fixture) => {
    expect(onDisk(name)).toEqual(JSON.parse(JSON.stringify(fixture.event)));
  });

  const receiver = httpHandler(
    createWebhookReceiver({
      sources: loadWebhookSources(fixtureSourceVariables(secrets)),
      signingKeys: createSigningKeyResolver(),
      nowMs: Date.now,
      maxBodyBytes: 1024 * 1024,
      sendMessage: async () => undefined,
      storeClaim: async () => undefined,
    }),
  );

  it.each(
    fixtures
      .filter((fixture) => typeof fixture.expected === 'number')
      .map((fixture) => [fixture.name, fixture.expected, fixture] as const),
  )('%s answers %s from webhook-receive', async (_name, expected, fixture) => {
    const result = await receiver(fixture.event as APIGatewayProxyEventV2, context);
    expect(result.statusCode).toBe(expected);
  });

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
