/**
 * The README's quickstart, as a newcomer runs it: `npm run webhook:send -- --wait` and
 * `npm run document:upload` as child processes against a real `npm start` stack (free ports), finding
 * it through its state file.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalStack, type LocalStackProcess } from '../../helpers/local-stack-process';
import { localToken } from '../../helpers/local-tokens';

jest.setTimeout(180_000);
const run = promisify(execFile);
const root = join(__dirname, '..', '..', '..');
const secret = 'quickstart github secret';
let stack: LocalStackProcess;
let workDir: string;

beforeAll(async () => {
  stack = await startLocalStack({ env: { WEBHOOK_SECRET_GITHUB: secret }, timeoutMs: 120_000 });
  workDir = mkdtempSync(join(tmpdir(), 'intake-quickstart-'));
});
afterAll(async () => {
  await stack?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Runs a script with tsx as `npm run` does, aimed at the test stack; resolves with its exit code and output. */
async function script(name: string, args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(
      join(root, 'node_modules', '.bin', 'tsx'),
      [`scripts/${name}.ts`, ...args],
      {
        cwd: root,
        env: { ...process.env, INTAKE_STATE_FILE: stack.stateFile, WEBHOOK_SECRET_GITHUB: secret, ...env },
        timeout: 90_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('quickstart scripts against `npm start`', () => {
  it('webhook:send --wait posts a signed GitHub delivery, gets 202 and sees it archived under events/github/', async () => {
    const result = await script('send-webhook', ['--source', 'github', '--id', 'quickstart-it-1', '--wait']);
    expect(result).toMatchObject({ code: 0 });
    // X-GitHub-Delivery is not signed: intake answers (and archives under) the body's content id.
    const accepted = /202 Accepted: delivery ([0-9a-f]{64}) \(sent as quickstart-it-1\)/.exec(result.stdout);
    expect(accepted).not.toBeNull();
    expect(result.stdout).toMatch(
      new RegExp(`Archived: s3://\\S+/events/github/\\d{4}/\\d{2}/\\d{2}/${accepted![1]}\\.json`),
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain(secret);
  });

  it('webhook:send reports a 401 and fails when its secret differs from the stack', async () => {
    const result = await script('send-webhook', ['--source', 'github'], {
      WEBHOOK_SECRET_GITHUB: 'a-wrong-github-secret',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^401 .*UNAUTHORIZED/m);
  });

  it('document:upload uploads a file as a browser does and prints its processed manifest and download URL', async () => {
    const path = join(workDir, 'orders.csv');
    const content = 'id,total\n1,19.99\n2,5.00\n';
    writeFileSync(path, content);
    const result = await script('upload-document', [path]);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/status\s+processed/);
    expect(result.stdout).toMatch(/type\s+text\/csv/);
    const sha256 = createHash('sha256').update(content).digest('hex');
    expect(result.stdout).toContain(sha256);
    const url = /download\s+(\S+)/.exec(result.stdout)![1]!;
    expect(await (await fetch(url)).text()).toBe(content);
  });

  it("document:upload --sub uploads as that user: the document is in Bob's listing and not in Alice's", async () => {
    const path = join(workDir, 'bob notes.txt');
    writeFileSync(path, 'only for bob\n');
    const result = await script('upload-document', [path, '--sub', 'bob']);
    expect(result).toMatchObject({ code: 0 });
    const id = /document ([0-9a-f-]{36})/.exec(result.stdout)![1];

    const listedFor = async (sub: string) => {
      const token = await localToken(stack.state, { sub });
      const response = await fetch(`${stack.state.http.url}/documents`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return ((await response.json()) as { items: { id: string; owner: string }[] }).items;
    };
    expect(await listedFor('bob')).toEqual(
      expect.arrayContaining([expect.objectContaining({ id, owner: 'bob', filename: 'bob notes.txt' })]),
    );
    expect((await listedFor('alice')).map((item) => item.id)).not.toContain(id);
  });

  it('document:upload exits 2 with the reason when the file is quarantined', async () => {
    const path = join(workDir, 'fake.pdf');
    writeFileSync(path, 'not a pdf at all\n');
    const result = await script('upload-document', [path]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/status\s+quarantined \(TYPE_MISMATCH/);
  });
});
