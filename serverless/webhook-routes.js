/*
 * The functions webhook-process routes to, read from src/webhooks/webhook-routes.json (the one list), for
 * the places that must name them: webhook-process's invoke permission, and the health function's DryRun
 * invoke and HEALTH_LAMBDA_FUNCTIONS. A new downstream is one route in the JSON plus its function.
 */
const { configError } = require('./config-error');

/** The distinct function keys the routes name, in order of first appearance. */
function routedFunctionKeys(document) {
  const keys = (document?.routes ?? []).map((route) => route?.function);
  for (const key of keys)
    if (typeof key !== 'string' || !/^[A-Za-z0-9-_]+$/.test(key))
      throw configError(
        `src/webhooks/webhook-routes.json: route function ${JSON.stringify(key)} is not a function key`,
      );
  return [...new Set(keys)];
}

/** CloudFormation's logical id of function `key`, as the framework names it (`HealthLambdaFunction`). */
function lambdaLogicalId(key) {
  const normalized = key.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}LambdaFunction`;
}

async function deployedNames(resolveVariable) {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  return routedFunctionKeys(require('../src/webhooks/webhook-routes.json')).map(
    (key) => `${service}-${stage}-${key}`,
  );
}

/**
 * Each capped routed function's maxConcurrency (src/webhooks/webhook-routes.json `targets`), by function
 * key: its definition reads `reservedConcurrency: ${file(./serverless/webhook-routes.js):maxConcurrency.<key>, null}`
 * and scripts/check-template.ts checks that every cap reached its function.
 */
function maxConcurrencyByFunction(document) {
  const caps = {};
  for (const [key, target] of Object.entries(document?.targets ?? {})) caps[key] = target?.maxConcurrency;
  return caps;
}

module.exports = {
  routedFunctionKeys,
  maxConcurrencyByFunction,
  maxConcurrency: maxConcurrencyByFunction(require('../src/webhooks/webhook-routes.json')),
  lambdaLogicalId,
  /** HEALTH_LAMBDA_FUNCTIONS: the deployed names, comma-separated. */
  routedFunctionNames: async ({ resolveVariable }) => (await deployedNames(resolveVariable)).join(','),
  /** webhook-process's lambda:InvokeFunction resources: each routed function's ARN. */
  routedFunctionArns: async () =>
    routedFunctionKeys(require('../src/webhooks/webhook-routes.json')).map((key) => ({
      'Fn::GetAtt': [lambdaLogicalId(key), 'Arn'],
    })),
  /** The health role's DryRun invoke resources, by name (the health role must not depend on the functions). */
  routedFunctionArnsByName: async ({ resolveVariable }) =>
    (await deployedNames(resolveVariable)).map((name) => ({
      'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${name}`,
    })),
};
