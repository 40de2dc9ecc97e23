import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INIT_FAILURE_FLAG } from '../fixtures/functions/init-fails';
import { startLocalStack, type LocalStackProcess } from '../helpers/local-stack-process';

jest.setTimeout(120_000);

const stackTraceLine = /^\s+at\s/m;

/** A failing function, through `npm start`, answers what API Gateway (HTTP API) answers, never a 200. */
describe('a function that fails, through npm start', () => {
  let stack: LocalStackProcess;

  beforeAll(async () => {
    stack = await startLocalStack({ fixtures: true });
  });

  afterAll(async () => {
    if (stack) await stack.stop().catch(() => undefined);
  });

  it('a handler that throws: 500 {"message":"Internal Server Error"}, with the error in the log and not in the body', async () => {
    const answer = await fetch(`${stack.state.http.url}/fixtures/throws`);
    expect(answer.status).toBe(500);
    const body = await answer.text();
    expect(JSON.parse(body)).toEqual({ message: 'Internal Server Error' });
    expect(body).not.toMatch(/stackTrace|errorMessage|fixture failure/);
    await stack.waitForLine((line) => line.includes('fixture failure for undefined'));
  });

  it('a module that throws at init: 503 {"message":"Service Unavailable"}, with the error in the log and not in the body', async () => {
    // The fixture initialised at start; once flagged, its first instance's init throws.
    const bundleDir = join(stack.buildDir, '.build', 'test', 'fixtures', 'functions');
    writeFileSync(join(bundleDir, INIT_FAILURE_FLAG), '');
    const answer = await fetch(`${stack.state.http.url}/fixtures/init-fails`);
    expect(answer.status).toBe(503);
    const body = await answer.text();
    expect(JSON.parse(body)).toEqual({ message: 'Service Unavailable' });
    expect(body).not.toMatch(/stackTrace|errorMessage|threw at init/);
    await stack.waitForLine((line) => line.includes('fixture-init-fails: the module threw at init'));
  });
});

describe('npm start with a function whose configuration is invalid', () => {
  it("stops before serving, exits non-zero with the config loader's message for each function, and no stack trace", async () => {
    const failure = startLocalStack({
      // An hmac-sha256 source without its signature header (docs/webhooks.md): webhook-receive's loader refuses it.
      env: { WEBHOOK_SCHEME_BAD: 'hmac-sha256', WEBHOOK_SECRET_BAD: 'a-secret-of-at-least-16-bytes' },
    });
    const message = await failure.then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(message).toContain('the local stack did not start (exited with code 1)');
    expect(message).toMatch(/local stack: (a function|\d+ functions) cannot initialise/);
    expect(message).toMatch(
      /webhook-receive: Invalid webhook configuration:\n\s+- WEBHOOK_SIGNATURE_HEADER_BAD must name the signature header/,
    );
    expect(message).not.toMatch(stackTraceLine);
    expect(message).not.toMatch(/goroutine|deadlock/);
  });
});
