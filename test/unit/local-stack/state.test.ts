import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addFixtures } from '../../../plugins/local-stack/fixtures';
import type { LocalStackState } from '../../../plugins/local-stack/state';
import { removeStateFile, renderBanner, writeStateFile } from '../../../plugins/local-stack/state';

const emulator = (port: number) => ({ port, endpoint: `http://127.0.0.1:${port}`, pid: port });
const state: LocalStackState = {
  pid: 1,
  startedAt: '2026-01-01T00:00:00.000Z',
  stage: 'local',
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  http: { url: 'http://127.0.0.1:3000' },
  lambda: { endpoint: 'http://127.0.0.1:3002' },
  emulators: { s3: emulator(4569), sqs: emulator(9324), dynamodb: emulator(8000) },
  dataDir: null,
  auth: null,
  resources: {
    buckets: [
      { logicalId: 'Docs', name: 'intake-local-docs' },
      { logicalId: '', name: 'named-by-event' },
    ],
    queues: [{ logicalId: 'Jobs', name: 'jobs', url: 'http://q/jobs', arn: 'arn:q', maxReceiveCount: 5 }],
    tables: [{ logicalId: 'Idem', name: 'idem', arn: 'arn:t' }],
  },
  mappings: {
    s3: [
      {
        functionKey: 'f',
        functionName: 'intake-local-f',
        bucket: 'intake-local-docs',
        events: ['s3:ObjectCreated:*'],
        prefix: 'in/',
        suffix: '.pdf',
      },
    ],
    sqs: [
      {
        functionKey: 'g',
        functionName: 'intake-local-g',
        queueArn: 'arn:q',
        queueUrl: 'http://q/jobs',
        batchSize: 10,
        maximumBatchingWindowSeconds: 0,
        reportBatchItemFailures: true,
        enabled: false,
      },
    ],
  },
};

describe('renderBanner', () => {
  const banner = renderBanner(state, '/srv/.intake/local-stack.json');

  it.each([
    'http://127.0.0.1:3000',
    'http://127.0.0.1:3002',
    'http://127.0.0.1:4569',
    'http://127.0.0.1:9324',
    'http://127.0.0.1:8000',
    'intake-local-docs  (Docs)',
    'named-by-event',
    'http://q/jobs  (Jobs, DLQ after 5 receives)',
    'idem  (Idem)',
    's3://intake-local-docs s3:ObjectCreated:* (prefix in/, suffix .pdf) → intake-local-f',
    'http://q/jobs → intake-local-g (batch 10, window 0s, ReportBatchItemFailures, disabled)',
    'in memory',
    '/srv/.intake/local-stack.json',
  ])('lists %s', (text) => {
    expect(banner).toContain(text);
  });

  it('omits filters, DLQ and flags that are not set', () => {
    const bare = renderBanner(
      {
        ...state,
        resources: { ...state.resources, queues: [{ logicalId: 'Q', name: 'q', url: 'http://q', arn: 'a' }] },
        mappings: {
          s3: [{ functionKey: 'f', functionName: 'fn', bucket: 'b', events: ['s3:ObjectCreated:*'] }],
          sqs: [{ ...state.mappings.sqs[0]!, reportBatchItemFailures: false, enabled: true }],
        },
      },
      'x',
    );
    expect(bare).toContain('http://q  (Q)\n');
    expect(bare).toContain('s3://b s3:ObjectCreated:* → fn');
    expect(bare).toContain('(batch 10, window 0s)');
  });

  it('names the Lambda API functions are given, when the stack runs one', () => {
    expect(banner).not.toContain('for functions');
    const withFront = renderBanner(
      { ...state, lambda: { endpoint: 'http://127.0.0.1:3002', functionEndpoint: 'http://127.0.0.1:41000' } },
      'x',
    );
    expect(withFront).toContain('http://127.0.0.1:41000 for functions: Event invokes queued and retried');
  });

  it('names the data folder when data persists', () => {
    expect(renderBanner({ ...state, dataDir: '/data' }, 'x')).toContain('/data');
  });
});

describe('state file', () => {
  it('is written whole as JSON and removed again', () => {
    const directory = mkdtempSync(join(tmpdir(), 'intake-state-'));
    const path = join(directory, 'nested', 'state.json');
    writeStateFile(path, state);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(state);
    removeStateFile(path);
    expect(existsSync(path)).toBe(false);
    removeStateFile(path);
    rmSync(directory, { recursive: true, force: true });
  });
});

describe('addFixtures', () => {
  it('adds functions named like the service’s own and merges their resources', () => {
    const service = {
      service: 'intake',
      functions: { health: { name: 'intake-local-health' } },
      resources: { Resources: { A: { Type: 'x' } } },
    };
    const added = addFixtures(service, 'local', {
      functions: { 'fixture-a': { handler: 'h.handler' } },
      resources: { Resources: { B: { Type: 'y' } } },
    });
    expect(added).toEqual(['fixture-a']);
    expect(service.functions).toMatchObject({
      'fixture-a': { name: 'intake-local-fixture-a', handler: 'h.handler', events: [] },
    });
    expect(Object.keys(service.resources.Resources)).toEqual(['A', 'B']);
  });

  it('accepts resources without the Resources wrapper and a service without resources', () => {
    const service: Parameters<typeof addFixtures>[0] = { service: 'intake', functions: {} };
    addFixtures(service, 'dev', { resources: { Q: { Type: 'AWS::SQS::Queue' } } });
    expect(service.resources?.Resources).toEqual({ Q: { Type: 'AWS::SQS::Queue' } });
  });

  it('refuses a fixture that would replace a real function', () => {
    const service = { service: 'intake', functions: { health: { name: 'intake-local-health' } } };
    expect(() => addFixtures(service, 'local', { functions: { health: {} } })).toThrow('clashes');
  });
});
