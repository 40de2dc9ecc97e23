/**
 * serverless/webhook-routes.js: the functions webhook-process routes to are listed once, in
 * src/webhooks/webhook-routes.json; its invoke permission and the health function's DryRun list follow.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const routed = require('../../../serverless/webhook-routes.js') as {
  routedFunctionKeys: (document: unknown) => string[];
  lambdaLogicalId: (key: string) => string;
  routedFunctionNames: (io: { resolveVariable: (name: string) => Promise<string> }) => Promise<string>;
  routedFunctionArns: () => Promise<unknown[]>;
  routedFunctionArnsByName: (io: {
    resolveVariable: (name: string) => Promise<string>;
  }) => Promise<unknown[]>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

const resolveVariable = async (name: string) => ({ 'self:service': 'intake', 'sls:stage': 'dev' })[name]!;

describe('serverless/webhook-routes.js', () => {
  it('lists each routed function once, in order', () => {
    const document = {
      routes: [
        { source: 'github', type: '*', function: 'billing' },
        { source: '*', type: '*', function: 'audit_log' },
        { source: 'stripe', type: '*', function: 'billing' },
      ],
    };
    expect(routed.routedFunctionKeys(document)).toEqual(['billing', 'audit_log']);
    expect(routed.routedFunctionKeys({})).toEqual([]);
  });

  it('refuses a route whose function is not a function key', () => {
    expect(() => routed.routedFunctionKeys({ routes: [{ function: 'a b' }] })).toThrow(
      /"a b" is not a function key/,
    );
    expect(() => routed.routedFunctionKeys({ routes: [{}] })).toThrow(/undefined is not a function key/);
  });

  it("names the framework's logical id of a function", () => {
    expect(routed.lambdaLogicalId('webhook-sample-downstream')).toBe(
      'WebhookDashsampleDashdownstreamLambdaFunction',
    );
    expect(routed.lambdaLogicalId('audit_log')).toBe('AuditUnderscorelogLambdaFunction');
  });

  it('gives health and webhook-process the functions of src/webhooks/webhook-routes.json', async () => {
    expect(await routed.routedFunctionNames({ resolveVariable })).toBe(
      'intake-dev-webhook-sample-downstream',
    );
    expect(await routed.routedFunctionArns()).toEqual([
      { 'Fn::GetAtt': ['WebhookDashsampleDashdownstreamLambdaFunction', 'Arn'] },
    ]);
    expect(await routed.routedFunctionArnsByName({ resolveVariable })).toEqual([
      {
        'Fn::Sub':
          'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:intake-dev-webhook-sample-downstream',
      },
    ]);
  });
});
