/*
 * What the webhook routes (src/webhooks/webhook-routes.json, the one place they are written) mean for the
 * stack: webhook-process may invoke each routed function and nothing else, and the health check probes
 * each of them. Resolved at packaging time (`${file(./serverless/webhook-routes.js):…}`).
 */
const { routes } = require('../src/webhooks/webhook-routes.json');

/** The function keys the routes name, once each, in the order they first appear. */
function routedFunctionKeys() {
  return [...new Set(routes.map((route) => route.function))];
}

/** The framework's logical id of a function key's AWS::Lambda::Function (its normalizeName rule). */
function lambdaLogicalId(functionKey) {
  const normalized = functionKey.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}LambdaFunction`;
}

module.exports = {
  routedFunctionKeys,
  lambdaLogicalId,
  /** `Resource` of webhook-process's lambda:InvokeFunction statement: one ARN per routed function. */
  routedFunctionArns: () =>
    routedFunctionKeys().map((key) => ({ 'Fn::GetAtt': [lambdaLogicalId(key), 'Arn'] })),
  /** HEALTH_LAMBDA_FUNCTIONS: the deployed names of the routed functions, comma-separated. */
  routedFunctionNames: async ({ resolveVariable }) => {
    const service = await resolveVariable('self:service');
    const stage = await resolveVariable('sls:stage');
    return routedFunctionKeys()
      .map((key) => `${service}-${stage}-${key}`)
      .join(',');
  },
};
