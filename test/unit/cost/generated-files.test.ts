/**
 * The generated files cannot drift: src/cost/profile.generated.json is what serverless.yml (resolved by
 * `sls print`) and bench/results give now, and docs/cost.md is what the model renders now. After a change to
 * either, `npm run cost -- --write` regenerates both. And the profile's derivation, on small inputs.
 */
import { readFileSync } from 'node:fs';
import { costDocText, COST_DOC_PATH, renderCostDoc } from '../../../scripts/lib/cost-doc';
import type { ProfileInputs } from '../../../scripts/lib/cost-profile';
import {
  buildCostProfile,
  PROFILE_PATH,
  profileFileText,
  readProfileInputs,
} from '../../../scripts/lib/cost-profile';
import { defaultPrices, defaultProfile } from '../../../src/cost/cost-model';

const REGENERATE = 'out of date: run `npm run cost -- --write` and commit the result';

describe('generated cost files', () => {
  it(`src/cost/profile.generated.json is what serverless.yml and bench/results give now (else ${REGENERATE})`, async () => {
    const now = profileFileText(buildCostProfile(readProfileInputs()));
    expect(readFileSync(PROFILE_PATH, 'utf8')).toBe(now);
  }, 120_000);

  it(`docs/cost.md is what the model renders now (else ${REGENERATE})`, async () => {
    const now = costDocText({ profile: defaultProfile, prices: defaultPrices });
    expect(readFileSync(COST_DOC_PATH, 'utf8')).toBe(now);
  });

  it('the document says what the profile says: no routed function, tracing off', () => {
    const doc = renderCostDoc({
      profile: { ...defaultProfile, routedToEveryWebhook: [], tracing: false },
      prices: defaultPrices,
    });
    expect(doc).toContain('Every webhook is routed to\nno function;');
    expect(doc).toContain('X-Ray tracing is off');
    expect(doc).not.toContain('| **X-Ray**');
  });

  it("docs/cost.md states document-process's memory from serverless.yml, 1024 MB", () => {
    expect(readFileSync(COST_DOC_PATH, 'utf8')).toMatch(/\| `document-process`\s+\| 1024 MB\s+\|/);
  });
});

describe('buildCostProfile', () => {
  const inputs = (): ProfileInputs => ({
    service: {
      provider: { memorySize: 256, tracing: { lambda: true } },
      functions: {
        'webhook-receive': {},
        'webhook-process': { events: [{ sqs: { batchSize: 5, maximumBatchingWindow: 2 } }] },
        'webhook-sample-downstream': { memorySize: 128 },
        'documents-api': {},
        'document-process': { memorySize: 1024 },
        'scan-result': { events: [{ sqs: { batchSize: 10 } }, { httpApi: {} }] },
      },
    },
    bench: {
      'webhook-throughput': {
        date: '2026-01-02T03:04:05Z',
        figures: { connections: 10, receive_rps: 100, bare_202_rps: 1000 },
      },
      'webhook-e2e': { date: '2026-01-02T00:00:00Z', figures: { drain_webhooks_per_second: 200 } },
      'in-process-cpu': { date: '2026-01-02T00:00:00Z', figures: { bodyBytes: 2000 } },
      'document-e2e': {
        date: '2026-01-02T00:00:00Z',
        figures: { sizeBytes: 2 * 2 ** 20, processingP50Ms: 300 },
      },
    },
    routes: {
      routes: [
        { source: '*', type: '*', function: 'webhook-sample-downstream' },
        { source: 'github', type: '*', function: 'documents-api' },
      ],
    },
    drainInFlight: 50,
  });

  it('derives memory, durations, batching, polled queues, routes and tracing from its inputs', () => {
    const profile = buildCostProfile(inputs());
    expect(profile.functions['webhook-receive']).toMatchObject({
      memoryMb: 256,
      durationMs: 90,
      durationPer: 'invocation',
    });
    // 50 in flight / batches of 5 = 10 batches in flight; 10 / 200 per second = 50 ms per message
    expect(profile.functions['webhook-process']).toMatchObject({
      memoryMb: 256,
      durationMs: 50,
      durationPer: 'message',
    });
    expect(profile.functions['webhook-sample-downstream']).toMatchObject({ memoryMb: 128, durationMs: 1 });
    expect(profile.functions['documents-api']).toMatchObject({ durationMs: 90 });
    expect(profile.functions['document-process']).toMatchObject({
      memoryMb: 1024,
      durationMs: 150,
      durationPer: 'MB',
    });
    expect(profile.functions['webhook-receive'].measuredBy).toContain('webhook-throughput.json (2026-01-02)');
    expect(profile).toMatchObject({
      webhookBatch: { batchSize: 5, maximumBatchingWindowSeconds: 2 },
      polledQueues: 2,
      routedToEveryWebhook: ['webhook-sample-downstream'],
      webhookBodyBytes: 2000,
      tracing: true,
    });
  });

  it('defaults a batch to 10 with no window, and tracing to off', () => {
    const given = inputs();
    given.service.functions['webhook-process'] = { events: [{ sqs: {} }] };
    given.service.provider.tracing = undefined;
    expect(buildCostProfile(given)).toMatchObject({
      webhookBatch: { batchSize: 10, maximumBatchingWindowSeconds: 0 },
      tracing: false,
    });
  });

  it('names what is missing: a figure, a function, its memory, the sqs event, a profile for a routed function', () => {
    const without = (change: (given: ProfileInputs) => void) => {
      const given = inputs();
      change(given);
      return () => buildCostProfile(given);
    };
    expect(without((given) => delete given.bench['webhook-e2e']!.figures.drain_webhooks_per_second)).toThrow(
      'bench/results/webhook-e2e.json has no positive figure drain_webhooks_per_second',
    );
    expect(without((given) => delete given.service.functions['documents-api'])).toThrow(
      'serverless.yml has no function documents-api',
    );
    expect(without((given) => delete given.service.provider.memorySize)).toThrow(
      'webhook-receive has no memorySize, nor has the provider',
    );
    expect(without((given) => (given.service.functions['webhook-process'] = {}))).toThrow(
      'webhook-process has no sqs event',
    );
    expect(
      without((given) => given.routes.routes.push({ source: '*', type: '*', function: 'billing-sync' })),
    ).toThrow('every webhook is routed to billing-sync, which the cost model has no profile for');
  });
});
