import type { ControlsAnswer } from '../../api-types';
import type { PauseScope } from '../../../webhooks/controls/webhook-controls';
import { getJson, putJson } from '../api';
import { button, el, field, form, message, shortTime, table } from '../dom';
import type { View } from './view';

const scopeText = (scope: PauseScope) =>
  scope.target === undefined
    ? `source ${scope.source}`
    : `target ${scope.target} of ${scope.source === '*' ? 'every source' : `source ${scope.source}`}`;

/** Pauses (with resume), a form to pause a source or a target, and each target's concurrency cap. */
export const controlsView: View = async ({ refresh }) => {
  const { pauses, targets } = await getJson<ControlsAnswer>('controls');
  const pause = async (scope: PauseScope, reason?: string) => {
    await putJson('controls/pause', { ...scope, ...(reason ? { reason } : {}) });
    refresh(message(`Paused ${scopeText(scope)}: its deliveries wait on the queue.`));
  };
  const resume = async (scope: PauseScope) => {
    await putJson('controls/resume', scope);
    refresh(message(`Resumed ${scopeText(scope)}.`));
  };
  return [
    el('h2', {}, 'Controls'),
    pauses.length === 0
      ? el('p', { class: 'muted' }, 'Nothing is paused.')
      : table(
          'Paused',
          ['Source', 'Target', 'Since', 'By', 'Reason', ''],
          pauses.map((paused) => {
            const scope: PauseScope = {
              source: paused.source,
              ...(paused.target === undefined ? {} : { target: paused.target }),
            };
            return [
              paused.source,
              paused.target ?? '(whole source)',
              shortTime(paused.pausedAt),
              paused.pausedBy,
              paused.reason ?? '',
              button('Resume', () => resume(scope), { 'aria-label': `Resume ${scopeText(scope)}` }),
            ];
          }),
        ),
    form(
      'Pause a source or a target',
      [
        field('Source (* with a target: every source)', 'source', ''),
        field('Target (empty: the whole source)', 'target', ''),
        field('Reason', 'reason', ''),
      ],
      'Pause',
      async (values) => {
        if (!values.source) {
          refresh(message('Name a source to pause (or * with a target).', 'error'));
          return;
        }
        await pause(
          { source: values.source, ...(values.target ? { target: values.target } : {}) },
          values.reason,
        );
      },
    ),
    table(
      'Routed targets',
      ['Target', 'Concurrency cap', ''],
      targets.map((target) => [
        target.name,
        target.maxConcurrency === null ? 'uncapped' : String(target.maxConcurrency),
        button('Pause for every source', () => pause({ source: '*', target: target.name }), {
          'aria-label': `Pause target ${target.name} for every source`,
        }),
      ]),
    ),
  ];
};
