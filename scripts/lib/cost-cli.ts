/**
 * `npm run cost`: the monthly estimate for a traffic, line by line; `--write` regenerates the profile and
 * docs/cost.md; `--actual --stage <stage>` adds month-to-date and last month's cost from Cost Explorer.
 * Argument errors print one clear line and exit 2; a Cost Explorer failure exits 1.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { SERVICE } from '../../serverless/names';
import { defaultPrices, estimateMonthlyCost } from '../../src/cost/cost-model';
import type { MonthlyTraffic } from '../../src/cost/cost-types';
import type { ActualCost } from './actual-cost';
import { actualCost, ActualCostError, costPeriods, stackTagFilter } from './actual-cost';
import { COST_DOC_PATH, costDocText } from './cost-doc';
import { columns, estimateTable, quantity, usd } from './cost-format';
import { buildCostProfile, PROFILE_PATH, profileFileText, readProfileInputs } from './cost-profile';

export const USAGE =
  'usage: npm run cost -- [--webhooks N] [--documents N] [--document-mb MB] [--json]\n' +
  '       npm run cost -- --actual --stage <stage> [traffic options]   (Cost Explorer: needs ce:GetCostAndUsage)\n' +
  '       npm run cost -- --write   (regenerate src/cost/profile.generated.json and docs/cost.md)';

/** The traffic the estimate prices when none is given (the brief's medium volume). */
export const DEFAULT_TRAFFIC: MonthlyTraffic = { webhooks: 1_000_000, documents: 100_000, documentMb: 1 };

export interface CostCliDependencies {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly costExplorer: () => CostExplorerClient;
  readonly now: () => Date;
  /** Writes the generated files (`--write`); tests replace it. */
  readonly write?: () => Promise<string[]>;
}

class UsageError extends Error {}

function count(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`--${name} takes a number of at least 0, not "${text}"`);
  }
  return value;
}

function parse(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        webhooks: { type: 'string' },
        documents: { type: 'string' },
        'document-mb': { type: 'string' },
        json: { type: 'boolean' },
        write: { type: 'boolean' },
        actual: { type: 'boolean' },
        stage: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.actual && !parsed.stage)
    throw new UsageError('--actual needs --stage <stage> (the tagged stage to read)');
  if (parsed.stage !== undefined && !parsed.actual) throw new UsageError('--stage is for --actual');
  const traffic: MonthlyTraffic = {
    webhooks: count('webhooks', parsed.webhooks, DEFAULT_TRAFFIC.webhooks),
    documents: count('documents', parsed.documents, DEFAULT_TRAFFIC.documents),
    documentMb: count('document-mb', parsed['document-mb'], DEFAULT_TRAFFIC.documentMb),
  };
  return { ...parsed, traffic };
}

/** Writes the profile, then docs/cost.md from it; returns the paths written. */
export async function writeGenerated(): Promise<string[]> {
  const profile = buildCostProfile(readProfileInputs());
  writeFileSync(PROFILE_PATH, profileFileText(profile));
  writeFileSync(COST_DOC_PATH, costDocText({ profile, prices: defaultPrices }));
  return [PROFILE_PATH, COST_DOC_PATH];
}

function actualTable(label: string, cost: ActualCost): string {
  const rows = [
    ['service', 'region', label],
    ...cost.rows.map((row) => [row.service, row.region, usd(row.usd)]),
    ['total', '', usd(cost.totalUsd)],
  ];
  return `${label}: ${cost.period.start} to ${cost.period.end} (end excluded)\n${columns(rows, 2)}`;
}

/** Runs the CLI on `argv` (without node and script); resolves to the exit code. */
export async function runCost(argv: string[], deps: CostCliDependencies): Promise<number> {
  let options;
  try {
    options = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    deps.err(`cost: ${error.message}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    deps.out(USAGE);
    return 0;
  }
  if (options.write) {
    for (const path of await (deps.write ?? writeGenerated)()) deps.out(`wrote ${path}`);
    return 0;
  }
  const estimate = estimateMonthlyCost(options.traffic);
  const { webhooks, documents, documentMb } = options.traffic;
  if (!options.actual) {
    if (options.json) deps.out(JSON.stringify({ traffic: options.traffic, estimate }, null, 2));
    else
      deps.out(
        `Estimate for ${quantity(webhooks)} webhooks and ${quantity(documents)} documents of ${documentMb} MB a month\n${estimateTable(estimate)}`,
      );
    return 0;
  }
  const stage = options.stage!;
  const client = deps.costExplorer();
  const periods = costPeriods(deps.now());
  const filter = stackTagFilter(SERVICE, stage);
  try {
    const [monthToDate, lastMonth] = [
      await actualCost(client, periods.monthToDate, filter),
      await actualCost(client, periods.lastMonth, filter),
    ];
    if (options.json) {
      deps.out(
        JSON.stringify(
          { traffic: options.traffic, estimate, actual: { stage, monthToDate, lastMonth } },
          null,
          2,
        ),
      );
      return 0;
    }
    deps.out(
      [
        `Estimate for ${quantity(webhooks)} webhooks and ${quantity(documents)} documents of ${documentMb} MB a month`,
        estimateTable(estimate),
        '',
        `Actual cost of ${SERVICE} stage ${stage} (Cost Explorer, resources tagged service=${SERVICE}, stage=${stage}):`,
        actualTable('month to date', monthToDate),
        '',
        actualTable('last month', lastMonth),
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    if (!(error instanceof ActualCostError)) throw error;
    deps.err(`cost: ${error.message}`);
    return 1;
  }
}
