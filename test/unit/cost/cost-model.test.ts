/**
 * The cost model's arithmetic on small inputs, against figures computed by hand: a profile and a price list
 * of round numbers, so that each expected line can be checked on paper.
 */
import { estimateMonthlyCost, messagesPerBatch } from '../../../src/cost/cost-model';
import type { CostProfile, PriceList } from '../../../src/cost/cost-types';
import { priceNames } from '../../../src/cost/cost-types';
import { SECONDS_PER_MONTH } from '../../../src/cost/usage-assumptions';

const fn = (memoryMb: number, durationMs: number, durationPer: 'invocation' | 'message' | 'MB') => ({
  memoryMb,
  durationMs,
  durationPer,
  measuredBy: 'test',
});

const profile: CostProfile = {
  functions: {
    'webhook-receive': fn(1024, 10, 'invocation'),
    'webhook-process': fn(512, 20, 'message'),
    'webhook-sample-downstream': fn(256, 1, 'invocation'),
    'documents-api': fn(1024, 100, 'invocation'),
    'document-process': fn(2048, 200.5, 'MB'),
  },
  webhookBatch: { batchSize: 10, maximumBatchingWindowSeconds: 1 },
  polledQueues: 2,
  routedToEveryWebhook: ['webhook-sample-downstream'],
  webhookBodyBytes: 1024,
  tracing: true,
};

/** Every price $1 per unit: each line's cost is its quantity. */
const unitPrices: PriceList = {
  asOf: '2026-01-01',
  region: 'test-region-1',
  prices: Object.fromEntries(
    priceNames.map((name) => [
      name,
      { usd: 1, unit: `${name} unit`, note: '', source: 'https://example.com' },
    ]),
  ) as PriceList['prices'],
};

const idlePolls = 2 * 5 * (SECONDS_PER_MONTH / 20);

function quantities(webhooks: number, documents: number, documentMb: number) {
  const estimate = estimateMonthlyCost({ webhooks, documents, documentMb }, { profile, prices: unitPrices });
  return Object.fromEntries(estimate.lines.map((line) => [`${line.service}: ${line.item}`, line.quantity]));
}

