import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  handlerModule,
  initFailureMessage,
  initFailures,
  offlineFunctionEnvironment,
} from '../../../plugins/local-stack/function-init-check';

jest.setTimeout(30_000);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'intake-init-check-'));
  // A module that reads its configuration at init, as functions/ do, and one that never finishes loading.
  writeFileSync(
    join(dir, 'configured.js'),
    `if (!process.env.QUEUE_URL) throw new Error('Invalid configuration:\\n  - QUEUE_URL is missing');
     console.log('init logs are not shown');
     exports.handler = async () => 'ok';`,
  );
  writeFileSync(
    join(dir, 'configured-again.js'),
    `if (!process.env.QUEUE_URL) throw new Error('Invalid configuration:\\n  - QUEUE_URL is missing');`,
  );
  writeFileSync(join(dir, 'throws-a-string.cjs'), `throw 'not an Error';`);
  writeFileSync(join(dir, 'exits.js'), `process.exit(3);`);
  writeFileSync(join(dir, 'endless.js'), `const end = Date.now() + 5000; while (Date.now() < end);`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('initFailures (each function module loaded with its environment, as a Lambda init)', () => {
  it("reports what each failing module threw, in the functions' order, and nothing for those that load", async () => {
    const failures = await initFailures([
      { functionKey: 'fine', module: join(dir, 'configured'), environment: { QUEUE_URL: 'http://q' } },
      { functionKey: 'unconfigured', module: join(dir, 'configured'), environment: {} },
      { functionKey: 'odd', module: join(dir, 'throws-a-string'), environment: {} },
      { functionKey: 'exits', module: join(dir, 'exits'), environment: {} },
    ]);
    expect(failures).toEqual([
      { functionKey: 'unconfigured', message: 'Invalid configuration:\n  - QUEUE_URL is missing' },
      { functionKey: 'odd', message: 'not an Error' },
      { functionKey: 'exits', message: 'the module ended the process (exit code 3) while initialising' },
    ]);
  });

  it('gives each module its own environment only', async () => {
    const failures = await initFailures([
      { functionKey: 'configured', module: join(dir, 'configured'), environment: { QUEUE_URL: 'http://q' } },
      { functionKey: 'unconfigured', module: join(dir, 'configured-again'), environment: {} },
    ]);
    expect(failures).toEqual([
      { functionKey: 'unconfigured', message: 'Invalid configuration:\n  - QUEUE_URL is missing' },
    ]);
  });

  it('leaves to the first invocation a function without a bundle, or one slower than the time allowed', async () => {
    expect(
      await initFailures([{ functionKey: 'unbundled', module: join(dir, 'missing'), environment: {} }]),
    ).toEqual([]);
    const failures = await initFailures(
      [
        { functionKey: 'unconfigured', module: join(dir, 'configured'), environment: {} },
        { functionKey: 'slow', module: join(dir, 'endless'), environment: {} },
      ],
      { timeoutMs: 500 },
    );
    expect(failures).toEqual([
      { functionKey: 'unconfigured', message: 'Invalid configuration:\n  - QUEUE_URL is missing' },
    ]);
  });
});

describe('initFailureMessage', () => {
  it('names each function and indents what it threw under it', () => {
    expect(
      initFailureMessage([{ functionKey: 'a', message: 'Invalid configuration:\n  - X is missing' }]),
    ).toBe(
      'local stack: a function cannot initialise (on AWS every invocation would fail):\n  a: Invalid configuration:\n      - X is missing',
    );
    expect(
      initFailureMessage([
        { functionKey: 'a', message: 'one' },
        { functionKey: 'b', message: 'two' },
      ]),
    ).toBe(
      'local stack: 2 functions cannot initialise (on AWS every invocation would fail):\n  a: one\n  b: two',
    );
  });
});

describe('the function as serverless-offline runs it', () => {
  it("finds the handler's module under the code folder", () => {
    expect(handlerModule('/build', 'functions/health.handler')).toBe(join('/build', 'functions/health'));
  });

  it("gives it the shell's AWS_* variables, then the provider's and the function's environment, then IS_OFFLINE", () => {
    expect(
      offlineFunctionEnvironment(
        { AWS_REGION: 'eu-west-1', HOME: '/home/me', AWS_PROFILE: 'p' },
        { AWS_REGION: 'us-east-1', SHARED: 'provider', PORT: 3000, UNSET: undefined },
        { SHARED: 'function', IS_OFFLINE: 'no' },
      ),
    ).toEqual({
      AWS_REGION: 'us-east-1',
      AWS_PROFILE: 'p',
      SHARED: 'function',
      PORT: '3000',
      IS_OFFLINE: 'true',
    });
    expect(offlineFunctionEnvironment({}, undefined, undefined)).toEqual({ IS_OFFLINE: 'true' });
  });
});
