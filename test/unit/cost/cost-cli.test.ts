/**
 * `npm run cost`: the estimate line by line, argument errors (one clear line, exit 2), and `--actual`, which
 * reads Cost Explorer. Cost Explorer has no emulator: these tests mock its client (aws-sdk-client-mock), for
 * paging (NextPageToken) and for its errors.
 */
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import {
  actualCost,
  ActualCostError,
  costExplorerClient,
  costPeriods,
  stackTagFilter,
} from '../../../scripts/lib/actual-cost';
import { runCost } from '../../../scripts/lib/cost-cli';

const costExplorer = mockClient(CostExplorerClient);
beforeEach(() => costExplorer.reset());

async function run(argv: string[], write?: () => Promise<string[]>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCost(argv, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    costExplorer: () => new CostExplorerClient({ region: 'us-east-1' }),
    now: () => new Date('2026-12-06T10:00:00Z'),
    ...(write ? { write } : {}),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const group = (service: string, region: string, amount: string) => ({
  Keys: [service, region],
  Metrics: { UnblendedCost: { Amount: amount, Unit: 'USD' } },
});

describe('npm run cost', () => {
  it('prints the estimate line by line with its total', async () => {
    const { code, out } = await run(['--webhooks', '1000000', '--documents', '100000', '--document-mb', '1']);
    expect(code).toBe(0);
    expect(out).toContain('Estimate for 1,000,000 webhooks and 100,000 documents of 1 MB a month');
    expect(out).toMatch(/^API Gateway +HTTP API requests +1,200,000 +request +\$0\.000001 +\$1\.20$/m);
    expect(out).toMatch(/^Lambda +document-process compute \(1024 MB\) /m);
    expect(out).toMatch(/^total +\$\d+\.\d\d$/m);
  });

  it('prints JSON with --json', async () => {
    const { out } = await run(['--webhooks', '10', '--documents', '0', '--json']);
    expect(JSON.parse(out)).toMatchObject({
      traffic: { webhooks: 10, documents: 0, documentMb: 1 },
      estimate: { region: 'us-east-1' },
    });
  });

  it.each([
    [['--webhooks', 'abc'], 'cost: --webhooks takes a number of at least 0, not "abc"'],
    [['--documents=-1'], 'cost: --documents takes a number of at least 0, not "-1"'],
    [['--document-mb', ''], 'cost: --document-mb takes a number of at least 0, not ""'],
    [['--hooks', '5'], "cost: Unknown option '--hooks'"],
    [['--actual'], 'cost: --actual needs --stage <stage>'],
    [['--stage', 'prod'], 'cost: --stage is for --actual'],
  ])('refuses %j with a clear message and exit code 2', async (argv, message) => {
    const { code, err, out } = await run(argv);
    expect(code).toBe(2);
    expect(err).toContain(message);
    expect(err).toContain('usage: npm run cost');
    expect(out).toBe('');
  });

  it('prints its usage with --help', async () => {
    expect(await run(['--help'])).toMatchObject({
      code: 0,
      out: expect.stringContaining('usage: npm run cost'),
    });
  });

  it('--write writes the generated files and names them', async () => {
    const write = jest.fn(async () => ['/a/profile.json', '/a/cost.md']);
    expect(await run(['--write'], write)).toMatchObject({
      code: 0,
      out: 'wrote /a/profile.json\nwrote /a/cost.md',
    });
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('--actual prints month-to-date and last month by service and region beside the estimate', async () => {
    costExplorer
      .on(GetCostAndUsageCommand, { TimePeriod: { Start: '2026-12-01', End: '2026-12-06' } })
      .resolves({
        ResultsByTime: [
          {
            Groups: [
              group('AWS Lambda', 'us-east-1', '1.5'),
              group('Amazon Simple Storage Service', 'us-east-1', '3.25'),
            ],
          },
        ],
      });
    costExplorer
      .on(GetCostAndUsageCommand, { TimePeriod: { Start: '2026-11-01', End: '2026-12-01' } })
      .resolves({
        ResultsByTime: [{ Groups: [group('AWS Lambda', 'us-east-1', '9')] }],
      });
    const { code, out } = await run(['--actual', '--stage', 'prod']);
    expect(code).toBe(0);
    expect(out).toContain(
      'Actual cost of intake stage prod (Cost Explorer, resources tagged service=intake, stage=prod)',
    );
    expect(out).toContain('month to date: 2026-12-01 to 2026-12-06 (end excluded)');
    expect(out).toMatch(
      /^Amazon Simple Storage Service +us-east-1 +\$3\.25\n^AWS Lambda +us-east-1 +\$1\.50\n^total +\$4\.75$/m,
    );
    expect(out).toMatch(
      /last month: 2026-11-01 to 2026-12-01 \(end excluded\)\n.*\nAWS Lambda +us-east-1 +\$9\.00\ntotal +\$9\.00/,
    );
    const calls = costExplorer.commandCalls(GetCostAndUsageCommand).map((call) => call.args[0].input);
    expect(calls[0]).toMatchObject({
      Granularity: 'MONTHLY',
      Metrics: ['UnblendedCost'],
      GroupBy: [
        { Type: 'DIMENSION', Key: 'SERVICE' },
        { Type: 'DIMENSION', Key: 'REGION' },
      ],
      Filter: stackTagFilter('intake', 'prod'),
    });
  });

  it('--actual --json carries the estimate and both periods', async () => {
    costExplorer.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [] });
    const { out } = await run(['--actual', '--stage', 'dev', '--json']);
    expect(JSON.parse(out)).toMatchObject({
      actual: {
        stage: 'dev',
        monthToDate: { totalUsd: 0 },
        lastMonth: { totalUsd: 0, period: { start: '2026-11-01' } },
      },
    });
  });

  it('--actual exits 1 naming the permission when Cost Explorer refuses', async () => {
    costExplorer
      .on(GetCostAndUsageCommand)
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    const { code, err } = await run(['--actual', '--stage', 'prod']);
    expect(code).toBe(1);
    expect(err).toBe(
      'cost: Cost Explorer GetCostAndUsage failed: AccessDeniedException: User is not authorized (the identity needs ce:GetCostAndUsage: docs/aws-setup.md#who-may-deploy)',
    );
  });
});

describe('actualCost (Cost Explorer)', () => {
  const client = () => new CostExplorerClient({ region: 'us-east-1' });
  const period = { start: '2026-11-01', end: '2026-12-01' };

  it('reads every page (NextPageToken) and sums each service and region across them', async () => {
    costExplorer
      .on(GetCostAndUsageCommand)
      .resolvesOnce({
        ResultsByTime: [{ Groups: [group('AWS Lambda', 'us-east-1', '1')] }],
        NextPageToken: 'p2',
      })
      .resolvesOnce({
        ResultsByTime: [
          { Groups: [group('AWS Lambda', 'us-east-1', '2'), group('Amazon DynamoDB', 'eu-west-1', '0.5')] },
        ],
        NextPageToken: 'p3',
      })
      .resolvesOnce({ ResultsByTime: [{ Groups: [{ Keys: [], Metrics: {} }] }, {}] });
    const cost = await actualCost(client(), period, stackTagFilter('intake', 'prod'));
    expect(cost).toEqual({
      period,
      rows: [
        { service: 'AWS Lambda', region: 'us-east-1', usd: 3 },
        { service: 'Amazon DynamoDB', region: 'eu-west-1', usd: 0.5 },
        { service: '?', region: '?', usd: 0 },
      ],
      totalUsd: 3.5,
    });
    expect(
      costExplorer.commandCalls(GetCostAndUsageCommand).map((call) => call.args[0].input.NextPageToken),
    ).toEqual([undefined, 'p2', 'p3']);
  });

  it('asks nothing for an empty period (month to date on the 1st)', async () => {
    const cost = await actualCost(
      client(),
      { start: '2026-12-01', end: '2026-12-01' },
      stackTagFilter('intake', 'prod'),
    );
    expect(cost).toEqual({ period: { start: '2026-12-01', end: '2026-12-01' }, rows: [], totalUsd: 0 });
    expect(costExplorer.commandCalls(GetCostAndUsageCommand)).toHaveLength(0);
  });

  it('explains its errors: no data yet, anything else as Cost Explorer says it', async () => {
    costExplorer
      .on(GetCostAndUsageCommand)
      .rejectsOnce(Object.assign(new Error('Data is not available'), { name: 'DataUnavailableException' }))
      .rejectsOnce('plain failure');
    await expect(actualCost(client(), period, {})).rejects.toThrow(
      /DataUnavailableException: Data is not available \(Cost Explorer has no data yet/,
    );
    const error = await actualCost(client(), period, {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ActualCostError);
    expect((error as Error).message).toBe('Cost Explorer GetCostAndUsage failed: Error: plain failure');
  });

  it('talks to Cost Explorer in us-east-1, its one endpoint', async () => {
    expect(await costExplorerClient().config.region()).toBe('us-east-1');
  });

  it('filters by both cost-allocation tags', () => {
    expect(stackTagFilter('intake', 'prod')).toEqual({
      And: [
        { Tags: { Key: 'service', Values: ['intake'], MatchOptions: ['EQUALS'] } },
        { Tags: { Key: 'stage', Values: ['prod'], MatchOptions: ['EQUALS'] } },
      ],
    });
  });

  it('periods: month to date ends today (excluded), last month is whole, across a year boundary too', () => {
    expect(costPeriods(new Date('2026-01-15T23:59:00Z'))).toEqual({
      monthToDate: { start: '2026-01-01', end: '2026-01-15' },
      lastMonth: { start: '2025-12-01', end: '2026-01-01' },
    });
  });
});
