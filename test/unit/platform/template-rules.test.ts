import fc from 'fast-check';
import {
  activeResources,
  accessLogViolations,
  alarmStageViolations,
  authorizerViolations,
  conditionHolds,
  concurrencyViolations,
  failureQueueAlarmViolations,
  invokePermissionViolations,
  prefixWriterViolations,
  corsViolations,
  documentStorageViolations,
  missingKeyStatusViolations,
  logGroupViolations,
  malwareScanningViolations,
  roleViolations,
  routeViolations,
  secretViolations,
  statementViolations,
  templateViolations,
  throttlingViolations,
  visibilityViolations,
} from '../../../scripts/lib/template-rules';
import type { Template } from '../../../scripts/lib/template-rules';
import { addCostAllocationTags } from '../../../serverless/cost-allocation-tags';

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
  Properties: {
    FunctionName: name,
    Role: { 'Fn::GetAtt': [roleId, 'Arn'] },
    Timeout: timeout,
    Environment: {
      Variables: { POWERTOOLS_SERVICE_NAME: 'intake-dev', POWERTOOLS_METRICS_NAMESPACE: 'intake' },
    },
  },
});
const accessLogFormat = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
});
const queueAlarm = (queueId: string, threshold = 0) => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: {
    Namespace: 'AWS/SQS',
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
    Threshold: threshold,
    ComparisonOperator: 'GreaterThanThreshold',
  },
});

const route = (key: string, auth: Record<string, unknown> = {}) => ({
  Type: 'AWS::ApiGatewayV2::Route',
  Properties: { ApiId: { Ref: 'HttpApi' }, RouteKey: key, ...auth },
});
const jwt = (...scopes: string[]) => ({
  AuthorizationType: 'JWT',
  AuthorizerId: { Ref: 'HttpApiAuthorizerJwtAuthorizer' },
  AuthorizationScopes: scopes,
});
/** The routes serverless/*.yml declares `public: <why>` (what check-template reads from the package). */
const declaredPublic = { publicRoutes: ['GET /health', 'POST /webhooks/{source}', '$default'] };
const cognitoIssuer = { 'Fn::Sub': 'https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}' };

/** The HTTP API, its Cognito pool and the bucket as `sls package --stage dev` writes them (abridged). */
function apiResources(): Template['Resources'] {
  return {
    HttpApi: {
      Type: 'AWS::ApiGatewayV2::Api',
      Properties: {
        ProtocolType: 'HTTP',
        CorsConfiguration: { AllowOrigins: ['https://app.example.com'], AllowMethods: ['GET'] },
      },
    },
    HttpApiStage: {
      Type: 'AWS::ApiGatewayV2::Stage',
      Properties: {
        ApiId: { Ref: 'HttpApi' },
        StageName: '$default',
        DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
        AccessLogSettings: {
          DestinationArn: { 'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'] },
          Format: accessLogFormat,
        },
      },
    },
    HttpApiLogGroup: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } },
    HttpApiAuthorizerJwtAuthorizer: {
      Type: 'AWS::ApiGatewayV2::Authorizer',
      Properties: {
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: {
          Issuer: cognitoIssuer,
          Audience: [{ Ref: 'UserPoolWebClient' }, { Ref: 'UserPoolMachineClient' }],
        },
      },
    },
    UserPool: { Type: 'AWS::Cognito::UserPool', Properties: {} },
    UserPoolWebClient: {
      Type: 'AWS::Cognito::UserPoolClient',
      Properties: { UserPoolId: { Ref: 'UserPool' } },
    },
    UserPoolMachineClient: {
      Type: 'AWS::Cognito::UserPoolClient',
      Properties: { UserPoolId: { Ref: 'UserPool' }, GenerateSecret: true },
    },
    RoutePostDocuments: route('POST /documents', jwt('documents/write')),
    RouteGetDocuments: route('GET /documents', jwt('documents/read')),
    RouteGetDocument: route('GET /documents/{id}', jwt('documents/read')),
    RouteDeleteDocument: route('DELETE /documents/{id}', jwt('documents/write')),
    RouteIntegrations: route('GET /health/integrations/aws', jwt('intake/admin')),
    RouteHealth: route('GET /health'),
    RouteWebhooks: route('POST /webhooks/{source}'),
    RouteDefault: route('$default'),
    Bucket: {
      Type: 'AWS::S3::Bucket',
      Properties: {
        CorsConfiguration: {
          'Fn::If': [
            'HasCorsOrigins',
            { CorsRules: [{ AllowedOrigins: { 'Fn::Split': [',', 'https://app.example.com'] } }] },
            { Ref: 'AWS::NoValue' },
          ],
        },
      },
    },
  };
}

/** As packaged: plugins/cost-allocation-tags tags every taggable resource. */
function wellFormedTemplate(): Template {
  const template = untaggedTemplate();
  addCostAllocationTags(template.Resources, { service: 'intake', stage: 'dev' });
  return template;
}

