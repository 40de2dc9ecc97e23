/**
 * The settings are defined once, with their validation (src/config.ts `variables`, the webhook families
 * of src/webhooks/sources.ts, the local stack's INTAKE_* in plugins/local-stack/settings.ts). The
 * README's configuration tables, .env.example and the `${env:…}` pass-throughs of serverless/*.yml only
 * name them: these tests fail as soon as one of those copies names a setting that is not defined, or a
 * defined setting is missing from the README or .env.example.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { variables } from '../../../src/config';

const ROOT = join(__dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

const configVariables = Object.keys(variables);
/**
 * WEBHOOK_<SETTING>_<SOURCE>: one family per setting (src/webhooks/sources.ts; TEST_SIGNING_KEY is read by
 * the tools only, scripts/lib/webhook-requests.ts), plus the package-time list.
 */
const WEBHOOK_FAMILY =
  /^WEBHOOK_(SECRET|SECRET_PARAMETER|SCHEME|SIGNATURE_HEADER|SIGNATURE_ENCODING|SIGNATURE_PREFIX|ID_HEADER|EVENT_HEADER|VERIFY_TOKEN|VERIFY_TOKEN_PARAMETER|PUBLIC_URL|PUBLIC_URL_PARAMETER|TEST_SIGNING_KEY)_[A-Z0-9_]+$/;
/** Set by Lambda, the SDK, Powertools or serverless.yml itself, not read through src/config.ts. */
const PLATFORM = new Set([
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_LOG_LEVEL',
  'POWERTOOLS_METRICS_DISABLED',
  'POWERTOOLS_TRACE_ENABLED',
  'INTAKE_STAGE',
  'WEBHOOK_SOURCES', // read by serverless/webhooks-env.js at package time
  'INTAKE_BUNDLE_METAFILE', // a build switch of serverless.yml: keep esbuild's metafiles (bundle-inputs test)
]);
/** The local stack's and the scripts' INTAKE_* settings, as their sources spell them. */
const toolSettings = new Set(
  [read('plugins/local-stack/settings.ts'), read('plugins/local-stack/plugin.ts'), read('scripts/token.ts')]
    .join('\n')
    .match(/\bINTAKE_[A-Z0-9_]+\b/g),
);

function isDefined(name: string): boolean {
  return (
    configVariables.includes(name) ||
    WEBHOOK_FAMILY.test(name) ||
    PLATFORM.has(name) ||
    toolSettings.has(name)
  );
}

const readmeConfiguration = (() => {
  const readme = read('README.md');
  const start = readme.indexOf('## Configuration');
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
})();
/** `NAME=` lines of .env.example, commented out or not. */
const envExampleNames = [...read('.env.example').matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!);
/** Every `${env:NAME` in serverless.yml and serverless/*.yml. */
const serverlessEnvNames = [
  'serverless.yml',
  ...readdirSync(join(ROOT, 'serverless')).map((f) => `serverless/${f}`),
]
  .filter((path) => /\.(yml|js)$/.test(path))
  .flatMap((path) => [...read(path).matchAll(/\$\{env:([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!));

describe('settings: defined once, only named elsewhere', () => {
  it.each(configVariables)('the README configuration and .env.example document %s', (name) => {
    // README groups a family in one cell: `AWS_ENDPOINT_URL_S3`, `_SQS`, … names the suffix only.
    const suffix = name.replace(/^AWS_ENDPOINT_URL/, '');
    expect(readmeConfiguration.includes(`\`${name}\``) || readmeConfiguration.includes(`\`${suffix}\``)).toBe(
      true,
    );
    expect(envExampleNames).toContain(name);
  });

  it('.env.example names no setting that is not defined', () => {
    expect(envExampleNames.filter((name) => !isDefined(name))).toEqual([]);
  });

  it('the README configuration tables name no setting that is not defined', () => {
    // The first cell of each table row names the variables; the other cells hold values (`INFO`…).
    const firstCells = [...readmeConfiguration.matchAll(/^\| ([^|]+)\|/gm)].map((m) => m[1]!).join(' ');
    const named = [...firstCells.matchAll(/`([A-Z][A-Z0-9_]{3,})`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(configVariables.length);
    expect(named.filter((name) => !isDefined(name))).toEqual([]);
  });

  it('serverless passes on only defined settings from the shell or .env', () => {
    expect(serverlessEnvNames.length).toBeGreaterThan(0);
    expect(serverlessEnvNames.filter((name) => !isDefined(name) && name !== 'AWS_REGION')).toEqual([]);
  });

  it('spots a setting that is named but not defined (the check can fail)', () => {
    expect(isDefined('DOCUMENTS_MAX_UPLOAD_BYTE')).toBe(false);
    expect(isDefined('WEBHOOK_SECRET_')).toBe(false);
  });
});
