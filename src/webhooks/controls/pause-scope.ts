import { BadRequestError } from '../../errors';
import type { Pause, PauseScope } from './webhook-controls';

const sourceName = /^[a-z0-9-]{1,64}$/;
const functionKey = /^[A-Za-z0-9-_]{1,64}$/;

/**
 * The scope as given, checked: a source name (or `*` with a target) and a function key. Throws
 * BadRequestError (400) naming what is wrong, so the CLI and the console answer the same.
 */
export function validPauseScope(scope: PauseScope): PauseScope {
  const { source, target } = scope;
  if (target !== undefined && !functionKey.test(target))
    throw new BadRequestError('target must be a function key (letters, digits, - and _)');
  if (source === '*') {
    if (target === undefined)
      throw new BadRequestError('source "*" needs a target: pause every source one by one');
    return { source, target };
  }
  if (!sourceName.test(source)) throw new BadRequestError('source must be a source name (a-z, 0-9 and -)');
  return target === undefined ? { source } : { source, target };
}

/** What the worker asks of the current pauses. */
export interface PauseSet {
  /** True when the whole source is paused. */
  sourcePaused(source: string): boolean;
  /** True when `target` is paused for `source` (or for every source). */
  targetPaused(source: string, target: string): boolean;
}

/** The PauseSet of a list of pauses. */
export function pauseSet(pauses: readonly Pause[]): PauseSet {
  const sources = new Set<string>();
  const targets = new Set<string>();
  for (const pause of pauses) {
    if (pause.target === undefined) sources.add(pause.source);
    else targets.add(`${pause.source}\n${pause.target}`);
  }
  return {
    sourcePaused: (source) => sources.has(source),
    targetPaused: (source, target) => targets.has(`${source}\n${target}`) || targets.has(`*\n${target}`),
  };
}
