import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addFixtures } from '../../../plugins/local-stack/fixtures';
import type { LocalStackState } from '../../../plugins/local-stack/state';
import {
  findRunningStackState,
  LocalStackNotRunningError,
  readRunningStackState,
  removeStateFile,
  renderBanner,
  stateFilePath,
  writeStateFile,
} from '../../../plugins/local-stack/state';

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

  it('prints the console link with its token lifetime when the stack serves the console, and no line otherwise', () => {
    const link = 'http://127.0.0.1:3000/console#token=a.b.c';
    const withConsole = renderBanner(state, 'x', link);
    expect(withConsole).toContain(`  Console         ${link}\n`);
    expect(withConsole).toContain('(an admin token valid 8 h; a fresh link: npm run console)');
    expect(banner).not.toContain('Console');
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

describe('reading the state file of the running stack', () => {
  const alive = () => true;
  let folder: string;
  beforeEach(() => (folder = mkdtempSync(join(tmpdir(), 'state-read-'))));
  afterEach(() => rmSync(folder, { recursive: true, force: true }));
  const write = (content: unknown) => {
    const path = join(folder, 'local-stack.json');
    writeStateFile(path, content as LocalStackState);
    return path;
  };

  it('finds INTAKE_STATE_FILE relative to the service folder, else .intake/local-stack.json', () => {
    expect(stateFilePath({}, '/srv')).toBe('/srv/.intake/local-stack.json');
    expect(stateFilePath({ INTAKE_STATE_FILE: 'run/state.json' }, '/srv')).toBe('/srv/run/state.json');
    expect(stateFilePath({ INTAKE_STATE_FILE: '/tmp/state.json' }, '/srv')).toBe('/tmp/state.json');
  });

  it('finds the state of a running stack of the same stage', () => {
    expect(findRunningStackState(write(state), { isAlive: alive })).toEqual(state);
  });

  it('finds nothing in a missing file, an unreadable one, another stage or a stack whose process is gone', () => {
    expect(findRunningStackState(join(folder, 'none.json'), { isAlive: alive })).toBeUndefined();
    const half = join(folder, 'half.json');
    writeFileSync(half, '{ half a fi');
    expect(findRunningStackState(half, { isAlive: alive })).toBeUndefined();
    expect(findRunningStackState(write(state), { stage: 'dev', isAlive: alive })).toBeUndefined();
    expect(findRunningStackState(write(state), { isAlive: () => false })).toBeUndefined();
    expect(findRunningStackState(write({ ...state, pid: 'x' }), { isAlive: alive })).toBeUndefined();
  });

  it('checks the process by default: this one runs, a pid that cannot exist does not', () => {
    expect(findRunningStackState(write({ ...state, pid: process.pid }))).toBeDefined();
    expect(findRunningStackState(write({ ...state, pid: 2 ** 30 }))).toBeUndefined();
  });

  it('gives tools the running stack, or one line saying to start it, or to restart an older one', () => {
    const env = { INTAKE_STATE_FILE: join(folder, 'local-stack.json') };
    expect(() => readRunningStackState(env, folder)).toThrow(LocalStackNotRunningError);
    expect(() => readRunningStackState(env, folder)).toThrow(
      `no local stack is running (no live ${env.INTAKE_STATE_FILE}): start it with \`npm start\``,
    );
    const { credentials: _omitted, ...older } = state;
    write({ ...older, pid: process.pid });
    expect(() => readRunningStackState(env, folder)).toThrow(
      `${env.INTAKE_STATE_FILE} names no credentials: it was written by an older local stack; restart it with \`npm start\``,
    );
    write({ ...state, pid: process.pid });
    expect(readRunningStackState(env, folder)).toEqual({ ...state, pid: process.pid });
  });
});
