import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { middy } from '../../../src/middleware/middy';
import { publishMetrics } from '../../../src/middleware/publish-metrics';
import { lambdaContext } from './events';

/** A Metrics instance that prints EMF (the tests' environment disables it), and the lines it prints. */
function printingMetrics() {
  // As in Lambda: EMF printed (by the cold start's own single-metric instance too), and an on-demand
  // instance, whose first invocation is a cold start.
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
  const metrics = new Metrics({ namespace: 'intake-test', serviceName: 'intake-test', logger: console });
  const lines: Record<string, unknown>[] = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
    return true;
  });
  return { metrics, lines };
}

const metricNames = (line: Record<string, unknown>) =>
  (line._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0]!.Metrics.map(
    (metric) => metric.Name,
  );

describe('publishMetrics', () => {
  const saved = { ...process.env };
  afterEach(() => {
    jest.restoreAllMocks();
    process.env.POWERTOOLS_METRICS_DISABLED = saved.POWERTOOLS_METRICS_DISABLED;
    delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  });

  it("publishes the ColdStart metric on the first invocation, with the function's name, then never again", async () => {
    const { metrics, lines } = printingMetrics();
    const handler = middy(async () => 'ok').use(publishMetrics({ metrics }));
    await handler({}, lambdaContext({ functionName: 'intake-test-fn' }));
    await handler({}, lambdaContext({ functionName: 'intake-test-fn' }));
    expect(lines).toHaveLength(1);
    expect(metricNames(lines[0]!)).toEqual(['ColdStart']);
    expect(lines[0]).toMatchObject({ function_name: 'intake-test-fn', service: 'intake-test', ColdStart: 1 });
  });

  it('publishes what an invocation recorded as one EMF line, and clears it for the next', async () => {
    const { metrics, lines } = printingMetrics();
    metrics.captureColdStartMetric(); // spent: only the invocations' own metrics below
    lines.length = 0;
    const handler = middy(async () => {
      metrics.addMetric('WebhookAccepted', MetricUnit.Count, 1);
      metrics.addMetric('WebhookReceiveRequests', MetricUnit.Count, 1);
    }).use(publishMetrics({ metrics }));
    await handler({}, lambdaContext());
    await handler({}, lambdaContext());
    expect(lines.map(metricNames)).toEqual([
      ['WebhookAccepted', 'WebhookReceiveRequests'],
      ['WebhookAccepted', 'WebhookReceiveRequests'],
    ]);
    expect(lines[1]).toMatchObject({ WebhookAccepted: 1, service: 'intake-test' });
  });

  it('publishes what a failed invocation recorded before it threw', async () => {
    const { metrics, lines } = printingMetrics();
    metrics.captureColdStartMetric();
    lines.length = 0;
    const handler = middy(async () => {
      metrics.addMetric('WebhookReceive5xx', MetricUnit.Count, 1);
      throw new Error('boom');
    }).use(publishMetrics({ metrics }));
    await expect(handler({}, lambdaContext())).rejects.toThrow('boom');
    expect(lines.map(metricNames)).toEqual([['WebhookReceive5xx']]);
  });

  it('writes nothing at all, not even a warning, for an invocation that recorded nothing', async () => {
    const { metrics, lines } = printingMetrics();
    metrics.captureColdStartMetric();
    lines.length = 0;
    const warn = jest.spyOn(console, 'warn');
    const handler = middy(async () => 'ok').use(publishMetrics({ metrics }));
    await handler({}, { ...lambdaContext(), functionName: undefined } as unknown as Context);
    expect(lines).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
  });
});
