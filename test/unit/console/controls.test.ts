import { controlsView, pauseScope, resumeScope } from '../../../src/console/api/controls';
import { memoryControls } from './fakes';

const targets = [{ name: 'webhook-sample-downstream', maxConcurrency: null }];

describe('console controls', () => {
  it('pauses a source for the caller, shows it, and resumes it', async () => {
    const deps = { controls: memoryControls(), targets };
    expect(await controlsView(deps)).toEqual({ pauses: [], targets });
    const paused = await pauseScope(deps, { source: 'github', reason: 'provider incident' }, 'operator');
    expect(paused.pauses).toEqual([
      { source: 'github', pausedAt: expect.any(String), pausedBy: 'operator', reason: 'provider incident' },
    ]);
    expect((await resumeScope(deps, { source: 'github' })).pauses).toEqual([]);
  });

  it('pauses and resumes a routed target of every source', async () => {
    const deps = { controls: memoryControls(), targets };
    const scope = { source: '*', target: 'webhook-sample-downstream' };
    expect((await pauseScope(deps, scope, 'operator')).pauses).toEqual([
      { ...scope, pausedAt: expect.any(String), pausedBy: 'operator' },
    ]);
    expect((await resumeScope(deps, scope)).pauses).toEqual([]);
  });

  it('refuses (400) a target no route names and every source without a target, pausing nothing', async () => {
    const deps = { controls: memoryControls(), targets };
    await expect(pauseScope(deps, { source: 'github', target: 'typo' }, 'operator')).rejects.toMatchObject({
      statusCode: 400,
      message: 'No route targets "typo"',
    });
    await expect(pauseScope(deps, { source: '*' }, 'operator')).rejects.toMatchObject({ statusCode: 400 });
    await expect(resumeScope(deps, { source: 'github', target: 'typo' })).rejects.toMatchObject({
      statusCode: 400,
    });
    expect((await controlsView(deps)).pauses).toEqual([]);
  });
});