function untaggedTemplate(): Template {
  return {
    Resources: {
      ...apiResources(),
      ProcessorRole: role(logStatement('intake-dev-document-process'), xrayStatement),
      ProcessorLambdaFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          ...fn('intake-dev-document-process', 'ProcessorRole').Properties,
          ReservedConcurrentExecutions: 10,
        },
      },
      ConsumerRole: role(logStatement('intake-dev-consumer'), xrayStatement, {
        Effect: 'Allow',
        Action: 'sqs:ReceiveMessage',
        Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] },
      }),
      ConsumerLambdaFunction: fn('intake-dev-consumer', 'ConsumerRole', 30),
      Queue: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          VisibilityTimeout: 180,
          RedrivePolicy: {
            deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetters', 'Arn'] },
            maxReceiveCount: 5,
          },
        },
      },
      DeadLetters: { Type: 'AWS::SQS::Queue' },
      DeadLettersAlarm: queueAlarm('DeadLetters'),
      ErrorRateAlarm: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          Metrics: [
            {
              Id: 'failures',
              MetricStat: {
                Metric: {
                  Namespace: 'intake',
                  MetricName: 'WebhookReceive5xx',
                  Dimensions: [{ Name: 'service', Value: 'intake-dev' }],
                },
              },
            },
          ],
        },
      },
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
  it('accepts one least-privilege role per function, a 6x visibility timeout and the API as packaged', () => {
    expect(templateViolations(wellFormedTemplate(), declaredPublic)).toEqual([]);
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

  it('rejects a grant on every index of a table: the one read is named', () => {
    const template = wellFormedTemplate();
    template.Resources.ConsumerRole = role(
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: { 'Fn::Sub': '${Table.Arn}/index/*' } },
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: { 'Fn::Sub': '${Table.Arn}/index/byDay' } },
      xrayStatement,
    );

    expect(statementViolations(template)).toEqual([
      'ConsumerRole: every index of a table ${Table.Arn}/index/* for dynamodb:Query',
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

  describe('access control (issue 10)', () => {
    const props = (template: Template, id: string) => template.Resources[id]!.Properties!;

    it('accepts an external issuer when it is the configured one, and refuses any other', () => {
      const template = wellFormedTemplate();
      for (const id of ['UserPool', 'UserPoolWebClient', 'UserPoolMachineClient'])
        delete template.Resources[id];
      props(template, 'HttpApiAuthorizerJwtAuthorizer').JwtConfiguration = {
        Issuer: 'https://issuer.example.com/',
        Audience: ['api://intake'],
      };
      const configured = { issuer: 'https://issuer.example.com/', audience: ['api://intake'] };

      expect(templateViolations(template, { ...declaredPublic, authorizer: configured })).toEqual([]);
      expect(authorizerViolations(template, { authorizer: { ...configured, audience: ['other'] } })).toEqual([
        'HttpApiAuthorizerJwtAuthorizer: audience ["api://intake"] is not ["other"]',
      ]);
      expect(
        authorizerViolations(template, { authorizer: { ...configured, issuer: 'https://evil.example/' } }),
      ).toHaveLength(1);
    });

    it("refuses an authorizer that does not trust the stack's own Cognito pool and clients", () => {
      const template = wellFormedTemplate();
      props(template, 'HttpApiAuthorizerJwtAuthorizer').JwtConfiguration = {
        Issuer: 'https://issuer.example.com/',
        Audience: [{ Ref: 'UserPoolWebClient' }],
      };

      expect(authorizerViolations(template)).toEqual([
        'HttpApiAuthorizerJwtAuthorizer: issuer "https://issuer.example.com/" is not ' +
          JSON.stringify(cognitoIssuer),
        'HttpApiAuthorizerJwtAuthorizer: audience [{"Ref":"UserPoolWebClient"}] is not ' +
          '[{"Ref":"UserPoolWebClient"},{"Ref":"UserPoolMachineClient"}]',
      ]);
    });

    it('without Cognito or a configured issuer, wants an https issuer (loopback http only locally), an audience and the Authorization header', () => {
      const template = wellFormedTemplate();
      for (const id of ['UserPool', 'UserPoolWebClient', 'UserPoolMachineClient'])
        delete template.Resources[id];
      const authorizer = props(template, 'HttpApiAuthorizerJwtAuthorizer');
      authorizer.JwtConfiguration = { Issuer: 'http://127.0.0.1:3004', Audience: [] };
      authorizer.IdentitySource = ['$request.querystring.token'];

      expect(authorizerViolations(template)).toEqual([
        'HttpApiAuthorizerJwtAuthorizer: IdentitySource is not the Authorization header',
        'HttpApiAuthorizerJwtAuthorizer: issuer "http://127.0.0.1:3004" is neither https nor this stack\'s Cognito pool',
        'HttpApiAuthorizerJwtAuthorizer: audience [] is empty or not literal',
      ]);
      authorizer.JwtConfiguration = { Issuer: 'http://127.0.0.1:3004', Audience: ['intake-local'] };
      authorizer.IdentitySource = ['$request.header.Authorization'];
      expect(authorizerViolations(template, { stage: 'local' })).toEqual([]);
    });

    it('rejects documents routes without the JWT authorizer or without their read/write scope', () => {
      const template = wellFormedTemplate();
      template.Resources.RoutePostDocuments = route('POST /documents');
      template.Resources.RouteGetDocuments = route('GET /documents', jwt('documents/write'));
      template.Resources.RouteDeleteDocument = route('DELETE /documents/{id}', {
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: 'Elsewhere' },
        AuthorizationScopes: ['documents/write'],
      });
      template.Resources.RouteGetDocument = route('GET /documents/{id}', { AuthorizationType: 'AWS_IAM' });

      expect(routeViolations(template, declaredPublic)).toEqual([
        'RoutePostDocuments (POST /documents): needs a JWT authorizer of this template with the documents/write scope',
        'RouteGetDocuments (GET /documents): needs the documents/read scope, has ["documents/write"]',
        'RouteGetDocument (GET /documents/{id}): needs a JWT authorizer of this template with the documents/read scope',
        'RouteDeleteDocument (DELETE /documents/{id}): needs a JWT authorizer of this template with the documents/write scope',
      ]);
    });

    it('applies the scope rule of its path to a route no list names (a new route under /documents or /health/)', () => {
      const template = wellFormedTemplate();
      template.Resources.RouteHistory = route('GET /documents/{id}/history', jwt('documents/write'));
      template.Resources.RouteQueues = route('GET /health/queues', jwt('documents/read'));

      expect(routeViolations(template, declaredPublic)).toEqual([
        'RouteHistory (GET /documents/{id}/history): needs the documents/read scope, has ["documents/write"]',
        'RouteQueues (GET /health/queues): needs the intake/admin scope, has ["documents/read"]',
      ]);
    });

    it('wants the admin scope on the integrations report from a JWT, not IAM', () => {
      const template = wellFormedTemplate();
      template.Resources.RouteIntegrations = route('GET /health/integrations/aws', jwt('documents/read'));
      expect(routeViolations(template, declaredPublic)).toEqual([
        'RouteIntegrations (GET /health/integrations/aws): needs the intake/admin scope, has ["documents/read"]',
      ]);

      // IAM would let API Gateway through, but the handler reads the caller from JWT claims and answers 401.
      template.Resources.RouteIntegrations = route('GET /health/integrations/aws', {
        AuthorizationType: 'AWS_IAM',
      });
      expect(routeViolations(template, declaredPublic).join('\n')).toMatch(/integrations.*intake\/admin/);
    });

    it('lets only the routes declared public go without authorization, and only without it', () => {
      const template = wellFormedTemplate();
      template.Resources.RouteHealth = route('GET /health', jwt('documents/read'));
      template.Resources.RouteWebhooks = route('POST /webhooks/{source}', { AuthorizationType: 'AWS_IAM' });
      template.Resources.RouteNew = route('GET /reports');

      expect(routeViolations(template, declaredPublic)).toEqual([
        'RouteHealth (GET /health): declared public, but has authorization JWT',
        'RouteWebhooks (POST /webhooks/{source}): declared public, but has authorization AWS_IAM',
        'RouteNew (GET /reports): no authorizer and not declared public',
      ]);
    });

    it('denies every unauthorized route when no route is declared public (the default)', () => {
      expect(routeViolations(wellFormedTemplate())).toEqual([
        'RouteHealth (GET /health): no authorizer and not declared public',
        'RouteWebhooks (POST /webhooks/{source}): no authorizer and not declared public',
        'RouteDefault ($default): no authorizer and not declared public',
      ]);
    });

    it('rejects a JWT route without a scope, a scope no resource server defines, and a stale public declaration', () => {
      const template = wellFormedTemplate();
      template.Resources.RouteReports = route('GET /reports', jwt());
      template.Resources.RouteExports = route('GET /exports', jwt('reports/read'));
      template.Resources.DocumentsResourceServer = {
        Type: 'AWS::Cognito::UserPoolResourceServer',
        Properties: {
          Identifier: 'documents',
          Scopes: [{ ScopeName: 'read' }, { ScopeName: 'write' }],
        },
      };
      template.Resources.IntakeResourceServer = {
        Type: 'AWS::Cognito::UserPoolResourceServer',
        Properties: { Identifier: 'intake', Scopes: [{ ScopeName: 'admin' }] },
      };

      expect(
        routeViolations(template, { publicRoutes: [...declaredPublic.publicRoutes, 'GET /status'] }),
      ).toEqual([
        'RouteReports (GET /reports): JWT authorizer without a scope',
        'RouteExports (GET /exports): scope reports/read is defined by no Cognito resource server',
        'GET /status: declared public, but the template has no such route',
      ]);
    });

    it('rejects an HTTP API without stage throttling', () => {
      const template = wellFormedTemplate();
      props(template, 'HttpApiStage').DefaultRouteSettings = {
        DetailedMetricsEnabled: false,
        ThrottlingRateLimit: 0,
      };

      expect(throttlingViolations(template)).toEqual([
        'HttpApiStage: DefaultRouteSettings.ThrottlingRateLimit is 0, not a number > 0',
        'HttpApiStage: DefaultRouteSettings.ThrottlingBurstLimit is undefined, not a number > 0',
      ]);
      delete template.Resources.HttpApiStage;
      expect(throttlingViolations(template)).toEqual(['HttpApi: no stage, so no throttling']);
    });

    it('rejects document-process without reserved concurrency', () => {
      const template = wellFormedTemplate();
      delete props(template, 'ProcessorLambdaFunction').ReservedConcurrentExecutions;

      expect(concurrencyViolations(template)).toEqual([
        'ProcessorLambdaFunction: ReservedConcurrentExecutions is undefined, not an integer >= 1',
      ]);
    });

    it('rejects a routed target whose cap in the routes document did not reach its function', () => {
      const template = wellFormedTemplate();
      expect(concurrencyViolations(template, { 'document-process': 10 })).toEqual([]);
      expect(concurrencyViolations(template, { 'document-process': 3, 'sample-downstream': 5 })).toEqual([
        'ProcessorLambdaFunction: ReservedConcurrentExecutions is 10, but webhook-routes.json caps document-process at 3',
        'routed target sample-downstream: capped at 5, but no such function',
      ]);
    });

    it("rejects CORS '*' on the API or in any branch of a bucket's rules, except for stage local", () => {
      const template = wellFormedTemplate();
      props(template, 'HttpApi').CorsConfiguration = { AllowOrigins: ['*'] };
      props(template, 'Bucket').CorsConfiguration = {
        'Fn::If': [
          'HasCorsOrigins',
          { CorsRules: [{ AllowedOrigins: { 'Fn::Split': [',', 'https://a.example,*'] } }] },
          { Ref: 'AWS::NoValue' },
        ],
      };

      expect(corsViolations(template, { stage: 'dev' })).toEqual([
        "HttpApi: CORS AllowOrigins contains '*' outside stage local",
        "Bucket: CORS AllowedOrigins contains '*' outside stage local",
      ]);
      expect(corsViolations(template)).toHaveLength(2);
      expect(corsViolations(template, { stage: 'local' })).toEqual([]);
    });

    it("rejects reading an app client's secret into the template", () => {
      const template = wellFormedTemplate();
      (template as { Outputs?: unknown }).Outputs = {
        Secret: { Value: { 'Fn::GetAtt': ['UserPoolMachineClient', 'ClientSecret'] } },
      };

      expect(secretViolations(template)).toEqual([
        'the template reads 1 app client secret(s) (GetAtt ClientSecret)',
      ]);
    });
  });

  describe('every role, the framework-generated ones too (issue 12, item 9)', () => {
    /** The custom-resource role osls 4.3.1 packaged for document-process's former `existing: true` S3 event. */
    const customResourceRole = () =>
      role(
        {
          Effect: 'Allow',
          Action: ['s3:PutBucketNotification', 's3:GetBucketNotification'],
          Resource: {
            'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, 's3', '', '', { Ref: 'DocumentsBucket' }]],
          },
        },
        {
          Effect: 'Allow',
          Action: ['lambda:AddPermission', 'lambda:RemovePermission'],
          Resource: {
            'Fn::Join': [
              ':',
              [
                'arn',
                { Ref: 'AWS::Partition' },
                'lambda',
                { Ref: 'AWS::Region' },
                { Ref: 'AWS::AccountId' },
                'function',
                '*',
              ],
            ],
          },
        },
      );

    it("rejects the custom-resource role's lambda:AddPermission on function:*", () => {
      const template = wellFormedTemplate();
      template.Resources.IamRoleCustomResourcesLambdaExecution = customResourceRole();

      expect(statementViolations(template)).toEqual([
        'IamRoleCustomResourcesLambdaExecution: every resource of a type arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:* for lambda:AddPermission, lambda:RemovePermission',
      ]);
    });

    it('flags a wildcard in any part of a generated ARN, and nothing in a named one (property)', () => {
      const segment = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
      fc.assert(
        fc.property(segment, segment, fc.constantFrom(3, 4, 6), (type, name, wildcardAt) => {
          const parts = ['arn', 'aws', 'dynamodb', 'us-east-1', '123456789012', type, name];
          const named = `${parts.slice(0, 6).join(':')}/${name}`;
          parts[wildcardAt] = '*';
          const unscoped =
            wildcardAt === 6 ? `${parts.slice(0, 6).join(':')}/*` : parts.slice(0, 6).join(':') + `/${name}`;
          const template = wellFormedTemplate();
          template.Resources.ConsumerRole = role(
            logStatement('intake-dev-consumer'),
            { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: named },
            { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: unscoped },
          );
          const violations = statementViolations(template);
          expect(violations).toHaveLength(1);
          expect(violations[0]).toContain('dynamodb:PutItem');
        }),
      );
    });

    it('looks into policies attached to a role, and refuses NotAction, NotResource and managed policies', () => {
      const template = wellFormedTemplate();
      template.Resources.AttachedPolicy = {
        Type: 'AWS::IAM::Policy',
        Properties: {
          Roles: [{ Ref: 'ConsumerRole' }],
          PolicyDocument: {
            Statement: [
              { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' },
              { Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:aws:s3:::b/*' },
              { Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::b/secret/*' },
              { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::*-backups/*' },
            ],
          },
        },
      };
      template.Resources.ProcessorRole!.Properties!.ManagedPolicyArns = [
        'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
      ];

      expect(statementViolations(template)).toEqual([
        'ProcessorRole: managed policies arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole cannot be checked',
        'ConsumerRole: wildcard action s3:*',
        'ConsumerRole: NotAction grants every other action',
        'ConsumerRole: NotResource grants every other resource',
        'ConsumerRole: any bucket arn:aws:s3:::*-backups/* for s3:GetObject',
      ]);
    });

    it("keeps the X-Ray exception as narrow as AWS makes it: only PutTraceSegments and PutTelemetryRecords on '*'", () => {
      const template = wellFormedTemplate();
      template.Resources.ConsumerRole = role(
        logStatement('intake-dev-consumer'),
        xrayStatement,
        { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:GetTraceSummaries'], Resource: '*' },
        { Effect: 'Allow', Action: ['xray:PutTraceSegments', 's3:GetObject'], Resource: '*' },
      );

      expect(statementViolations(template)).toEqual([
        "ConsumerRole: Resource '*' for xray:PutTraceSegments, xray:GetTraceSummaries",
        "ConsumerRole: Resource '*' for xray:PutTraceSegments, s3:GetObject",
      ]);
    });

    describe('only webhook-receive writes the claim checks', () => {
      const archive = (resource: string, action: string | string[] = 's3:PutObject') => ({
        Effect: 'Allow',
        Action: action,
        Resource: { 'Fn::Sub': resource },
      });
      const claimsReadOnly = {
        Effect: 'Deny',
        Action: ['s3:PutObject', 's3:PutObjectTagging', 's3:PutObjectAcl', 's3:DeleteObject'],
        Resource: { 'Fn::Sub': '${DocumentsBucket.Arn}/events/_claims/*' },
      };
      const withWorker = (...statements: object[]) => {
        const template = wellFormedTemplate();
        template.Resources.WorkerRole = role(logStatement('intake-dev-webhook-process'), ...statements);
        template.Resources.WorkerLambdaFunction = fn('intake-dev-webhook-process', 'WorkerRole');
        template.Resources.ReceiverRole = role(
          logStatement('intake-dev-webhook-receive'),
          archive('${DocumentsBucket.Arn}/events/_claims/*'),
        );
        template.Resources.ReceiverLambdaFunction = fn('intake-dev-webhook-receive', 'ReceiverRole');
        return template;
      };

      it('rejects a worker whose archive grant also covers events/_claims/, however it is spelled', () => {
        for (const [resource, action] of [
          ['${DocumentsBucket.Arn}/events/*', 's3:PutObject'],
          ['${DocumentsBucket.Arn}/*', 's3:Put*'],
          ['${DocumentsBucket.Arn}/events/_cl?ims/*', 's3:putobject'],
          ['arn:${AWS::Partition}:s3:::intake-dev-documents-${AWS::AccountId}/events/*', 's3:DeleteObject'],
        ] as const) {
          expect(prefixWriterViolations(withWorker(archive(resource, action)))).toEqual([
            expect.stringMatching(
              /^WorkerRole \(WorkerLambdaFunction\): may .* under events\/_claims\/, which only webhook-receive writes$/,
            ),
          ]);
        }
      });

      it('accepts the archive grant once a Deny keeps events/_claims/ read-only, and the receiver writing it', () => {
        expect(
          prefixWriterViolations(withWorker(archive('${DocumentsBucket.Arn}/events/*'), claimsReadOnly)),
        ).toEqual([]);
        expect(prefixWriterViolations(withWorker(archive('${DocumentsBucket.Arn}/events/github/*')))).toEqual(
          [],
        );
      });
    });

    it('wants every invoke permission for an AWS service scoped to its source, S3 also to this account', () => {
      const template = wellFormedTemplate();
      const permission = (properties: Record<string, unknown>) => ({
        Type: 'AWS::Lambda::Permission',
        Properties: {
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': ['ProcessorLambdaFunction', 'Arn'] },
          ...properties,
        },
      });
      const bucketArn = {
        'Fn::Sub': 'arn:${AWS::Partition}:s3:::intake-dev-documents-${AWS::AccountId}-${AWS::Region}',
      };
      template.Resources.Good = permission({
        Principal: 's3.amazonaws.com',
        SourceArn: bucketArn,
        SourceAccount: { Ref: 'AWS::AccountId' },
      });
      template.Resources.Api = permission({
        Principal: 'apigateway.amazonaws.com',
        SourceArn: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':execute-api:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':',
              { Ref: 'HttpApi' },
              '/*',
            ],
          ],
        },
      });
      expect(invokePermissionViolations(template)).toEqual([]);

      template.Resources.NoAccount = permission({ Principal: 's3.amazonaws.com', SourceArn: bucketArn });
      template.Resources.AnyBucket = permission({
        Principal: 's3.amazonaws.com',
        SourceArn: 'arn:aws:s3:::*',
        SourceAccount: '1',
      });
      template.Resources.NoSource = permission({ Principal: 'sns.amazonaws.com' });
      template.Resources.Anyone = permission({ Principal: '*' });
      expect(invokePermissionViolations(template)).toEqual([
        'NoAccount: s3.amazonaws.com without SourceAccount (a bucket ARN names no account)',
        'AnyBucket: SourceArn is any bucket arn:aws:s3:::*',
        'NoSource: sns.amazonaws.com may invoke on behalf of any source (no SourceArn)',
        "Anyone: Principal '*' lets anyone invoke",
      ]);
    });
  });

  describe('observability of abuse (issue 12, item 10)', () => {
    const stage = (template: Template) => template.Resources.HttpApiStage!.Properties!;

    it('wants JSON access logs with every investigation field, in a log group of this template with a retention', () => {
      const template = wellFormedTemplate();
      expect(accessLogViolations(template)).toEqual([]);

      stage(template).AccessLogSettings = {
        DestinationArn: { 'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'] },
        Format: JSON.stringify({ requestId: '$context.requestId', status: '$context.status' }),
      };
      delete template.Resources.HttpApiLogGroup!.Properties!.RetentionInDays;
      expect(accessLogViolations(template)).toEqual([
        'HttpApiLogGroup: access log group has no RetentionInDays (kept and billed forever)',
        'HttpApiStage: access log Format lacks $context.identity.sourceIp, $context.routeKey, $context.responseLength, $context.integrationErrorMessage, $context.authorizer.error',
      ]);

      stage(template).AccessLogSettings = {
        DestinationArn: 'arn:aws:logs:us-east-1:1:log-group:elsewhere',
        Format: '$context.requestId $context.status',
      };
      expect(accessLogViolations(template)).toEqual([
        'HttpApiStage: access logs go to arn:aws:logs:us-east-1:1:log-group:elsewhere, not a log group of this template',
        'HttpApiStage: access log Format is not JSON: "$context.requestId $context.status"',
      ]);

      delete stage(template).AccessLogSettings;
      expect(accessLogViolations(template)).toEqual([
        'HttpApiStage: no AccessLogSettings, so no record of who called what',
      ]);
    });

    it('wants an alarm on every queue where failures land: DLQs and async on-failure destinations', () => {
      const template = wellFormedTemplate();
      template.Resources.Failures = { Type: 'AWS::SQS::Queue' };
      template.Resources.ProcessorEventInvokeConfig = {
        Type: 'AWS::Lambda::EventInvokeConfig',
        Properties: {
          DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['Failures', 'Arn'] } } },
        },
      };
      template.Resources.DeadLettersAlarm = queueAlarm('DeadLetters', 5); // 5 lost messages before anyone knows

      expect(failureQueueAlarmViolations(template)).toEqual([
        'DeadLetters (dead-letter queue of Queue): no alarm on ApproximateNumberOfMessagesVisible > 0',
        'Failures (on-failure destination of ProcessorEventInvokeConfig): no alarm on ApproximateNumberOfMessagesVisible > 0',
      ]);
      template.Resources.DeadLettersAlarm = queueAlarm('DeadLetters');
      template.Resources.FailuresAlarm = queueAlarm('Failures');
      expect(failureQueueAlarmViolations(template)).toEqual([]);
    });

    it("wants every alarm on our namespace to select this stage's service, so dev traffic never trips prod", () => {
      const template = wellFormedTemplate();
      expect(alarmStageViolations(template, { stage: 'dev' })).toEqual([]);

      const metric = (dimensions: object[]) => ({
        Type: 'AWS::CloudWatch::Alarm',
        Properties: { Namespace: 'intake', MetricName: 'WebhookDispatchFailed', Dimensions: dimensions },
      });
      template.Resources.AllStagesAlarm = metric([]);
      template.Resources.ProdAlarm = metric([{ Name: 'service', Value: 'intake-prod' }]);
      template.Resources.LambdaErrors = {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: 'intake-dev-x' }],
        },
      };
      expect(alarmStageViolations(template, { stage: 'dev' })).toEqual([
        "AllStagesAlarm: WebhookDispatchFailed (namespace intake) does not select service=intake-dev: any stage's traffic would move it",
        "ProdAlarm: WebhookDispatchFailed (namespace intake) does not select service=intake-dev: any stage's traffic would move it",
      ]);
    });

    it('wants one service name for all functions, naming the stage', () => {
      const template = wellFormedTemplate();
      const environment = (id: string) =>
        (template.Resources[id]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
      environment('ConsumerLambdaFunction').POWERTOOLS_SERVICE_NAME = 'intake';
      delete environment('ProcessorLambdaFunction').POWERTOOLS_SERVICE_NAME;

      expect(alarmStageViolations(template, { stage: 'dev' })).toEqual([
        'ProcessorLambdaFunction: no POWERTOOLS_SERVICE_NAME, so its metrics have no stage dimension',
        'POWERTOOLS_SERVICE_NAME intake does not name stage dev',
        "ErrorRateAlarm: WebhookReceive5xx (namespace intake) does not select service=intake: any stage's traffic would move it",
      ]);
    });
  });
});

describe('documentStorageViolations (issue 12: bytes served are bytes inspected, delete erases)', () => {
  const sub = (path: string) => ({ 'Fn::Sub': `\${DocumentsBucket.Arn}/${path}` });
  const template = (...statements: object[]): Template => ({
    Resources: {
      DocumentsApiFunction: fn('intake-dev-documents-api', 'DocumentsApiRole'),
      DocumentsApiRole: role(...statements),
    },
  });
  const erase = (...paths: string[]) => ({
    Effect: 'Allow',
    Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
    Resource: paths.map(sub),
  });

  it('accepts downloads from clean/, erasure with versions, and prefix-scoped version listing', () => {
    expect(
      documentStorageViolations(
        template(
          { Effect: 'Allow', Action: 's3:GetObject', Resource: [sub('manifests/*'), sub('clean/*')] },
          erase('uploads/*', 'clean/*'),
          {
            Effect: 'Allow',
            Action: 's3:ListBucketVersions',
            Resource: { 'Fn::GetAtt': ['DocumentsBucket', 'Arn'] },
            Condition: { StringLike: { 's3:prefix': ['clean/*'] } },
          },
        ),
      ),
    ).toEqual([]);
  });

  it.each(['uploads/*', 'quarantine/*'])(
    'refuses documents-api reading %s (a download of uninspected bytes)',
    (path) => {
      expect(
        documentStorageViolations(
          template({ Effect: 'Allow', Action: ['s3:GetObject'], Resource: sub(path) }),
        ),
      ).toEqual([expect.stringContaining('downloads must be signed for clean/ only')]);
    },
  );

  it('refuses a delete that leaves noncurrent versions behind', () => {
    expect(
      documentStorageViolations(
        template(erase('uploads/*'), {
          Effect: 'Allow',
          Action: 's3:DeleteObject',
          Resource: sub('clean/*'),
        }),
      ),
    ).toEqual([expect.stringContaining('without s3:DeleteObjectVersion')]);
  });

  it('refuses s3:ListBucketVersions on the whole bucket', () => {
    expect(
      documentStorageViolations(
        template({
          Effect: 'Allow',
          Action: 's3:ListBucketVersions',
          Resource: { 'Fn::GetAtt': ['DocumentsBucket', 'Arn'] },
        }),
      ),
    ).toEqual([expect.stringContaining('without an s3:prefix condition')]);
  });
});

describe('missingKeyStatusViolations (S3 answers a missing key 403 without s3:ListBucket)', () => {
  const reads = {
    Effect: 'Allow',
    Action: ['s3:GetObject'],
    Resource: { 'Fn::Sub': '${DocumentsBucket.Arn}/manifests/*' },
  };
  const bucket = { 'Fn::GetAtt': ['DocumentsBucket', 'Arn'] };
  const withRole = (...statements: object[]): Template => ({
    Resources: { ReaderRole: role(...statements) },
  });

  it('accepts a reader that may list the bucket', () => {
    expect(
      missingKeyStatusViolations(
        withRole(reads, { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket }),
      ),
    ).toEqual([]);
  });

  it('refuses a reader without s3:ListBucket, or with one limited by a prefix condition', () => {
    const expected = [
      expect.stringContaining('ReaderRole: reads documents objects without an unconditioned s3:ListBucket'),
    ];
    expect(missingKeyStatusViolations(withRole(reads))).toEqual(expected);
    expect(
      missingKeyStatusViolations(
        withRole(reads, {
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: bucket,
          Condition: { StringLike: { 's3:prefix': ['manifests/*'] } },
        }),
      ),
    ).toEqual(expected);
  });

  it('ignores roles that read nothing of the documents bucket', () => {
    expect(
      missingKeyStatusViolations(
        withRole({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other/*' }),
      ),
    ).toEqual([]);
  });
});

/** The malware scanning pieces as serverless/*.yml package them, for param malwareScanning = `param`. */
function scanningTemplate(param: 'true' | 'false'): Template {
  const statement = (sid: string, action: string[], resource: unknown) => ({
    Sid: sid,
    Effect: 'Allow',
    Action: action,
    Resource: resource,
  });
  return {
    Conditions: { EnableMalwareScanning: { 'Fn::Equals': [param, 'true'] } },
    Resources: {
      DocumentsBucket: { Type: 'AWS::S3::Bucket', Properties: {} },
      DocumentsMalwareProtectionPlan: {
        Type: 'AWS::GuardDuty::MalwareProtectionPlan',
        Condition: 'EnableMalwareScanning',
        Properties: {
          Role: { 'Fn::GetAtt': ['MalwareProtectionRole', 'Arn'] },
          ProtectedResource: {
            S3Bucket: { BucketName: { Ref: 'DocumentsBucket' }, ObjectPrefixes: ['uploads/'] },
          },
          Actions: { Tagging: { Status: 'ENABLED' } },
        },
      },
      MalwareProtectionRole: {
        Type: 'AWS::IAM::Role',
        Condition: 'EnableMalwareScanning',
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'malware-protection-plan.guardduty.amazonaws.com' },
                Action: 'sts:AssumeRole',
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'p',
              PolicyDocument: {
                Statement: [
                  statement('AllowManagedRule', ['events:PutRule'], {
                    'Fn::Sub':
                      'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3*',
                  }),
                  statement('AllowMalwareScan', ['s3:GetObject'], {
                    'Fn::Sub': '${DocumentsBucket.Arn}/uploads/*',
                  }),
                  statement('AllowCheckBucketOwnership', ['s3:ListBucket'], {
                    'Fn::GetAtt': ['DocumentsBucket', 'Arn'],
                  }),
                ],
              },
            },
          ],
        },
      },
      DocumentsBucketPolicy: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: {
          PolicyDocument: {
            Statement: [
              {
                'Fn::If': [
                  'EnableMalwareScanning',
                  {
                    Sid: 'DenyCleanReadsUntilProcessed',
                    Effect: 'Deny',
                    Principal: '*',
                    Action: ['s3:GetObject', 's3:GetObjectVersion'],
                    Resource: { 'Fn::Sub': '${DocumentsBucket.Arn}/clean/*' },
                    Condition: { StringNotEquals: { 's3:ExistingObjectTag/intake-status': 'processed' } },
                  },
                  { Ref: 'AWS::NoValue' },
                ],
              },
              {
                'Fn::If': [
                  'EnableMalwareScanning',
                  {
                    Sid: 'DenyUploadReadsUntilScannedClean',
                    Effect: 'Deny',
                    Principal: '*',
                    Action: ['s3:GetObject', 's3:GetObjectVersion'],
                    Resource: { 'Fn::Sub': '${DocumentsBucket.Arn}/uploads/*' },
                    Condition: {
                      StringNotEquals: {
                        's3:ExistingObjectTag/GuardDutyMalwareScanStatus': 'NO_THREATS_FOUND',
                      },
                    },
                  },
                  { Ref: 'AWS::NoValue' },
                ],
              },
            ],
          },
        },
      },
      DocumentScanResultsRule: {
        Type: 'AWS::Events::Rule',
        Condition: 'EnableMalwareScanning',
        Properties: {
          EventPattern: {
            source: ['aws.guardduty'],
            'detail-type': ['GuardDuty Malware Protection Object Scan Result'],
          },
        },
      },
    },
  };
}

describe('malware scanning rules', () => {
  it('evaluates literal conditions (what osls writes once params are in) and drops inactive resources', () => {
    const template: Template = {
      Conditions: {
        On: { 'Fn::Equals': ['true', 'true'] },
        Off: { 'Fn::Not': [{ Condition: 'On' }] },
        Both: { 'Fn::And': [{ Condition: 'On' }, { Condition: 'Off' }] },
        Either: { 'Fn::Or': [{ Condition: 'On' }, { Condition: 'Off' }] },
      },
      Resources: { A: { Type: 'X', Condition: 'On' }, B: { Type: 'X', Condition: 'Off' }, C: { Type: 'X' } },
    };
    expect(['On', 'Off', 'Both', 'Either'].map((name) => conditionHolds(template, name))).toEqual([
      true,
      false,
      false,
      true,
    ]);
    expect(activeResources(template).map(([id]) => id)).toEqual(['A', 'C']);
    expect(() => conditionHolds(template, 'Missing')).toThrow('not declared');
  });

  it('param on: the plan on uploads/ with tagging, its GuardDuty role without wildcards, the read deny and the rule', () => {
    expect(malwareScanningViolations(scanningTemplate('true'))).toEqual([]);
  });

  it('param off: none of the plan, its role, the read deny or the rule exists', () => {
    expect(malwareScanningViolations(scanningTemplate('false'))).toEqual([]);
    const leaky = scanningTemplate('false');
    delete leaky.Resources.MalwareProtectionRole!.Condition;
    delete leaky.Resources.DocumentsMalwareProtectionPlan!.Condition;
    expect(malwareScanningViolations(leaky)).toEqual([
      'DocumentsMalwareProtectionPlan: a malware protection plan exists with scanning off',
      'MalwareProtectionRole: a GuardDuty role exists with scanning off',
    ]);
  });

  it('rejects a GuardDuty role with Resource *, a wildcard action or a wildcard beyond the documented ones', () => {
    const template = scanningTemplate('true');
    const policy = (
      template.Resources.MalwareProtectionRole!.Properties!.Policies as {
        PolicyDocument: { Statement: object[] };
      }[]
    )[0]!.PolicyDocument;
    policy.Statement.push(
      { Sid: 'Everything', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
      {
        Sid: 'AllS3',
        Effect: 'Allow',
        Action: 's3:*',
        Resource: { 'Fn::Sub': '${DocumentsBucket.Arn}/uploads/*' },
      },
      {
        Sid: 'WholeBucket',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: { 'Fn::Sub': '${DocumentsBucket.Arn}/*' },
      },
    );
    expect(malwareScanningViolations(template)).toEqual([
      'MalwareProtectionRole/Everything: wildcard resource *',
      'MalwareProtectionRole/AllS3: wildcard action s3:*',
      'MalwareProtectionRole/WholeBucket: wildcard resource ${DocumentsBucket.Arn}/*',
    ]);
  });

  it('rejects scanning without tagging, on another prefix, or without the read gates', () => {
    const template = scanningTemplate('true');
    const plan = template.Resources.DocumentsMalwareProtectionPlan!.Properties!;
    plan.Actions = { Tagging: { Status: 'DISABLED' } };
    (plan.ProtectedResource as { S3Bucket: { ObjectPrefixes: string[] } }).S3Bucket.ObjectPrefixes = [
      'events/',
    ];
    delete template.Resources.DocumentsBucketPolicy;
    expect(malwareScanningViolations(template)).toEqual([
      'DocumentsMalwareProtectionPlan: scans ["events/"], not [uploads/]',
      'DocumentsMalwareProtectionPlan: tagging is not ENABLED (the bucket policy reads the tag)',
      'no bucket policy statement denies reads of clean/ until intake-status=processed',
      'no bucket policy statement denies reads of uploads/ until GuardDutyMalwareScanStatus=NO_THREATS_FOUND',
    ]);
  });

  it('rejects scanning whose bucket policy gates uploads/ but not clean/, what is served', () => {
    const template = scanningTemplate('true');
    const policy = template.Resources.DocumentsBucketPolicy!.Properties!.PolicyDocument as {
      Statement: unknown[];
    };
    policy.Statement.shift();
    expect(malwareScanningViolations(template)).toEqual([
      'no bucket policy statement denies reads of clean/ until intake-status=processed',
    ]);
  });
});
