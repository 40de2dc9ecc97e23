/**
 * serverless/function-roles.js: a function role is declared by its own statements; the trust, its own
 * log group and X-Ray are added in one place. The expanded role is what the template gates check.
 */
import { logGroupViolations, roleViolations, statementViolations } from '../../../scripts/lib/template-rules';
import type { Template } from '../../../scripts/lib/template-rules';

/* eslint-disable @typescript-eslint/no-require-imports */
const roles = require('../../../serverless/function-roles.js') as {
  expandFunctionRoles: (fragment: unknown, names: { service: string; stage: string }) => Template;
  withFunctionRoles: Record<string, unknown>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

const names = { service: 'intake', stage: 'dev' };
const ownStatement = {
  Sid: 'ReadOne',
  Effect: 'Allow',
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::b/k',
};
const declaration = (properties: Record<string, unknown>, attributes: Record<string, unknown> = {}) => ({
  Resources: { HealthRole: { Type: 'intake::FunctionRole', ...attributes, Properties: properties } },
});

describe('serverless/function-roles.js', () => {
  it('expands a declaration into a Lambda role whose one policy starts with its own log group and X-Ray', () => {
    const fragment = declaration({ Function: 'health', Description: 'probes', Statements: [ownStatement] });

    expect(roles.expandFunctionRoles(fragment, names).Resources.HealthRole).toEqual({
      Type: 'AWS::IAM::Role',
      Properties: {
        Description: 'probes',
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        },
        Policies: [
          {
            PolicyName: 'health',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'OwnLogGroupOnly',
                  Effect: 'Allow',
                  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                  Resource: {
                    'Fn::Sub':
                      'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/intake-dev-health:*',
                  },
                },
                {
                  Sid: 'XRayHasNoResourceLevelPermissions',
                  Effect: 'Allow',
                  Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
                  Resource: '*',
                },
                ownStatement,
              ],
            },
          },
        ],
      },
    });
  });

  it('passes other resources and the role attributes (Condition, DependsOn) through unchanged', () => {
    const queue = { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'q' } };
    const fragment = {
      Conditions: { On: { 'Fn::Equals': ['a', 'a'] } },
      Resources: {
        ...declaration({ Function: 'health', Statements: [] }, { Condition: 'On', DependsOn: ['Queue'] })
          .Resources,
        Queue: queue,
      },
    };
    const expanded = roles.expandFunctionRoles(fragment, names);

    expect(expanded.Conditions).toEqual(fragment.Conditions);
    expect(expanded.Resources.Queue).toBe(queue);
    expect(expanded.Resources.HealthRole).toMatchObject({ Condition: 'On', DependsOn: ['Queue'] });
    expect(expanded.Resources.HealthRole!.Properties).not.toHaveProperty('Description');
  });

  it.each([
    ['no function key', { Statements: [] }, /Properties.Function must be the function's key/],
    ['no statement list', { Function: 'health' }, /Properties.Statements must list/],
    [
      'an unknown property',
      { Function: 'health', Statements: [], Policies: [] },
      /unknown properties Policies/,
    ],
  ])('refuses a declaration with %s, naming the role', (_what, properties, message) => {
    const expand = () => roles.expandFunctionRoles(declaration(properties), names);
    expect(expand).toThrow(message);
    expect(expand).toThrow(/HealthRole \(intake::FunctionRole\)/);
  });

  it('gives the template gates a role they accept, and one they still refuse with a wildcard', () => {
    const template = (statements: unknown[]): Template => ({
      Resources: {
        ...roles.expandFunctionRoles(declaration({ Function: 'health', Statements: statements }), names)
          .Resources,
        HealthLambdaFunction: {
          Type: 'AWS::Lambda::Function',
          Properties: { FunctionName: 'intake-dev-health', Role: { 'Fn::GetAtt': ['HealthRole', 'Arn'] } },
        },
      },
    });
    const violations = (t: Template) => [
      ...roleViolations(t),
      ...statementViolations(t),
      ...logGroupViolations(t),
    ];

    expect(violations(template([ownStatement]))).toEqual([]);
    expect(violations(template([{ ...ownStatement, Action: 's3:*' }])).join('\n')).toMatch(/s3:\*/);
    expect(violations(template([{ ...ownStatement, Resource: '*' }])).join('\n')).toMatch(/Resource '\*'/);
  });

  it('withFunctionRoles.<file> resolves serverless/<file>.yml and expands its roles for the service and stage', async () => {
    const asked: string[] = [];
    const values: Record<string, unknown> = {
      'file(./serverless/iam.yml)': declaration({ Function: 'health', Statements: [] }),
      'self:service': 'intake',
      'sls:stage': 'prod',
    };
    const resolveVariable = async (name: string) => (asked.push(name), values[name]);
    const resolve = roles.withFunctionRoles.iam as (io: {
      resolveVariable: typeof resolveVariable;
    }) => Promise<Template>;

    const fragment = await resolve({ resolveVariable });
    expect(asked[0]).toBe('file(./serverless/iam.yml)');
    expect(JSON.stringify(fragment.Resources.HealthRole)).toContain('/aws/lambda/intake-prod-health:*');
  });

  it('reads only fragment names through withFunctionRoles (osls awaits what it reads: no `then`)', () => {
    expect(typeof roles.withFunctionRoles.iam).toBe('function');
    expect(roles.withFunctionRoles.then).toBeUndefined();
    expect(roles.withFunctionRoles['../etc']).toBeUndefined();
    expect((roles.withFunctionRoles as Record<symbol, unknown>)[Symbol.iterator]).toBeUndefined();
  });
});
