/*
 * One IAM role per function, least privilege, with what every function role has written once here. A
 * resources fragment declares each role by what only its function may do:
 *
 *   HealthRole:
 *     Type: intake::FunctionRole
 *     Properties:
 *       Function: health            # the function key (serverless/*.yml sets `role: HealthRole`)
 *       Description: intake health function - …
 *       Statements: [ … ]           # its own statements, intrinsics and all
 *
 * and serverless.yml includes the fragment through `${file(./serverless/function-roles.js):withFunctionRoles.<file>}`
 * (serverless/<file>.yml), which expands each such declaration into the AWS::IAM::Role CloudFormation
 * gets: assumable by Lambda only, one inline policy named after the function whose statements are, in
 * this order,
 *   - logs:CreateLogStream + logs:PutLogEvents on the function's OWN log group only (the group itself is
 *     created by CloudFormation with its retention, so no logs:CreateLogGroup; the framework's shared
 *     `iam.role` would grant every function's group to every function);
 *   - xray:PutTraceSegments + xray:PutTelemetryRecords, which AWS only grants on Resource '*';
 *   - the declared statements.
 * Other resources of the fragment, and any other attribute of a role (Condition, DependsOn), pass through.
 */
const { configError } = require('./config-error');

const FUNCTION_ROLE_TYPE = 'intake::FunctionRole';
const POLICY_VERSION = '2012-10-17';

/** The statements every function role starts with, for function `functionName` (`intake-dev-health`). */
function commonStatements(functionName) {
  return [
    {
      Sid: 'OwnLogGroupOnly',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: {
        'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${functionName}:*`,
      },
    },
    {
      Sid: 'XRayHasNoResourceLevelPermissions',
      Effect: 'Allow',
      Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
      Resource: '*',
    },
  ];
}

/** The AWS::IAM::Role of one `intake::FunctionRole` declaration (`id` names it in errors). */
function functionRole(id, declaration, { service, stage }) {
  const { Properties: properties = {}, ...attributes } = declaration;
  const { Function: functionKey, Description: description, Statements: statements, ...unknown } = properties;
  const where = `${id} (${FUNCTION_ROLE_TYPE})`;
  if (typeof functionKey !== 'string' || !/^[A-Za-z0-9-_]+$/.test(functionKey))
    throw configError(`${where}: Properties.Function must be the function's key`);
  if (!Array.isArray(statements))
    throw configError(`${where}: Properties.Statements must list the function's own statements`);
  if (Object.keys(unknown).length > 0)
    throw configError(`${where}: unknown properties ${Object.keys(unknown).join(', ')}`);
  return {
    ...attributes, // Condition, DependsOn…; Type is replaced below
    Type: 'AWS::IAM::Role',
    Properties: {
      ...(description === undefined ? {} : { Description: description }),
      AssumeRolePolicyDocument: {
        Version: POLICY_VERSION,
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      },
      Policies: [
        {
          PolicyName: functionKey,
          PolicyDocument: {
            Version: POLICY_VERSION,
            Statement: [...commonStatements(`${service}-${stage}-${functionKey}`), ...statements],
          },
        },
      ],
    },
  };
}

/** `fragment` (a resources fragment) with every `intake::FunctionRole` expanded into its AWS::IAM::Role. */
function expandFunctionRoles(fragment, names) {
  const resources = fragment?.Resources ?? {};
  const expanded = Object.fromEntries(
    Object.entries(resources).map(([id, resource]) => [
      id,
      resource?.Type === FUNCTION_ROLE_TYPE ? functionRole(id, resource, names) : resource,
    ]),
  );
  return { ...fragment, Resources: expanded };
}

/** `withFunctionRoles.<file>`: serverless/<file>.yml, its function roles expanded. */
const withFunctionRoles = new Proxy(
  {},
  {
    get(_target, file) {
      // Only fragment names: `then` and symbols must stay undefined (osls awaits what it reads).
      if (typeof file !== 'string' || file === 'then' || !/^[a-z0-9-]+$/.test(file)) return undefined;
      return async ({ resolveVariable }) =>
        expandFunctionRoles(await resolveVariable(`file(./serverless/${file}.yml)`), {
          service: await resolveVariable('self:service'),
          stage: await resolveVariable('sls:stage'),
        });
    },
  },
);

module.exports = {
  FUNCTION_ROLE_TYPE,
  commonStatements,
  functionRole,
  expandFunctionRoles,
  withFunctionRoles,
};
