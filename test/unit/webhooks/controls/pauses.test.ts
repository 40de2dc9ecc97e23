import { cachedPauses } from '../../../../src/webhooks/controls/cached-pauses';
import { pauseSet, validPauseScope } from '../../../../src/webhooks/controls/pause-scope';
import type { Pause } from '../../../../src/webhooks/controls/webhook-controls';

const pause = (source: string, target?: string): Pause => ({
  source,
  ...(target === undefined ? {} : { target }),
  pausedAt: '2026-12-06T10:00:00.000Z',
  pausedBy: 'ops',
});

describe('validPauseScope', () => {
  it('accepts a source, a source with a target, and * with a target', () => {
    expect(validPauseScope({ source: 'github' })).toEqual({ source: 'github' });
    expect(validPauseScope({ source: 'github', target: 'ci_builds-2' })).toEqual({
      source: 'github',
      target: 'ci_builds-2',
    });
    expect(validPauseScope({ source: '*', target: 'billing' })).toEqual({ source: '*', target: 'billing' });
  });

  it.each([
    [{ source: '*' }, 'source "*" needs a target'],
    [{ source: 'Git Hub' }, 'source must be a source name'],
    [{ source: '' }, 'source must be a source name'],
    [{ source: 'a'.repeat(65) }, 'source must be a source name'],
    [{ source: 'github', target: 'a/b' }, 'target must be a function key'],
  ])('refuses %j with a 400 saying why', (scope, message) => {
    expect(() => validPauseScope(scope)).toThrow(
      expect.objectContaining({ statusCode: 400, message: expect.stringContaining(message) as string }),
    );
  });
});

describe('pauseSet', () => {
  it('answers source pauses and target pauses, a * target pause holding every source', () => {
    const set = pauseSet([pause('github'), pause('stripe', 'billing'), pause('*', 'audit')]);
    expect(set.sourcePaused('github')).toBe(true);
    expect(set.sourcePaused('stripe')).toBe(false);
    expect(set.targetPaused('stripe', 'billing')).toBe(true);
    expect(set.targetPaused('github', 'billing')).toBe(false);
    expect(set.targetPaused('shopify', 'audit')).toBe(true);
    expect(set.targetPaused('shopify', 'billing')).toBe(false);
  });
});

describe('cachedPauses', () => {
  it('reads the pauses at most once per max age, concurrent callers sharing one read', async () => {
    let now = 0;
    const listPauses = jest.fn(async () => [pause('github')]);
    const current = cachedPauses({ listPauses }, { maxAgeMs: 5000, nowMs: () => now });
    const [a, b] = await Promise.all([current(), current()]);
    expect(a.sourcePaused('github')).toBe(true);
    expect(b).toBe(a);
    now = 4999;
    await current();
    expect(listPauses).toHaveBeenCalledTimes(1);
    listPauses.mockResolvedValueOnce([]);
    now = 5000;
    expect((await current()).sourcePaused('github')).toBe(false);
    expect(listPauses).toHaveBeenCalledTimes(2);
  });

  it('keeps the last pauses read in force when a refresh fails', async () => {
    let now = 0;
    const listPauses = jest.fn(async () => [pause('github')]);
    const current = cachedPauses({ listPauses }, { maxAgeMs: 1000, nowMs: () => now });
    await current();
    listPauses.mockRejectedValueOnce(new Error('throttled'));
    now = 2000;
    expect((await current()).sourcePaused('github')).toBe(true);
    // The failed refresh is tried again on the next call.
    listPauses.mockResolvedValueOnce([]);
    expect((await current()).sourcePaused('github')).toBe(false);
  });

  it('rejects, so the record is retried, when the pauses were never read', async () => {
    const failure = new Error('table unreachable');
    const current = cachedPauses({ listPauses: async () => Promise.reject(failure) }, { maxAgeMs: 1000 });
    await expect(current()).rejects.toBe(failure);
  });
});
