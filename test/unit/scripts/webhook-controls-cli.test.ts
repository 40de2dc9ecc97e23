import { pauseSet } from '../../../src/webhooks/controls/pause-scope';
import { runWebhooksCommand } from '../../../scripts/lib/webhook-controls-cli';
import { memoryControls } from '../console/fakes';

const targets = [
  { name: 'webhook-sample-downstream', maxConcurrency: 5 },
  { name: 'billing', maxConcurrency: null },
];

describe('npm run webhooks', () => {
  it('pauses a source, lists it, and resumes it', async () => {
    const controls = memoryControls();
    const run = (...argv: string[]) =>
      runWebhooksCommand(argv, { controls: () => controls, targets, by: 'cli:ops' });

    expect(await run('pauses')).toEqual({ lines: ['Nothing is paused.'], exitCode: 0 });
    const paused = await run('pause', '--source', 'github', '--reason', 'incident');
    expect(paused.exitCode).toBe(0);
    expect(paused.lines[0]).toMatch(
      /^Paused: source github +paused 2026-12-06T09:00:00.000Z by cli:ops \(incident\)\.$/,
    );
    expect(pauseSet(await controls.listPauses()).sourcePaused('github')).toBe(true);

    expect((await run('pauses')).lines).toEqual([expect.stringContaining('source github') as string]);
    expect(await run('resume', '--source', 'github')).toEqual({
      lines: ['Resumed source github.'],
      exitCode: 0,
    });
    expect(await run('resume', '--source', 'github')).toEqual({
      lines: ['source github was not paused.'],
      exitCode: 0,
    });
  });

  it('pauses one target for every source', async () => {
    const controls = memoryControls();
    const result = await runWebhooksCommand(['pause', '--source', '*', '--target', 'billing'], {
      controls: () => controls,
      targets,
      by: 'cli:ops',
    });
    expect(result.lines[0]).toContain('target billing for every source');
    expect(pauseSet(await controls.listPauses()).targetPaused('stripe', 'billing')).toBe(true);
  });

  it('lists the routed targets with their caps', async () => {
    const result = await runWebhooksCommand(['targets'], {
      controls: memoryControls,
      targets,
      by: 'cli:ops',
    });
    expect(result.lines).toEqual([
      expect.stringMatching(/^webhook-sample-downstream +at most 5 at once$/) as string,
      expect.stringMatching(/^billing +uncapped$/) as string,
    ]);
  });

  it.each([
    [[], 2],
    [['pause'], 2],
    [['launch'], 2],
    [['pauses', 'extra'], 2],
    [['pause', '--source'], 2],
    [['pause', '--source', 'Bad Name'], 1],
    [['pause', '--source', '*'], 1],
  ])('answers %j with a message and exit code %i, pausing nothing', async (argv, exitCode) => {
    const controls = memoryControls();
    const result = await runWebhooksCommand(argv, { controls: () => controls, targets, by: 'cli:ops' });
    expect(result.exitCode).toBe(exitCode);
    expect(result.lines.length).toBeGreaterThan(0);
    expect(await controls.listPauses()).toEqual([]);
  });

  it('prints the usage with --help', async () => {
    const result = await runWebhooksCommand(['--help'], { controls: memoryControls, targets, by: 'cli:ops' });
    expect(result).toEqual({
      lines: [expect.stringContaining('Usage: npm run webhooks') as string],
      exitCode: 0,
    });
  });
});
