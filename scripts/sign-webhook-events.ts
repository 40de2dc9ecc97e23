/**
 * Writes the webhook sample events (events/webhook-*.json), signed with the test secrets of `.env.example`
 * (WEBHOOK_SECRET_GITHUB, _STRIPE, _STANDARD, and _ACME when present). Stripe and Standard Webhooks signatures carry a
 * timestamp and go stale after 5 minutes: run this again right before `sls invoke local -p ...` (the
 * tests re-sign them themselves).
 *
 *   npx tsx scripts/sign-webhook-events.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  fixtureSourceVariables,
  webhookFixtures,
  type FixtureSecrets,
} from '../test/helpers/webhook-fixtures';

const root = join(__dirname, '..');

/** Reads KEY=value lines, including commented-out `# KEY=value` examples (the test secrets are written so). */
function readEnvFile(path: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^\s*(?:#\s*)?([A-Z0-9_]+)=(\S*)\s*$/.exec(line);
    if (match) values[match[1]!] = match[2]!;
  }
  return values;
}

const env = readEnvFile(join(root, '.env.example'));
const names = {
  github: 'WEBHOOK_SECRET_GITHUB',
  stripe: 'WEBHOOK_SECRET_STRIPE',
  standard: 'WEBHOOK_SECRET_STANDARD',
} as const;
const missing = Object.values(names).filter((name) => !env[name]);
if (missing.length > 0) {
  console.error(`.env.example lacks ${missing.join(', ')}; add the test sources, e.g.:`);
  const example: FixtureSecrets = {
    github: 'local-github-secret',
    stripe: 'whsec_local-stripe-signing-secret',
    standard: `whsec_${Buffer.from('local standard webhooks key').toString('base64')}`,
    acme: 'local-acme-secret',
  };
  for (const [name, value] of Object.entries(fixtureSourceVariables(example)))
    console.error(`${name}=${value}`);
  process.exit(1);
}
const secrets: FixtureSecrets = {
  github: env[names.github]!,
  stripe: env[names.stripe]!,
  standard: env[names.standard]!,
  ...(env.WEBHOOK_SECRET_ACME ? { acme: env.WEBHOOK_SECRET_ACME } : {}),
};
if (secrets.acme === undefined)
  console.error('.env.example has no WEBHOOK_SECRET_ACME: the hmac-sha256 fixture is skipped.');
const fixtures = webhookFixtures(secrets, Math.floor(Date.now() / 1000));
for (const fixture of fixtures)
  writeFileSync(join(root, 'events', `${fixture.name}.json`), `${JSON.stringify(fixture.event, null, 2)}\n`);
console.log(`Wrote ${fixtures.length} webhook events to events/ (time-bound ones valid for 5 minutes).`);
