import type { CostAnswer } from '../../api-types';
import type { CostEstimate } from '../../../cost/cost-types';
import { getJson } from '../api';
import { el, facts, jsonBlock, table } from '../dom';
import type { View } from './view';

/** The cost model's estimate (src/cost/cost-types.ts); the API's contract leaves its shape open. */
function isCostEstimate(value: unknown): value is CostEstimate {
  const candidate = value as Partial<CostEstimate> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    Array.isArray(candidate.lines) &&
    typeof candidate.totalUsd === 'number'
  );
}

const usd = (amount: number) => `$${amount < 0.01 && amount > 0 ? amount.toPrecision(2) : amount.toFixed(2)}`;

/** The monthly estimate for the traffic the history has seen: a line per priced item, else the JSON as given. */
export const costView: View = async () => {
  const cost = await getJson<CostAnswer>('cost');
  const { estimate } = cost;
  return [
    el('h2', {}, 'Cost estimate'),
    el('p', {}, 'A monthly estimate for the traffic of the last 30 days.'),
    facts([
      ['Webhooks', String(cost.traffic.webhooks)],
      ['Documents', String(cost.traffic.documents)],
      ['Document MB', String(cost.traffic.documentMb)],
    ]),
    ...(isCostEstimate(estimate)
      ? [
          table(
            `Estimate: ${usd(estimate.totalUsd)} a month (${estimate.region}, prices of ${estimate.pricesAsOf})`,
            ['Service', 'Item', 'Quantity', 'Unit', 'Unit price (USD)', 'Monthly (USD)'],
            estimate.lines.map((line) => [
              line.service,
              line.item,
              String(line.quantity),
              line.unit,
              String(line.unitPriceUsd),
              usd(line.monthlyUsd),
            ]),
          ),
        ]
      : [el('h3', {}, 'Estimate'), jsonBlock(estimate)]),
  ];
};
