/**
 * The actual cost of a deployed stage, from Cost Explorer: GetCostAndUsage for month-to-date and last month,
 * grouped by service and region, filtered by the stack's cost-allocation tags (serverless.yml provider.tags,
 * serverless/cost-allocation-tags.js). Used by `npm run cost -- --actual --stage <stage>` only.
 */
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import type { Expression, GetCostAndUsageCommandOutput } from '@aws-sdk/client-cost-explorer';
import { COST_ALLOCATION_TAG_KEYS } from '../../serverless/cost-allocation-tags';

/** Cost Explorer's one endpoint. */
export const COST_EXPLORER_REGION = 'us-east-1';

export interface Period {
  /** Inclusive, YYYY-MM-DD. */
  readonly start: string;
  /** Exclusive, YYYY-MM-DD. */
  readonly end: string;
}

export interface ActualCostRow {
  readonly service: string;
  readonly region: string;
  readonly usd: number;
}

export interface ActualCost {
  readonly period: Period;
  /** Highest first. */
  readonly rows: readonly ActualCostRow[];
  readonly totalUsd: number;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** Month-to-date (the 1st to today, today excluded: its costs are not in yet) and the whole last month, in UTC. */
export function costPeriods(now: Date): { monthToDate: Period; lastMonth: Period } {
  const firstOfMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const firstOfLastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return {
    monthToDate: { start: isoDay(firstOfMonth), end: isoDay(today) },
    lastMonth: { start: isoDay(firstOfLastMonth), end: isoDay(firstOfMonth) },
  };
}

/** The filter: resources tagged with this service and stage. */
export function stackTagFilter(service: string, stage: string): Expression {
  return {
    And: [
      { Tags: { Key: COST_ALLOCATION_TAG_KEYS.service, Values: [service], MatchOptions: ['EQUALS'] } },
      { Tags: { Key: COST_ALLOCATION_TAG_KEYS.stage, Values: [stage], MatchOptions: ['EQUALS'] } },
    ],
  };
}

/** A Cost Explorer failure, with what to do about it. */
export class ActualCostError extends Error {}

function explain(error: unknown): ActualCostError {
  const name = (error as { name?: string }).name ?? 'Error';
  const message = (error as Error).message ?? String(error);
  const hint =
    name === 'AccessDeniedException'
      ? ' (the identity needs ce:GetCostAndUsage: docs/aws-setup.md#who-may-deploy)'
      : name === 'DataUnavailableException'
        ? ' (Cost Explorer has no data yet: it is enabled once per account and fills within 24 hours)'
        : '';
  return new ActualCostError(`Cost Explorer GetCostAndUsage failed: ${name}: ${message}${hint}`);
}

/**
 * The unblended cost of `period` for the tagged stack, by service and region, every page read (NextPageToken).
 * Throws ActualCostError when Cost Explorer refuses.
 */
export async function actualCost(
  client: CostExplorerClient,
  period: Period,
  filter: Expression,
): Promise<ActualCost> {
  const totals = new Map<string, ActualCostRow>();
  if (period.start < period.end) {
    let token: string | undefined;
    do {
      let page: GetCostAndUsageCommandOutput;
      try {
        page = await client.send(
          new GetCostAndUsageCommand({
            TimePeriod: { Start: period.start, End: period.end },
            Granularity: 'MONTHLY',
            Metrics: ['UnblendedCost'],
            GroupBy: [
              { Type: 'DIMENSION', Key: 'SERVICE' },
              { Type: 'DIMENSION', Key: 'REGION' },
            ],
            Filter: filter,
            NextPageToken: token,
          }),
        );
      } catch (error) {
        throw explain(error);
      }
      for (const result of page.ResultsByTime ?? []) {
        for (const group of result.Groups ?? []) {
          const [service = '?', region = '?'] = group.Keys ?? [];
          const usd = Number(group.Metrics?.UnblendedCost?.Amount ?? 0);
          const key = `${service}\u0000${region}`;
          totals.set(key, { service, region, usd: (totals.get(key)?.usd ?? 0) + usd });
        }
      }
      token = page.NextPageToken;
    } while (token);
  }
  const rows = [...totals.values()].sort((a, b) => b.usd - a.usd);
  return { period, rows, totalUsd: rows.reduce((sum, row) => sum + row.usd, 0) };
}

export function costExplorerClient(): CostExplorerClient {
  return new CostExplorerClient({ region: COST_EXPLORER_REGION });
}
