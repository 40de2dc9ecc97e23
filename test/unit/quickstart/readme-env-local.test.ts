import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { schemeNames } from '../../../src/webhooks/schemes';
import { loadWebhookSources } from '../../../src/webhooks/sources';

const root = join(__dirname, '..', '..', '..');

/** The README quickstart's command that writes `.env.local`, exactly as written there. */
function readmeEnvLocalCommand(): string {
  const line = readFileSync(join(root, 'README.md'), 'utf8')
    .split('\n')
    .find((text) => text.endsWith('.env.example > .env.local'));
  if (line === undefined) throw new Error('README.md has no command writing .env.local from .env.example');
  return line;
}

describe("the README quickstart's .env.local", () => {
  it('configures a source of every scheme that webhook-receive loads without a ConfigError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'intake-readme-'));
    try {
      copyFileSync(join(root, '.env.example'), join(dir, '.env.example'));
      execFileSync('bash', ['-c', readmeEnvLocalCommand()], { cwd: dir });
      const env = parseEnv(readFileSync(join(dir, '.env.local'), 'utf8'));
      // Never a deployed stage's parameter location: locally it would send the receiver to SSM.
      expect(Object.keys(env).filter((name) => name.includes('PARAMETER'))).toEqual([]);
      const sources = loadWebhookSources({ ...env, WEBHOOK_SECRET_CACHE_SECONDS: '300' });
      const schemes = new Set([...sources.values()].map((source) => source.scheme));
      expect([...schemes].sort()).toEqual([...schemeNames].sort());
      for (const source of sources.values()) expect(source.secrets?.kind).toBe('env');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
