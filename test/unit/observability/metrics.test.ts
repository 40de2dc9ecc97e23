import { logger } from '../../../src/observability/logger';
import { metrics, metricsDiagnostics } from '../../../src/observability/metrics';

describe('metrics', () => {
  afterEach(() => jest.restoreAllMocks());

  it("routes Powertools' own warnings to the logger at DEBUG instead of stderr", () => {
    const debug = jest.spyOn(logger, 'debug').mockImplementation(() => undefined);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    metrics.publishStoredMetrics(); // nothing recorded: Powertools warns "No application metrics to publish"
    expect(debug).toHaveBeenCalledWith(expect.stringContaining('No application metrics'), { args: [] });
    expect(warn).not.toHaveBeenCalled();
  });

  it('keeps errors at ERROR and everything else at DEBUG', () => {
    const debug = jest.spyOn(logger, 'debug').mockImplementation(() => undefined);
    const error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    metricsDiagnostics.trace('t', 1);
    metricsDiagnostics.debug('d');
    metricsDiagnostics.info('i');
    metricsDiagnostics.error('e', 2);
    expect(debug.mock.calls).toEqual([
      ['t', { args: [1] }],
      ['d', { args: [] }],
      ['i', { args: [] }],
    ]);
    expect(error).toHaveBeenCalledWith('e', { args: [2] });
  });
});
