import fc from 'fast-check';
import {
  InvalidBucketNotificationError,
  readBucketNotifications,
} from '../../../plugins/local-stack/bucket-notifications';
import type { IntrinsicContext } from '../../../plugins/local-stack/intrinsics';
import type { LocalLog } from '../../../plugins/local-stack/log';
import type { CfnResource } from '../../../plugins/local-stack/provision';
import { subscriptionMatches } from '../../../plugins/local-stack/s3-event';
import type { FunctionDefinition } from '../../../plugins/local-stack/service-model';
import { functionResourceValues } from '../../../plugins/local-stack/service-model';

const functions: Record<string, FunctionDefinition> = {
  'document-process': { name: 'svc-local-document-process' },
  other: { name: 'svc-local-other' },
};
const context: IntrinsicContext = {
  region: 'us-east-1',
  accountId: '000000000000',
  stackName: 'svc-local',
  conditions: { Never: { 'Fn::Equals': ['a', 'b'] } },
  resources: new Map([
    ['Docs', { ref: 'svc-local-docs', attributes: { Arn: 'arn:aws:s3:::svc-local-docs' } }],
    ['Skipped', { ref: 'svc-local-skipped', attributes: { Arn: 'arn:aws:s3:::svc-local-skipped' } }],
    ...functionResourceValues(functions, 'us-east-1', '000000000000'),
  ]),
};

const processUploads = {
  Event: 's3:ObjectCreated:*',
  Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'uploads/' }] } },
  Function: { 'Fn::GetAtt': ['DocumentDashprocessLambdaFunction', 'Arn'] },
};
const bucket = (...lambdaConfigurations: unknown[]): CfnResource => ({
  Type: 'AWS::S3::Bucket',
  Properties: { NotificationConfiguration: { LambdaConfigurations: lambdaConfigurations } },
});

function recordingLog() {
  const messages: string[] = [];
  const log: LocalLog = {
    info: (message) => messages.push(message),
    warning: (message) => messages.push(message),
    error: (message) => messages.push(message),
  };
  return { log, messages };
}

