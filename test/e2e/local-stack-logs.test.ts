import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { freePort, startLocalStack, type LocalStackProcess } from '../helpers/local-stack-process';
import { localToken } from '../helpers/local-tokens';

jest.setTimeout(120_000);

/** The Powertools JSON log lines among the stack's output (offline relays the functions' stdout). */
function jsonLogLines(lines: readonly string[]): Record<string, unknown>[] {
  return lines.flatMap((line) => {
    const start = line.indexOf('{');
    if (start < 0) return [];
    try {
      const parsed = JSON.parse(line.slice(start)) as unknown;
      return typeof parsed === 'object' && parsed !== null ? [parsed as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

/** What a new user sees in `npm start`'s output: no false alarms, cold starts as Lambda reports them. */
describe('npm start logs as Lambda would', () => {
  let stack: LocalStackProcess;

  beforeAll(async () => {
    // The functions log at INFO, as under a plain `npm start` (jest's setup silences them otherwise).
    stack = await startLocalStack({ env: { HEALTH_CACHE_SECONDS: '0', POWERTOOLS_LOG_LEVEL: 'INFO' } });
  });

  afterAll(async () => {
    if (stack) await stack.stop().catch(() => undefined);
  });

  const url = (path: string) => `${stack.state.http.url}${path}`;

  it("marks a function's first invocation cold_start true and the later ones false", async () => {
    // The readiness probe (GET /) was the catch-all function's first invocation; these are later ones.
    for (let i = 0; i < 2; i++) expect((await fetch(url('/no/such/route'))).status).toBe(404);
    const rejected = () =>
      jsonLogLines(stack.lines).filter(
        (entry) => entry.message === 'Request rejected' && String(entry.function_name).endsWith('not-found'),
      );
    const deadline = Date.now() + 10_000;
    while (rejected().length < 3 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const coldStarts = rejected().map((entry) => entry.cold_start);
    expect(coldStarts.length).toBeGreaterThanOrEqual(3);
    expect(coldStarts).toEqual([true, ...coldStarts.slice(1).map(() => false)]);
  });

  it('checks Lambda in /health/integrations/aws with a DryRun invoke and logs no false alarm', async () => {
    const token = await localToken(stack.state, { sub: 'operator', scope: 'intake/admin' });
    const answer = await fetch(url('/health/integrations/aws'), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.status).toBe(200);
    expect(
      ((await answer.json()) as { checks: Record<string, { status: string }> }).checks.lambda,
    ).toMatchObject({ status: 'ok' });
    expect(stack.lines.filter((line) => /DryRun|not supported/i.test(line))).toEqual([]);
  });
});

/** Runs `npm run <script> -- <args>` against `stack`; resolves with its exit code and output. */
function runOpsScript(
  stack: LocalStackProcess,
  script: string,
  args: string[],
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', script, '--', ...args],
      {
        cwd: join(__dirname, '..', '..'),
        env: { ...process.env, INTAKE_STATE_FILE: stack.stateFile },
        timeout: 60_000,
      },
      (error, stdout, stderr) => resolve({ exitCode: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run replay / redrive against npm start', () => {
  let stack: LocalStackProcess;

  beforeAll(async () => {
    stack = await startLocalStack();
  });

  afterAll(async () => {
    if (stack) await stack.stop().catch(() => undefined);
  });

  it('replay exits non-zero naming a source that was never archived, with no SDK warning', async () => {
    const result = await runOpsScript(stack, 'replay', ['--source', 'nope']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('replay failed: No delivery of source "nope" was ever archived');
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/NodeVersion|no longer support|end-of-support/i);
  });

  it('redrive says it moved the messages (send-then-delete), with no SDK warning', async () => {
    const result = await runOpsScript(stack, 'redrive', []);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(
      /^Redrove 0 messages from intake-local-webhooks-dlq to intake-local-webhooks \(send-then-delete\)\.$/m,
    );
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/NodeVersion|no longer support|end-of-support/i);
  });
});

describe("npm start with serverless-offline's port taken", () => {
  let blocker: Server;

  afterEach(() => new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve())));

  it.each(['INTAKE_HTTP_PORT', 'INTAKE_LAMBDA_PORT'])(
    'stops with one line naming %s, and no stack trace',
    async (variable) => {
      const busyPort = await freePort();
      blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(busyPort, '127.0.0.1', resolve));
      const failure = startLocalStack({ env: { [variable]: String(busyPort) }, timeoutMs: 60_000 });
      await expect(failure).rejects.toThrow(
        `port ${busyPort} is already in use. Free the port or choose another with ${variable}=<port>.`,
      );
      const message = await failure.catch((error: Error) => error.message);
      expect(message).not.toMatch(/^\s+at\s/m);
      expect(message).not.toMatch(/EADDRINUSE/);
    },
  );
});
