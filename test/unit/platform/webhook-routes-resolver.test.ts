/** serverless/webhook-routes.js: the routes document is the one place that names routed functions. */
/* eslint-disable @typescript-eslint/no-require-imports */
const resolver = require('../../../serverless/webhook-routes.js') as {
  routedFunctionKeys(): string[];
  lambdaLogicalId(key: string): string;
  routedFunctionArns(): unknown[];
  routedFunctionNames(input: { resolveVariable(name: string): Promise<string> }): Promise<string>;
};
import { routes } from '../../../src/webhooks/webhook-routes.json';

describe('webhook routes resolver (IAM and health derive from the routes document)', () => {
  it("names each routed function once, as the framework's logical id", () => {
    expect(resolver.routedFunctionKeys()).toEqual([...new Set(routes.map((route) => route.function))]);
    expect(resolver.lambdaLogicalId('webhook-sample-downstream')).toBe(
      'WebhookDashsampleDashdownstreamLambdaFunction',
    );
    expect(resolver.lambdaLogicalId('audit_log')).toBe('AuditUnderscorelogLambdaFunction');
    expect(resolver.routedFunctionArns()).toEqual(
      resolver.routedFunctionKeys().map((key) => ({ 'Fn::GetAtt': [resolver.lambdaLogicalId(key), 'Arn'] })),
    );
  });

  it('gives the health check the deployed names of the routed functions', async () => {
    const values: Record<string, string> = { 'self:service': 'intake', 'sls:stage': 'prod' };
    const names = await resolver.routedFunctionNames({ resolveVariable: async (name) => values[name]! });
    expect(names.split(',')).toEqual(resolver.routedFunctionKeys().map((key) => `intake-prod-${key}`));
  });
});
