/**
 * Cold init: the time to load a bundled function in a fresh `node` process (require the bundle, which
 * builds the handler at module scope) minus a bare `node -e ''` of the same round; median of
 * interleaved rounds. Compared with a baseline bundle that only imports and constructs the SDK clients
 * the health bundle contains:
 *   - built with serverless-esbuild's DEFAULTS (what most projects ship) — target ratio <= 0.8;
 *   - built with intake's own esbuild settings — target ratio <= 1.2 (issue 14; the tracer, loaded only when
 *     tracing is on, is not loaded here: the environment turns tracing off, as the local stack does).
 * The health bundle is taken from `sls package --stage dev` (exactly what deploys); processes get a
 * Lambda-like environment. After the rounds, one more load of the health bundle and of the intake-settings
 * baseline runs with `--cpu-prof`: where their init went is in `profiles`.
 *
 *   npx tsx bench/cold-init.bench.ts [rounds=21]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';
import { lambdaLikeEnvironment, measureColdInit, timeFreshNode } from './lib/cold-init';
import { cpuProfileEnv, summariseProfileDir, type ProcessProfile } from './lib/cpu-profile';
import { writeBenchResult } from './lib/results';
import { packageService, PROJECT_ROOT } from './lib/serverless-package';
import { median, round2 } from './lib/stats';

const ROUNDS = Math.max(15, Number(process.argv[2] ?? 21));
const TARGET_VS_DEFAULT = 0.8;
const TARGET_VS_INTAKE_SETTINGS = 1.2;

/** Exported client class of each SDK package the baseline may construct. */
const CLIENT_CLASSES: Record<string, string> = {
  'client-s3': 'S3Client',
  'client-sqs': 'SQSClient',
  'client-dynamodb': 'DynamoDBClient',
  'client-lambda': 'LambdaClient',
  'client-ssm': 'SSMClient',
  'client-secrets-manager': 'SecretsManagerClient',
  'client-sts': 'STSClient',
};

/** serverless-esbuild 1.57 defaults (dist/index.js getBuildOptions) for runtime nodejs24.x: no minify,
 * no mainFields (esbuild's node default: main first), external ['aws-sdk'] from `exclude`. */
const SERVERLESS_ESBUILD_DEFAULTS: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  external: ['aws-sdk'],
};

/** Options of serverless-esbuild that are not esbuild options (stripped as the plugin does). */
const PLUGIN_ONLY_OPTIONS = [
  'exclude',
  'packager',
  'concurrency',
  'zipConcurrency',
  'nativeZip',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
];

interface ResolvedService {
  custom: { esbuild: Record<string, unknown> };
  provider: { environment?: Record<string, unknown> };
  functions: Record<string, { environment?: Record<string, unknown> }>;
}

function resolvedService(): ResolvedService {
  const run = spawnSync(
    join(PROJECT_ROOT, 'node_modules', '.bin', 'sls'),
    ['print', '--stage', 'dev', '--format', 'json'],
    {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) throw new Error(`sls print failed:\n${run.stderr}`);
  return JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as ResolvedService;
}

function intakeEsbuildOptions(service: ResolvedService): BuildOptions {
  const options: Record<string, unknown> = { ...service.custom.esbuild };
  const exclude = (options.exclude as string[] | undefined) ?? [];
  for (const key of PLUGIN_ONLY_OPTIONS) delete options[key];
  return { ...(options as BuildOptions), external: [...((options.external as string[]) ?? []), ...exclude] };
}

/** SDK client packages in the health bundle, read from an esbuild metafile of the same entry. */
async function sdkClientsOf(entry: string, options: BuildOptions): Promise<string[]> {
  const result = await build({
    ...options,
    entryPoints: [entry],
    absWorkingDir: PROJECT_ROOT,
    write: false,
    metafile: true,
    outdir: 'unused',
    logLevel: 'silent',
  });
  const clients = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const match = /node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\//.exec(input);
    if (match && CLIENT_CLASSES[match[1]!]) clients.add(match[1]!);
  }
  return [...clients].sort();
}

function baselineSource(clients: readonly string[]): string {
  const imports = clients.map((pkg) => `import { ${CLIENT_CLASSES[pkg]} } from '@aws-sdk/${pkg}';`);
  const constructs = clients.map((pkg) => `new ${CLIENT_CLASSES[pkg]}({})`);
  return `${imports.join('\n')}\nconst clients = [${constructs.join(', ')}];\nexport const handler = async () => clients.length;\n`;
}

