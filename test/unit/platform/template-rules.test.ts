import {
  logGroupViolations,
  roleViolations,
  statementViolations,
  templateViolations,
  visibilityViolations,
} from '../../../scripts/lib/template-rules';
import type { Template } from '../../../scripts/lib/template-rules';

const logStatement = (functionName: string) => ({
  Effect: 'Allow',
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Resource: {
    'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${functionName}:*`,
  },
});
const xrayStatement = {
  Effect: 'Allow',
  Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
  Resource: '*',
};

const role = (...statements: object[]) => ({
  Type: 'AWS::IAM::Role',
  Properties: { Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: statements } }] },
});
const fn = (name: string, roleId: string, timeout = 30) => ({
  Type: 'AWS::Lambda::Function',
  Properties: { FunctionName: name, Role: { 'Fn::GetAtt': [roleId, 'Arn'] }, Timeout: timeout },
});

function wellFormedTemplate(): Template {
  return {
    Resources: {
      ConsumerRole: role(logStatement('intake-dev-consumer'), xrayStatement, {
        Effect: 'Allow',
        Action: 'sqs:ReceiveMessage',
        Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] },
      }),
      ConsumerLambdaFunction: fn('intake-dev-consumer', 'ConsumerRole', 30),
      Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 180 } },
      Mapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] },
          FunctionName: { 'Fn::GetAtt': ['ConsumerLambdaFunction', 'Arn'] },
        },
      },
    },
  };
}

describe('packaged template rules', () => {
  it('accepts one least-privilege role per function and a 6x visibility timeout', () => {
    expect(templateViolations(wellFormedTemplate())).toEqual([]);
  });

  it('rejects the framework shared role and two functions sharing one role', () => {
    const template = wellFormedTemplate();
    template.Resources.IamRoleLambdaExecution = role();
    template.Resources.OtherLambdaFunction = fn('intake-dev-other', 'ConsumerRole');
    template.Resources.OrphanLambdaFunction = {
      Type: 'AWS::Lambda::Function',
      Properties: { Role: 'arn:x' },
    };

    const violations = roleViolations(template);

    expect(violations).toHaveLength(3);
    expect(violations.join('\n')).toMatch(/IamRoleLambdaExecution exists/);
    expect(violations.join('\n')).toMatch(/share ConsumerRole/);
    expect(violations.join('\n')).toMatch(/OrphanLambdaFunction: Role is not a role declared/);
  });

  it("rejects wildcard actions and Resource '*' outside X-Ray", () => {
    const template = wellFormedTemplate();
    template.Resources.ConsumerRole = role(
      { Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::b/*' },
      { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: '*' },
      { Effect: 'Deny', Action: '*', Resource: '*' },
      xrayStatement,
    );

    expect(statementViolations(template)).toEqual([
      'ConsumerRole: wildcard action s3:Get*',
      "ConsumerRole: Resource '*' for sqs:SendMessage",
    ]);
  });

  it('looks into both branches of a conditional statement (Fn::If)', () => {
    const template = wellFormedTemplate();
    template.Resources.ConsumerRole = role(logStatement('intake-dev-consumer'), {
      'Fn::If': ['UseKmsKey', { Effect: 'Allow', Action: 'kms:*', Resource: '*' }, { Ref: 'AWS::NoValue' }],
    });

    expect(statementViolations(template)).toEqual([
      'ConsumerRole: wildcard action kms:*',
      "ConsumerRole: Resource '*' for kms:*",
    ]);
  });

  it("rejects log permissions on another function's log group or on all of them", () => {
    const template = wellFormedTemplate();
    template.Resources.ConsumerRole = role(logStatement('intake-dev-other'), {
      Effect: 'Allow',
      Action: 'logs:PutLogEvents',
      Resource: 'arn:aws:logs:us-east-1:1:log-group:/aws/lambda/intake-dev*:*',
    });

    expect(logGroupViolations(template)).toHaveLength(2);
  });

  it('rejects a queue whose visibility is under 6x its consumer timeout plus the batching window', () => {
    const template = wellFormedTemplate();
    const mapping = template.Resources.Mapping!;
    mapping.Properties = { ...mapping.Properties, MaximumBatchingWindowInSeconds: 5 };

    expect(visibilityViolations(template)).toEqual([
      'Mapping: Queue visibility 180s < 6 x ConsumerLambdaFunction timeout 30s + window 5s = 185s',
    ]);
  });

  it('uses the AWS defaults (visibility 30 s, timeout 3 s) when the template omits them', () => {
    const template = wellFormedTemplate();
    template.Resources.Queue = { Type: 'AWS::SQS::Queue' };
    template.Resources.ConsumerLambdaFunction!.Properties!.Timeout = undefined;

    expect(visibilityViolations(template)).toEqual([]);
  });
});
