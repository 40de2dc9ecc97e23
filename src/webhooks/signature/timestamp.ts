import { defaultToleranceSeconds } from './types';

const maxDigits = 12;
const zero = 0x30;

/**
 * Parses a Unix timestamp in whole seconds, 1 to 12 ASCII digits; undefined when it is not one (e.g.
 * `1e9`, `-5`, `12.5`, ` 1`). Read digit by digit: on every signed request, a pattern match and `Number`
 * cost several times this loop.
 */
export function parseUnixSeconds(text: string | undefined): number | undefined {
  if (text === undefined || text.length === 0 || text.length > maxDigits) return undefined;
  let seconds = 0;
  for (let index = 0; index < text.length; index++) {
    const digit = text.charCodeAt(index) - zero;
    if (digit < 0 || digit > 9) return undefined;
    seconds = seconds * 10 + digit;
  }
  return seconds;
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