async function buildBaseline(source: string, options: BuildOptions, outfile: string): Promise<void> {
  await build({
    ...options,
    stdin: { contents: source, resolveDir: PROJECT_ROOT, sourcefile: 'baseline.ts', loader: 'ts' },
    absWorkingDir: PROJECT_ROOT,
    outfile,
    logLevel: 'silent',
  });
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'intake-bench-cold-init-'));
  try {
    const service = resolvedService();
    const intakeOptions = intakeEsbuildOptions(service);

    packageService(join(work, 'package'));
    const unzip = spawnSync('unzip', [
      '-q',
      '-o',
      join(work, 'package', 'health.zip'),
      '-d',
      join(work, 'health'),
    ]);
    if (unzip.status !== 0) throw new Error(`unzip health.zip failed: ${unzip.stderr}`);
    const healthBundle = join(work, 'health', 'functions', 'health.js');

    const clients = await sdkClientsOf(join(PROJECT_ROOT, 'functions', 'health.ts'), intakeOptions);
    if (clients.length === 0)
      throw new Error('the health bundle contains no SDK client: nothing to compare with');
    const source = baselineSource(clients);
    const baselineDefault = join(work, 'baseline-default.js');
    const baselineIntake = join(work, 'baseline-intake-settings.js');
    await buildBaseline(source, SERVERLESS_ESBUILD_DEFAULTS, baselineDefault);
    await buildBaseline(source, intakeOptions, baselineIntake);

    const env = lambdaLikeEnvironment(
      { ...service.provider.environment, ...service.functions.health?.environment },
      'intake-dev-health',
    );
    const samples = measureColdInit(
      [
        { label: 'health', bundlePath: healthBundle },
        { label: 'baselineDefault', bundlePath: baselineDefault },
        { label: 'baselineIntakeSettings', bundlePath: baselineIntake },
      ],
      env,
      ROUNDS,
    );
    const profiles: ProcessProfile[] = [];
    for (const [label, bundlePath] of [
      ['health', healthBundle],
      ['baselineIntakeSettings', baselineIntake],
    ] as const) {
      const dir = mkdtempSync(join(work, `profile-${label}-`));
      timeFreshNode({ label, bundlePath }, { ...env, ...cpuProfileEnv(dir, undefined) });
      profiles.push(...summariseProfileDir(dir, () => `cold init: ${label} (node --cpu-prof)`, 15));
    }
    const wall = (label: string) => median(samples.wallMs[label]!);
    const cpu = (label: string) => median(samples.cpuMs[label]!);
    const ratio = (value: number) => Math.round(value * 1000) / 1000;
    const vsDefault = wall('health') / wall('baselineDefault');
    const vsIntake = wall('health') / wall('baselineIntakeSettings');
    const kb = (path: string) => round2(statSync(path).size / 1024);
    writeBenchResult(
      'cold-init',
      {
        rounds: ROUNDS,
        node: process.version,
        loadAverage1m: round2(loadavg()[0]!),
        sdkClients: clients.join(','),
        healthInitMs: round2(wall('health')),
        baselineDefaultInitMs: round2(wall('baselineDefault')),
        baselineIntakeSettingsInitMs: round2(wall('baselineIntakeSettings')),
        ratioVsDefaultBaseline: ratio(vsDefault),
        ratioVsIntakeSettingsBaseline: ratio(vsIntake),
        // The same runs in CPU time (user + system, reported by each process): far less sensitive to
        // other work on a shared machine, so it corroborates (or explains) the wall-time ratios.
        healthInitCpuMs: round2(cpu('health')),
        baselineDefaultInitCpuMs: round2(cpu('baselineDefault')),
        baselineIntakeSettingsInitCpuMs: round2(cpu('baselineIntakeSettings')),
        cpuRatioVsDefaultBaseline: ratio(cpu('health') / cpu('baselineDefault')),
        cpuRatioVsIntakeSettingsBaseline: ratio(cpu('health') / cpu('baselineIntakeSettings')),
        healthBundleKb: kb(healthBundle),
        baselineDefaultKb: kb(baselineDefault),
        baselineIntakeSettingsKb: kb(baselineIntake),
      },
      {
        ratioVsDefaultBaseline: `<= ${TARGET_VS_DEFAULT}`,
        ratioVsIntakeSettingsBaseline: `<= ${TARGET_VS_INTAKE_SETTINGS}`,
      },
      vsDefault <= TARGET_VS_DEFAULT && vsIntake <= TARGET_VS_INTAKE_SETTINGS,
      `health ${round2(wall('health'))} ms = ${ratio(vsDefault)}x of the default-built SDK baseline (${round2(wall('baselineDefault'))} ms, target <= ${TARGET_VS_DEFAULT}), ${ratio(vsIntake)}x of it built with intake settings (${round2(wall('baselineIntakeSettings'))} ms, target <= ${TARGET_VS_INTAKE_SETTINGS}); CPU ${ratio(cpu('health') / cpu('baselineDefault'))}x / ${ratio(cpu('health') / cpu('baselineIntakeSettings'))}x; median of ${ROUNDS} interleaved rounds`,
      profiles,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
