import type { IntrinsicContext, LocalResourceValues } from '../../../plugins/local-stack/intrinsics';
import {
  evaluateCondition,
  isIntrinsic,
  resolveIntrinsics,
  resolveString,
  UnresolvedIntrinsicError,
} from '../../../plugins/local-stack/intrinsics';

const context: IntrinsicContext = {
  region: 'us-east-1',
  accountId: '000000000000',
  stackName: 'intake-local',
  resources: new Map<string, LocalResourceValues>([
    [
      'Queue',
      {
        ref: 'http://localhost/q',
        attributes: { Arn: 'arn:aws:sqs:us-east-1:000000000000:q', QueueName: 'q' },
      },
    ],
    ['Bucket', { ref: 'docs', attributes: { Arn: 'arn:aws:s3:::docs' } }],
  ]),
  conditions: {
    IsLocal: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
    IsProd: { 'Fn::Equals': ['local', 'prod'] },
    NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
    Both: { 'Fn::And': [{ Condition: 'IsLocal' }, { Condition: 'NotProd' }] },
    Either: { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'IsLocal' }] },
    Broken: { 'Fn::Whatever': [] },
  },
};

describe('resolveIntrinsics', () => {
  it.each([
    [{ Ref: 'Bucket' }, 'docs'],
    [{ Ref: 'Queue' }, 'http://localhost/q'],
    [{ Ref: 'AWS::Region' }, 'us-east-1'],
    [{ Ref: 'AWS::AccountId' }, '000000000000'],
    [{ Ref: 'AWS::StackName' }, 'intake-local'],
    [{ Ref: 'AWS::Partition' }, 'aws'],
    [{ 'Fn::GetAtt': ['Queue', 'Arn'] }, 'arn:aws:sqs:us-east-1:000000000000:q'],
    [{ 'Fn::GetAtt': 'Queue.QueueName' }, 'q'],
    [{ 'Fn::Join': ['/', ['a', { Ref: 'Bucket' }]] }, 'a/docs'],
    [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/*' }, 'arn:aws:s3:::docs/*'],
    [{ 'Fn::Sub': '${Queue.Arn}' }, 'arn:aws:sqs:us-east-1:000000000000:q'],
    [{ 'Fn::Sub': ['${Name}-${AWS::Region}', { Name: { Ref: 'Bucket' } }] }, 'docs-us-east-1'],
    [{ 'Fn::Sub': 'keep ${!Literal}' }, 'keep ${Literal}'],
    [{ 'Fn::Split': [',', 'a,b'] }, ['a', 'b']],
    [{ 'Fn::Select': [1, ['a', 'b']] }, 'b'],
    [{ 'Fn::If': ['IsLocal', 'yes', 'no'] }, 'yes'],
    [{ 'Fn::If': ['IsProd', 'yes', { Ref: 'Bucket' }] }, 'docs'],
  ])('resolves %j to %j', (expression, expected) => {
    expect(resolveIntrinsics(expression, context)).toEqual(expected);
  });

  it('resolves nested objects and flattens a list item that resolves to a list', () => {
    expect(
      resolveIntrinsics(
        { Rules: [{ Origins: [{ 'Fn::Split': [',', 'a,b'] }, 'c'], Bucket: { Ref: 'Bucket' } }] },
        context,
      ),
    ).toEqual({ Rules: [{ Origins: ['a', 'b', 'c'], Bucket: 'docs' }] });
  });

  it('leaves plain values and multi-key objects alone', () => {
    expect(resolveIntrinsics({ Ref: 'Bucket', Other: 1 }, context)).toEqual({ Ref: 'Bucket', Other: 1 });
    expect(resolveIntrinsics(null, context)).toBeNull();
    expect(resolveIntrinsics(7, context)).toBe(7);
  });

  it.each([
    { Ref: 'Nope' },
    { 'Fn::GetAtt': ['Queue', 'Nope'] },
    { 'Fn::Sub': '${Missing}' },
    { 'Fn::If': ['Nope', 1, 2] },
  ])('names what it cannot resolve: %j', (expression) => {
    expect(() => resolveIntrinsics(expression, context)).toThrow(UnresolvedIntrinsicError);
  });

  it('resolveString stringifies the result', () => {
    expect(resolveString({ Ref: 'Bucket' }, context)).toBe('docs');
    expect(resolveString('plain', context)).toBe('plain');
  });

  it('isIntrinsic recognises only single-key intrinsic objects', () => {
    expect(isIntrinsic({ Ref: 'X' })).toBe(true);
    expect(isIntrinsic({ Ref: 'X', y: 1 })).toBe(false);
    expect(isIntrinsic(['Ref'])).toBe(false);
    expect(isIntrinsic('Ref')).toBe(false);
  });
});

describe('evaluateCondition', () => {
  it.each([
    ['IsLocal', true],
    ['IsProd', false],
    ['NotProd', true],
    ['Both', true],
    ['Either', true],
  ])('%s is %s', (name, expected) => {
    expect(evaluateCondition(name, context)).toBe(expected);
  });

  it('refuses unknown conditions and operators', () => {
    expect(() => evaluateCondition('Missing', context)).toThrow(UnresolvedIntrinsicError);
    expect(() => evaluateCondition('Broken', context)).toThrow(UnresolvedIntrinsicError);
    expect(() => evaluateCondition('IsLocal', { ...context, conditions: undefined })).toThrow(
      UnresolvedIntrinsicError,
    );
  });
});
