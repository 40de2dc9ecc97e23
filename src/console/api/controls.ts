import { BadRequestError } from '../../errors';
import { validPauseScope } from '../../webhooks/controls/pause-scope';
import type { PauseScope, WebhookControls } from '../../webhooks/controls/webhook-controls';
import type { ControlsAnswer } from '../api-types';

export type RoutedTarget = ControlsAnswer['targets'][number];

export interface ControlsDependencies {
  readonly controls: WebhookControls;
  /** The routed targets (routes.ts), with their concurrency caps. */
  readonly targets: readonly RoutedTarget[];
}

/** The pauses in force and the routed targets: one controls read. */
export async function controlsView(deps: ControlsDependencies): Promise<ControlsAnswer> {
  return { pauses: await deps.controls.listPauses(), targets: deps.targets };
}

/**
 * Pauses a source, or a routed target of a source (or of every source, `*`), for `by` (the caller's
 * subject), then answers the controls as they now are. 400 (validPauseScope) for a malformed scope, and for a
 * target the routes do not name (a typo would pause nothing).
 */
export async function pauseScope(
  deps: ControlsDependencies,
  scope: PauseScope & { readonly reason?: string },
  by: string,
): Promise<ControlsAnswer> {
  const { reason, ...pause } = checkedScope(deps, scope);
  await deps.controls.pause(pause, by, reason);
  return controlsView(deps);
}

/** Resumes a paused scope (nothing happens when it was not paused), then answers the controls as they now are. */
export async function resumeScope(deps: ControlsDependencies, scope: PauseScope): Promise<ControlsAnswer> {
  const { source, target } = checkedScope(deps, scope);
  await deps.controls.resume({ source, ...(target === undefined ? {} : { target }) });
  return controlsView(deps);
}

function checkedScope<S extends PauseScope>(deps: ControlsDependencies, scope: S): S {
  validPauseScope(scope);
  if (scope.target !== undefined && !deps.targets.some((target) => target.name === scope.target)) {
    throw new BadRequestError(`No route targets ${JSON.stringify(scope.target)}`);
  }
  return scope;
}
