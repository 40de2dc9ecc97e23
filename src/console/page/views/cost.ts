import type { CostAnswer } from '../../api-types';
import { getJson } from '../api';
import { el, facts, jsonBlock } from '../dom';
import type { View } from './view';

/** The monthly estimate for the traffic the history has seen (the estimate's shape is the cost model's). */
export const costView: View = async () => {
  const cost = await getJson<CostAnswer>('cost');
  return [
    el('h2', {}, 'Cost estimate'),
    el('p', {}, 'A monthly estimate for the traffic of the last 30 days.'),
    facts([
      ['Webhooks', String(cost.traffic.webhooks)],
      ['Documents', String(cost.traffic.documents)],
      ['Document MB', String(cost.traffic.documentMb)],
    ]),
    el('h3', {}, 'Estimate'),
    jsonBlock(cost.estimate),
  ];
};
