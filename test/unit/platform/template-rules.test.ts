import {
  authorizerViolations,
  concurrencyViolations,
  corsViolations,
  documentStorageViolations,
  missingKeyStatusViolations,
  logGroupViolations,
  roleViolations,
  routeViolations,
  secretViolations,
  statementViolations,
  templateViolations,
  throttlingViolations,
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

const route = (key: string, auth: Record<string, unknown> = {}) => ({
  Type: 'AWS::ApiGatewayV2::Route',
  Properties: { ApiId: { Ref: 'HttpApi' }, RouteKey: key, ...auth },
});
const jwt = (...scopes: string[]) => ({
  AuthorizationType: 'JWT',
  AuthorizerId: { Ref: 'HttpApiAuthorizerJwtAuthorizer' },
  AuthorizationScopes: scopes,
});
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
      },
    },
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

function wellFormedTemplate(): Template {
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
  it('accepts one least-privilege role per function, a 6x visibility timeout and the API as packaged', () => {
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

      expect(templateViolations(template, { authorizer: configured })).toEqual([]);
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

      expect(routeViolations(template)).toEqual([
        'RoutePostDocuments (POST /documents): documents route without a JWT authorizer of this template',
        'RouteGetDocuments (GET /documents): needs the documents/read scope, has ["documents/write"]',
        'RouteGetDocument (GET /documents/{id}): documents route without a JWT authorizer of this template',
        'RouteDeleteDocument (DELETE /documents/{id}): documents route without a JWT authorizer of this template',
      ]);
    });

    it('wants the admin scope on the integrations report, and no authorizer on public routes', () => {
      const template = wellFormedTemplate();
      template.Resources.RouteIntegrations = route('GET /health/integrations/aws', jwt('documents/read'));
      template.Resources.RouteHealth = route('GET /health', jwt('documents/read'));
      template.Resources.RouteWebhooks = route('POST /webhooks/{source}', { AuthorizationType: 'AWS_IAM' });
      template.Resources.RouteNew = route('GET /reports');

      expect(routeViolations(template)).toEqual([
        'RouteIntegrations (GET /health/integrations/aws): needs a JWT authorizer with the intake/admin scope',
        'RouteHealth (GET /health): public by design, but has authorization JWT',
        'RouteWebhooks (POST /webhooks/{source}): public by design, but has authorization AWS_IAM',
        'RouteNew (GET /reports): no authorizer (not a public route)',
      ]);

      // IAM would let API Gateway through, but the handler reads the caller from JWT claims and answers 401.
      template.Resources.RouteIntegrations = route('GET /health/integrations/aws', {
        AuthorizationType: 'AWS_IAM',
      });
      expect(routeViolations(template).join('\n')).toMatch(/integrations.*intake\/admin/);
      template.Resources.RouteIntegrations = route('GET /health/integrations/aws', jwt('intake/admin'));
      expect(routeViolations(template).join('\n')).not.toMatch(/integrations/);
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