describe('readBucketNotifications', () => {
  it("reads a bucket's LambdaConfiguration as the subscription of the function it names", () => {
    const subscriptions = readBucketNotifications(
      { Docs: bucket(processUploads) },
      functions,
      context,
      recordingLog().log,
    );

    expect(subscriptions).toEqual([
      {
        functionKey: 'document-process',
        functionName: 'svc-local-document-process',
        bucket: 'svc-local-docs',
        events: ['s3:ObjectCreated:*'],
        configurationId: 'Docs-lambda-1',
        prefix: 'uploads/',
      },
    ]);
  });

  it('matches keys exactly as S3 filters them: case-sensitive prefix, created events only', () => {
    const [subscription] = readBucketNotifications(
      { Docs: bucket(processUploads) },
      functions,
      context,
      recordingLog().log,
    );
    const change = (key: string, eventName = 'ObjectCreated:Put') => ({
      eventName,
      bucket: 'svc-local-docs',
      key,
    });

    expect(subscriptionMatches(subscription!, change('uploads/alice/1/a b.pdf'))).toBe(true);
    expect(
      subscriptionMatches(subscription!, change('uploads/x', 'ObjectCreated:CompleteMultipartUpload')),
    ).toBe(true);
    // What the functions write, look-alikes and other events never trigger.
    for (const key of [
      'manifests/uploads/a',
      'Uploads/a',
      'uploads',
      'uploadsX/a',
      '/uploads/a',
      'quarantine/uploads/a',
    ])
      expect(subscriptionMatches(subscription!, change(key))).toBe(false);
    expect(subscriptionMatches(subscription!, change('uploads/a', 'ObjectRemoved:Delete'))).toBe(false);
    expect(subscriptionMatches({ ...subscription!, bucket: 'other' }, change('uploads/a'))).toBe(false);
  });

  it('delivers a generated key if and only if it starts with the prefix (property)', () => {
    const [subscription] = readBucketNotifications(
      { Docs: bucket(processUploads) },
      functions,
      context,
      recordingLog().log,
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.boolean(), (tail, underUploads) => {
        const key = underUploads ? `uploads/${tail}` : tail;
        const change = { eventName: 'ObjectCreated:Post', bucket: 'svc-local-docs', key };
        expect(subscriptionMatches(subscription!, change)).toBe(key.startsWith('uploads/'));
      }),
    );
  });

  it('keeps the configuration Id, accepts Prefix/Suffix in any case, and skips NoValue branches and false Conditions', () => {
    const resources: Record<string, CfnResource> = {
      Docs: bucket(
        {
          ...processUploads,
          Id: 'process-uploads',
          Filter: {
            S3Key: {
              Rules: [
                { Name: 'Prefix', Value: 'in/' },
                { Name: 'SUFFIX', Value: '.pdf' },
              ],
            },
          },
        },
        { 'Fn::If': ['Never', processUploads, { Ref: 'AWS::NoValue' }] },
      ),
      Skipped: { ...bucket(processUploads), Condition: 'Never' },
    };

    expect(readBucketNotifications(resources, functions, context, recordingLog().log)).toEqual([
      expect.objectContaining({ configurationId: 'process-uploads', prefix: 'in/', suffix: '.pdf' }),
    ]);
  });

  it('reports and skips a function that is not in this service, and queue or topic targets', () => {
    const { log, messages } = recordingLog();
    const resources = {
      Docs: {
        Type: 'AWS::S3::Bucket',
        Properties: {
          NotificationConfiguration: {
            LambdaConfigurations: [
              { ...processUploads, Function: 'arn:aws:lambda:us-east-1:999999999999:function:elsewhere' },
            ],
            QueueConfigurations: [{ Event: 's3:ObjectCreated:*', Queue: 'arn:aws:sqs:us-east-1:1:q' }],
          },
        },
      },
    };

    expect(readBucketNotifications(resources, functions, context, log)).toEqual([]);
    expect(messages.join('\n')).toMatch(/function:elsewhere is not a function of this service/);
    expect(messages.join('\n')).toMatch(/QueueConfigurations is not emulated locally/);
  });

  it.each([
    ['an unknown event type', { ...processUploads, Event: 'ObjectCreated' }, /is not an S3 event type/],
    [
      'a rule that is neither prefix nor suffix',
      { ...processUploads, Filter: { S3Key: { Rules: [{ Name: 'contains', Value: 'x' }] } } },
      /not prefix or suffix/,
    ],
    [
      'two prefix rules',
      {
        ...processUploads,
        Filter: {
          S3Key: {
            Rules: [
              { Name: 'prefix', Value: 'a/' },
              { Name: 'prefix', Value: 'b/' },
            ],
          },
        },
      },
      /more than one prefix rule/,
    ],
  ])('refuses, as S3 does at deploy time, %s', (_what, configuration, message) => {
    expect(() =>
      readBucketNotifications({ Docs: bucket(configuration) }, functions, context, recordingLog().log),
    ).toThrow(message);
  });

  it('refuses two configurations that could both match one upload (nested prefixes, shared event)', () => {
    const overlapping = {
      ...processUploads,
      Event: 's3:ObjectCreated:Put',
      Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'uploads/alice/' }] } },
      Function: { 'Fn::GetAtt': ['OtherLambdaFunction', 'Arn'] },
    };
    expect(() =>
      readBucketNotifications(
        { Docs: bucket(processUploads, overlapping) },
        functions,
        context,
        recordingLog().log,
      ),
    ).toThrow(InvalidBucketNotificationError);
    // Disjoint prefixes, or different event categories, may coexist.
    const disjoint = {
      ...overlapping,
      Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'imports/' }] } },
    };
    const removed = { ...overlapping, Event: 's3:ObjectRemoved:*' };
    expect(
      readBucketNotifications(
        { Docs: bucket(processUploads, disjoint, removed) },
        functions,
        context,
        recordingLog().log,
      ),
    ).toHaveLength(3);
  });
});
