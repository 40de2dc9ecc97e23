/**
 * Tracing is loaded only when it is on, proved on the real build (`sls package --stage dev`): each
 * function's zip is unpacked and loaded in a fresh Node process with a Lambda-like environment, and a
 * preload counts the async hooks created (aws-xray-sdk-core creates its cls-hooked hook the moment it is
 * loaded, and that hook then runs on every promise, traced or not). Off (POWERTOOLS_TRACE_ENABLED=false, as
 * the local stack sets): none, through an invocation too. On (the deployed default): the hook, and the
 * invocation is recorded as the `## <handler>` subsegment that Powertools' captureLambdaHandler sends to
 * the X-Ray daemon, which a UDP socket here stands in for.
 */
import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { lambdaLikeEnvironment } from '../../../bench/lib/cold-init';
import {
  functionArtifacts,
  packageService,
  readPackagedTemplate,
} from '../../../bench/lib/serverless-package';

jest.setTimeout(180_000);

const run = promisify(execFile);

/** Counts the async hooks created in the process and reports them (with X-Ray's env mark) at exit. */
const HOOK_COUNTER = `
const asyncHooks = require('node:async_hooks');
const createHook = asyncHooks.createHook;
let created = 0;
asyncHooks.createHook = (...args) => { created += 1; return createHook(...args); };
process.on('exit', () => process.stdout.write('\\n' + JSON.stringify({ asyncHooks: created })));
`;

/** Loads a bundle, optionally invokes it with GET /health, and prints what it answered. */
const loadScript = (bundle: string, invoke: boolean) => `
const { handler } = require(${JSON.stringify(bundle)});
if (typeof handler !== 'function') process.exit(3);
${
  invoke
    ? `handler(
  { version: '2.0', routeKey: 'GET /health', rawPath: '/health', rawQueryString: '', headers: {},
    requestContext: { requestId: 'tracing-test', http: { method: 'GET', path: '/health' } }, isBase64Encoded: false },
  { awsRequestId: 'tracing-test', functionName: 'intake-dev-health', getRemainingTimeInMillis: () => 5000 },
).then((response) => process.stdout.write(JSON.stringify({ statusCode: response.statusCode })));`
    : ''
}`;

interface Loaded {
  asyncHooks: number;
  statusCode?: number;
}

const outDir = mkdtempSync(join(tmpdir(), 'intake-tracing-bundle-'));
const preload = join(outDir, 'count-async-hooks.cjs');
/** Per function: its handler file (unpacked) and the Lambda-like environment of its declared variables. */
const functions = new Map<string, { bundle: string; handler: string; env: NodeJS.ProcessEnv }>();

async function load(name: string, env: NodeJS.ProcessEnv, invoke = false): Promise<Loaded> {
  const fn = functions.get(name)!;
  const { stdout } = await run(process.execPath, ['-r', preload, '-e', loadScript(fn.bundle, invoke)], {
    env: { ...fn.env, POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true', ...env },
  });
  return Object.assign(
    {},
    ...stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line)),
  ) as Loaded;
}

const tracingOff = { POWERTOOLS_TRACE_ENABLED: 'false' };
const tracingOn = { POWERTOOLS_TRACE_ENABLED: undefined };

beforeAll(async () => {
  writeFileSync(preload, HOOK_COUNTER);
  packageService(join(outDir, 'package'));
  const template = readPackagedTemplate(join(outDir, 'package'));
  for (const artifact of functionArtifacts(join(outDir, 'package'))) {
    const properties = template.Resources[artifact.logicalId]!.Properties as {
      Handler: string;
      Environment?: { Variables?: Record<string, unknown> };
    };
    const unpacked = join(outDir, artifact.zipName.replace(/\.zip$/, ''));
    await run('unzip', ['-q', '-o', artifact.zipPath, '-d', unpacked]);
    const handlerFile = properties.Handler.replace(/\.[^.]+$/, '');
    functions.set(artifact.zipName.replace(/\.zip$/, ''), {
      bundle: join(unpacked, `${handlerFile}.js`),
      handler: properties.Handler,
      env: lambdaLikeEnvironment(properties.Environment?.Variables ?? {}, artifact.functionName),
    });
  }
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('tracing in the packaged bundles', () => {
  it('packages the functions whose stacks trace (the checks below are not vacuous)', () => {
    expect([...functions.keys()]).toEqual(
      expect.arrayContaining(['health', 'webhook-receive', 'webhook-process', 'document-process']),
    );
  });

  it('with tracing off, no bundle loads the X-Ray SDK: not one async hook is created', async () => {
    const hooks: Record<string, number> = {};
    for (const name of functions.keys()) hooks[name] = (await load(name, tracingOff)).asyncHooks;
    expect(hooks).toEqual(Object.fromEntries([...functions.keys()].map((name) => [name, 0])));
  });

  it('with tracing off, an invocation loads none either', async () => {
    expect(await load('health', tracingOff, true)).toEqual({ statusCode: 200, asyncHooks: 0 });
  });

  it("with tracing on (in Lambda), every traced function's bundle loads it (cls-hooked's one async hook)", async () => {
    for (const name of ['health', 'webhook-receive', 'webhook-process', 'document-process'])
      expect({ name, ...(await load(name, tracingOn)) }).toEqual({ name, asyncHooks: 1 });
  });

  describe('with tracing on, the invocation is captured', () => {
    let daemon: Socket;
    const received: string[] = [];
    beforeAll(async () => {
      daemon = createSocket('udp4');
      daemon.on('message', (message) => received.push(message.toString('utf8')));
      await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
    });
    afterAll(() => daemon.close());

    it('sends the `## functions/health.handler` subsegment with the cold start and service annotations', async () => {
      const loaded = await load(
        'health',
        {
          ...tracingOn,
          // What Lambda gives a function with active tracing: its task root, handler and trace header.
          LAMBDA_TASK_ROOT: join(outDir, 'health'),
          _HANDLER: functions.get('health')!.handler,
          _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=557abcec3ee5a047;Sampled=1',
          AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
        },
        true,
      );
      expect(loaded).toEqual({ statusCode: 200, asyncHooks: 1 });
      await new Promise((resolve) => setTimeout(resolve, 200)); // UDP on loopback: sent before exit
      const segments = received.map((packet) => JSON.parse(packet.split('\n')[1] ?? '{}'));
      expect(segments).toContainEqual(
        expect.objectContaining({
          name: `## ${functions.get('health')!.handler}`,
          trace_id: '1-5759e988-bd862e3fe1be46a994272793',
          annotations: { ColdStart: true, Service: 'intake-dev' },
        }),
      );
    });
  });
});
