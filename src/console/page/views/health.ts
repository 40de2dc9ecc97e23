import type { HealthAnswer } from '../../api-types';
import { getJson } from '../api';
import { el, statusBadge, table } from '../dom';
import type { View } from './view';

/** Every integration's status and latency. */
export const healthView: View = async () => {
  const health = await getJson<HealthAnswer>('health');
  return [
    el('h2', {}, 'Health'),
    el('p', {}, 'Overall: ', statusBadge(health.status)),
    table(
      'Integrations',
      ['Service', 'Status', 'Latency (ms)', 'Reason'],
      Object.entries(health.checks).map(([service, check]) => [
        service,
        statusBadge(check.status),
        String(Math.round(check.latencyMs)),
        check.reason ?? '',
      ]),
    ),
  ];
};
