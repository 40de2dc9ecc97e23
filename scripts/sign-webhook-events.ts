/**
 * Writes the webhook sample events (events/webhook-*.json) for every webhook source `.env.example`
 * configures (its commented-out example lines: WEBHOOK_SECRET_<SOURCE>, WEBHOOK_SCHEME_<SOURCE>…), each
 * signed by its scheme's sender: valid, bad-signature, stale (schemes that sign a timestamp) and handshake
 * (schemes that have one), plus the special cases (test/helpers/webhook-fixtures.ts). A source whose
 * scheme this intake does not have is skipped with a note. Signatures with a timestamp go stale after 5
 * minutes: run this again right before `sls invoke local -p ...` (the tests re-sign them themselves).
 *
 *   npx tsx scripts/sign-webhook-events.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleEnvironment, webhookFixtures } from '../test/helpers/webhook-fixtures';

const root = join(__dirname, '..');
const { fixtures, skipped, notes } = webhookFixtures(exampleEnvironment(), Math.floor(Date.now() / 1000));
for (const { source, scheme } of skipped)
  console.error(`.env.example source "${source}" skipped: this intake has no "${scheme}" scheme`);
for (const note of notes) console.error(note);
for (const fixture of fixtures)
  writeFileSync(join(root, 'events', `${fixture.name}.json`), `${JSON.stringify(fixture.event, null, 2)}\n`);
console.log(`Wrote ${fixtures.length} webhook events to events/ (time-bound ones valid for 5 minutes).`);