describe('estimateMonthlyCost', () => {
  it('prices 10 webhooks: receive, one-message batches, the routed downstream, queue, archive, writes', () => {
    expect(quantities(10, 0, 1)).toEqual({
      'API Gateway: HTTP API requests': 10,
      'Lambda: webhook-receive requests': 10,
      // 10 invocations x 10 ms x 1 GB
      'Lambda: webhook-receive compute (1024 MB)': 0.1,
      'Lambda: webhook-process requests': 10,
      // 10 batches of 1 message x 20 ms x 0.5 GB
      'Lambda: webhook-process compute (512 MB)': 0.1,
      'Lambda: webhook-sample-downstream requests': 10,
      // 10 x 1 ms x 0.25 GB
      'Lambda: webhook-sample-downstream compute (256 MB)': 0.0025,
      'Lambda: documents-api requests': 0,
      'Lambda: documents-api compute (1024 MB)': 0,
      'Lambda: document-process requests': 0,
      'Lambda: document-process compute (2048 MB)': 0,
      'SQS: sends (webhooks, document.processed)': 10,
      'SQS: receives (batches of 1)': 10,
      'SQS: deletes (one batch call a batch)': 10,
      'SQS: idle long polls (2 polled queues)': idlePolls,
      'S3: PUT requests (archives, uploads, copies, manifests, tags)': 10,
      'S3: GET requests (uploads, manifests)': 0,
      "S3: storage added this month (archives, documents' clean copies)": (10 * 1024) / 2 ** 30,
      'DynamoDB: idempotency writes': 20,
      'DynamoDB: delivery history writes': 20,
      'DynamoDB: upload quota writes': 0,
      // 30 invocations x 350 B + 10 webhooks x 2 lines x 500 B
      'CloudWatch: logs ingested': (30 * 350 + 10 * 2 * 500) / 2 ** 30,
      // 10 HTTP requests + 10 batches, all within the reservoir
      'X-Ray: traces recorded (default sampling)': 20,
    });
  });

  it('prices 2 documents of 3 MB: two API calls each, a processor run scaled by size, its S3 requests', () => {
    const lines = quantities(0, 2, 3);
    expect(lines).toMatchObject({
      'API Gateway: HTTP API requests': 4,
      'Lambda: documents-api requests': 4,
      // 4 x 100 ms x 1 GB
      'Lambda: documents-api compute (1024 MB)': 0.4,
      'Lambda: document-process requests': 2,
      // ceil(200.5 x 3) = 602 ms, x 2 invocations x 2 GB
      'Lambda: document-process compute (2048 MB)': 2 * 0.602 * 2,
      'SQS: sends (webhooks, document.processed)': 2,
      // POST, clean copy, manifest, tags
      'S3: PUT requests (archives, uploads, copies, manifests, tags)': 8,
      'S3: GET requests (uploads, manifests)': 6,
      "S3: storage added this month (archives, documents' clean copies)": (2 * 3 * 2 ** 20) / 2 ** 30,
      'DynamoDB: upload quota writes': 2,
      'X-Ray: traces recorded (default sampling)': 6,
    });
  });

  it('copies a document above the 8 MB part size in parts: create, ceil(MB / 8) parts, complete', () => {
    expect(quantities(0, 1, 20)['S3: PUT requests (archives, uploads, copies, manifests, tags)']).toBe(
      3 + 3 + 2,
    );
  });

  it('fills batches at high rates: 10 per batch once the window gathers 10, chunks of 64 KB per receive', () => {
    const webhooks = SECONDS_PER_MONTH * 100; // 100 a second: the 1 s window gathers more than 10
    const lines = quantities(webhooks, 0, 1);
    expect(lines['Lambda: webhook-process requests']).toBe(webhooks / 10);
    // 10 x 20 ms per batch x 0.5 GB
    expect(lines['Lambda: webhook-process compute (512 MB)']).toBeCloseTo((webhooks / 10) * 0.2 * 0.5, 6);
    expect(lines['SQS: receives (batches of 10)']).toBe(webhooks / 10);
    // past the reservoir (1 a second), 5 % of the rest
    const roots = webhooks + webhooks / 10;
    expect(lines['X-Ray: traces recorded (default sampling)']).toBeCloseTo(
      SECONDS_PER_MONTH + (roots - SECONDS_PER_MONTH) * 0.05,
      3,
    );
  });

  it('gathers fractional batches between 1 and the batch size', () => {
    expect(
      messagesPerBatch(SECONDS_PER_MONTH * 2.5, { batchSize: 10, maximumBatchingWindowSeconds: 1 }),
    ).toBe(2.5);
    expect(messagesPerBatch(1, { batchSize: 10, maximumBatchingWindowSeconds: 0 })).toBe(1);
  });

  it('multiplies each quantity by its price, sums the total and names the price list', () => {
    const prices: PriceList = {
      ...unitPrices,
      prices: {
        ...unitPrices.prices,
        apiGatewayHttpRequest: { ...unitPrices.prices.apiGatewayHttpRequest, usd: 0.5 },
      },
    };
    const estimate = estimateMonthlyCost({ webhooks: 4, documents: 0, documentMb: 1 }, { profile, prices });
    const api = estimate.lines.find((line) => line.service === 'API Gateway')!;
    expect(api).toEqual({
      service: 'API Gateway',
      item: 'HTTP API requests',
      quantity: 4,
      unit: 'apiGatewayHttpRequest unit',
      unitPriceUsd: 0.5,
      monthlyUsd: 2,
    });
    expect(estimate.totalUsd).toBeCloseTo(
      estimate.lines.reduce((sum, line) => sum + line.monthlyUsd, 0),
      10,
    );
    expect(estimate).toMatchObject({ pricesAsOf: '2026-01-01', region: 'test-region-1' });
  });

  it('has no X-Ray line when tracing is off', () => {
    const estimate = estimateMonthlyCost(
      { webhooks: 1, documents: 0, documentMb: 1 },
      { profile: { ...profile, tracing: false }, prices: unitPrices },
    );
    expect(estimate.lines.map((line) => line.service)).not.toContain('X-Ray');
  });

  it('uses the committed profile and prices by default: document-process at its serverless.yml memory', () => {
    const estimate = estimateMonthlyCost({ webhooks: 0, documents: 1, documentMb: 1 });
    expect(estimate.region).toBe('us-east-1');
    expect(estimate.lines.map((line) => line.item)).toContain('document-process compute (1024 MB)');
    expect(estimate.totalUsd).toBeGreaterThan(0);
  });
});
