import { LocalStackStartError, pauseMappings } from '../../../plugins/local-stack/local-stack';
import type { SqsMapping } from '../../../plugins/local-stack/sqs-event-source';

const mapping = (functionKey: string): SqsMapping => ({
  functionKey,
  functionName: `intake-local-${functionKey}`,
  queueArn: `arn:aws:sqs:us-east-1:000000000000:${functionKey}`,
  queueUrl: `http://127.0.0.1:9324/000000000000/${functionKey}`,
  batchSize: 10,
  maximumBatchingWindowSeconds: 0,
  reportBatchItemFailures: true,
  enabled: true,
});

const log = { info: jest.fn(), warning: jest.fn(), error: jest.fn() };

describe('pauseMappings', () => {
  it('disables the named mappings, as enabled: false does, and leaves the others polling', () => {
    const mappings = pauseMappings(
      [mapping('webhook-process'), mapping('document-process')],
      ['webhook-process'],
      log,
    );
    expect(mappings.map(({ functionKey, enabled }) => [functionKey, enabled])).toEqual([
      ['webhook-process', false],
      ['document-process', true],
    ]);
    expect(log.info).toHaveBeenCalledWith(expect.stringContaining('webhook-process: SQS mapping paused'));
  });

  it('changes nothing when no mapping is paused', () => {
    const mappings = [mapping('webhook-process')];
    expect(pauseMappings(mappings, [], log)).toEqual(mappings);
  });

  it('refuses a function key with no sqs event, naming those that have one', () => {
    expect(() => pauseMappings([mapping('webhook-process')], ['webhook-proces'], log)).toThrow(
      LocalStackStartError,
    );
    expect(() => pauseMappings([mapping('webhook-process')], ['webhook-proces'], log)).toThrow(
      'INTAKE_PAUSED_SQS_MAPPINGS names webhook-proces, which has no sqs event here (functions with one: webhook-process)',
    );
    expect(() => pauseMappings([], ['x'], log)).toThrow('(functions with one: none)');
  });
});
