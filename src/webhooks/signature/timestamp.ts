import { defaultToleranceSeconds } from './types';

const unixSeconds = /^\d{1,12}$/;

/** Parses a Unix timestamp in whole seconds; undefined when it is not one (e.g. `1e9`, `-5`, `12.5`). */
export function parseUnixSeconds(text: string | undefined): number | undefined {
  return text !== undefined && unixSeconds.test(text) ? Number(text) : undefined;
}

/**
 * True when `timestampSeconds` is within ±tolerance of `nowMs` (both ends inclusive): a replayed old
 * delivery and one signed "in the future" by a skewed or forged clock are both refused.
 */
export function isWithinTolerance(
  timestampSeconds: number,
  nowMs: number,
  toleranceSeconds = defaultToleranceSeconds,
): boolean {
  return Math.abs(nowMs / 1000 - timestampSeconds) <= toleranceSeconds;
}
