import { execFile } from 'node:child_process';
import { join } from 'node:path';

/**
 * The guards in serverless/*.js refuse a configuration while osls resolves variables. Whatever refuses,
 * the developer must see the one-line reason, not a Node stack trace through osls's resolver
 * (serverless/config-error.js says why that needs care). Runs the real osls: if a new version prints the
 * stack again, this fails.
 */
const ROOT = join(__dirname, '..', '..', '..');
const SLS = join(ROOT, 'node_modules', '.bin', 'sls');

jest.setTimeout(60_000);

interface Printed {
  exitCode: number;
  output: string;
}

/** `sls print --stage dev` with `env` added and `args` appended: resolves every variable, writes nothing. */
function printDev(env: Record<string, string>, args: string[] = []): Promise<Printed> {
  return new Promise((resolve) => {
    execFile(
      SLS,
      ['print', '--stage', 'dev', ...args],
      { cwd: ROOT, env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', ...env }, timeout: 50_000 },
      (error, stdout, stderr) =>
        resolve({ exitCode: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
}

const stackFrame = /^\s+at\s/m;

describe('a failed package guard', () => {
  it.each([
    [
      'an inline webhook secret outside stage local',
      { WEBHOOK_SECRET_GITHUB: 'shh' },
      [],
      'WEBHOOK_SECRET_GITHUB holds a secret and would be written into the CloudFormation template',
    ],
    [
      'an invalid webhook source name',
      { WEBHOOK_SOURCES: 'github,Not Valid!' },
      [],
      'WEBHOOK_SOURCES names an invalid source "not valid!"',
    ],
    [
      'a limit that is not a number',
      {},
      ['--param', 'apiThrottlingRateLimit=lots'],
      'param apiThrottlingRateLimit must be a number >= 1, not "lots"',
    ],
    ['half an external issuer', {}, ['--param', 'jwtIssuer=https://issuer.example'], 'only jwtIssuer is set'],
  ])('stops with its one-line reason and no stack trace: %s', async (_case, env, args, reason) => {
    const printed = await printDev(env, args);
    expect(printed.exitCode).not.toBe(0);
    expect(printed.output).toContain(reason);
    expect(printed.output).not.toMatch(stackFrame);
  });
});
