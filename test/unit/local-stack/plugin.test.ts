import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLocalInvoke, LocalStackPlugin, type ServerlessLike } from '../../../plugins/local-stack/plugin';

class FrameworkError extends Error {}

const variables = [
  'INTAKE_STATE_FILE',
  'INTAKE_S3_PORT',
  'INTAKE_SQS_PORT',
  'INTAKE_DYNAMODB_PORT',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL_SQS',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_LAMBDA',
  'AWS_REGION',
  'POWERTOOLS_METRICS_DISABLED',
  'POWERTOOLS_TRACE_ENABLED',
];
const saved = Object.fromEntries(variables.map((name) => [name, process.env[name]]));
let serviceDir: string;

beforeEach(() => {
  serviceDir = mkdtempSync(join(tmpdir(), 'intake-plugin-'));
  for (const name of variables) delete process.env[name];
  process.env.INTAKE_STATE_FILE = join(serviceDir, 'no-stack-runs.json');
});

afterEach(() => {
  rmSync(serviceDir, { recursive: true, force: true });
  for (const name of variables) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

function fakeServerless(commands: string[], stage = 'local') {
  const serverless: ServerlessLike = {
    processedInput: { commands },
    serviceDir,
    config: {},
    classes: { Error: FrameworkError },
    yamlParser: { parse: () => Promise.resolve({}) },
    service: {
      service: 'intake',
      provider: { stage, region: 'us-east-1', environment: { STAGE: stage } },
      custom: {
        esbuild: { minify: true },
        // Ports 1 and 2: never taken, so offline's port check passes whatever runs on this machine (3000…).
        'serverless-offline': { host: '127.0.0.1', httpPort: '1', lambdaPort: '2' },
      },
      functions: {
        health: {
          name: `intake-${stage}-health`,
          handler: 'functions/health.handler',
          environment: {
            DOCUMENTS_BUCKET: { Ref: 'DocumentsBucket' },
            WEBHOOKS_QUEUE_URL: { Ref: 'WebhooksQueue' },
          },
        },
      },
      resources: {
        Resources: {
          DocumentsBucket: { Type: 'AWS::S3::Bucket' },
          WebhooksQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'intake-local-webhooks' } },
        },
      },
    },
  };
  return serverless;
}

const io = {
  log: { info: () => {}, warning: () => {}, error: () => {}, notice: () => {} },
};

describe('isLocalInvoke', () => {
  it('is true for `invoke local` on the local stage only', () => {
    expect(isLocalInvoke(fakeServerless(['invoke', 'local']), {})).toBe(true);
    expect(isLocalInvoke(fakeServerless(['invoke', 'local'], 'dev'), { stage: 'local' })).toBe(true);
    expect(isLocalInvoke(fakeServerless(['invoke', 'local']), { stage: 'dev' })).toBe(false);
    expect(isLocalInvoke(fakeServerless(['invoke']), {})).toBe(false);
    expect(isLocalInvoke(fakeServerless(['offline', 'start']), {})).toBe(false);
    expect(isLocalInvoke({ service: { provider: { stage: 'local' } } }, {})).toBe(false);
  });
});

describe('LocalStackPlugin under `sls invoke local --stage local`', () => {
  it('registers only its invoke hooks and bundles into a work folder of its own', () => {
    const serverless = fakeServerless(['invoke', 'local']);
    const plugin = new LocalStackPlugin(serverless, { function: 'health' }, io);
    expect(Object.keys(plugin.hooks).sort()).toEqual(['after:invoke:local:invoke', 'initialize']);
    expect(serverless.service.custom!.esbuild).toEqual({
      minify: true,
      outputWorkFolder: join('.intake', `invoke-${process.pid}`),
    });
  });

  it('at initialize (before the framework asks CloudFormation): local values, endpoints and credentials', async () => {
    const serverless = fakeServerless(['invoke', 'local']);
    await new LocalStackPlugin(serverless, { function: 'health' }, io).hooks.initialize!();
    expect(serverless.service.functions.health!.environment).toEqual({
      DOCUMENTS_BUCKET: 'intake-local-documentsbucket',
      WEBHOOKS_QUEUE_URL: 'http://sqs.us-east-1.localhost:9324/000000000000/intake-local-webhooks',
    });
    expect(serverless.service.provider.environment).toMatchObject({
      STAGE: 'local',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569',
      AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:2',
    });
    expect(process.env).toMatchObject({
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      AWS_REGION: 'us-east-1',
    });
  });

  it('keeps the credentials and endpoints the shell set', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'from-shell';
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:1234';
    const serverless = fakeServerless(['invoke', 'local']);
    await new LocalStackPlugin(serverless, {}, io).hooks.initialize!();
    expect(process.env.AWS_ACCESS_KEY_ID).toBe('from-shell');
    expect(serverless.service.provider.environment).toMatchObject({
      AWS_ACCESS_KEY_ID: 'from-shell',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1234',
    });
  });

  it('removes its bundle folder once the invoke is done', async () => {
    const plugin = new LocalStackPlugin(fakeServerless(['invoke', 'local']), {}, io);
    const folder = join(serviceDir, '.intake', `invoke-${process.pid}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'health.js'), '');
    await plugin.hooks['after:invoke:local:invoke']!();
    expect(existsSync(folder)).toBe(false);
  });
});

describe('LocalStackPlugin under `sls offline start`: what would leave a route less protected than on AWS', () => {
  afterEach(() => delete process.env.AUTHORIZER);

  it('stops at initialize when AUTHORIZER is set (offline would hand it to every function)', async () => {
    process.env.AUTHORIZER = '{"jwt":{"claims":{"sub":"bob"}}}';
    const plugin = new LocalStackPlugin(fakeServerless(['offline', 'start']), {}, io);
    await expect(plugin.hooks.initialize!()).rejects.toThrow(/AUTHORIZER is set/);
  });

  it('stops rather than replace a customAuthenticationProvider of your own', async () => {
    const serverless = fakeServerless(['offline', 'start']);
    serverless.service.custom!.offline = { customAuthenticationProvider: './mine.js' };
    const plugin = new LocalStackPlugin(serverless, {}, io);
    await expect(plugin.hooks.initialize!()).rejects.toThrow(
      /customAuthenticationProvider is already "\.\/mine\.js"/,
    );
  });

  it('stops at a route whose authorizer npm start cannot enforce', async () => {
    const serverless = fakeServerless(['offline', 'start']);
    serverless.service.functions.health!.events = [
      { httpApi: { method: 'GET', path: '/x', authorizer: { type: 'aws_iam' } } },
    ];
    const plugin = new LocalStackPlugin(serverless, {}, io);
    await expect(plugin.hooks.initialize!()).rejects.toThrow(FrameworkError);
  });
});
