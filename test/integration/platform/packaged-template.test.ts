/**
 * The real `sls package --stage dev` (no credentials, no network), run twice: with the defaults (the
 * stack's own Cognito user pool) and with an external OIDC issuer. Each packaged template must keep every
 * rule of scripts/lib/template-rules.ts, with the issuer and audience configured for that run.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  accessLogViolations,
  activeResources,
  failureQueueAlarmViolations,
  invokePermissionViolations,
  prefixWriterViolations,
  scanGateStatements,
  statementViolations,
  templateViolations,
} from '../../../scripts/lib/template-rules';
import { readPackagedFunctions } from '../../../bench/lib/serverless-package';
import { httpRoutesOf, publicRouteKeys } from '../../../serverless/http-routes';
import type { Template } from '../../../scripts/lib/template-rules';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..', '..', '..');
const SLS = join(ROOT, 'node_modules', '.bin', 'sls');
const run = promisify(execFile);

type Resources = Template['Resources'];
const getAttTargetOf = (value: unknown): string => {
  const att = (value as { 'Fn::GetAtt': unknown })['Fn::GetAtt'];
  return Array.isArray(att) ? String(att[0]) : String(att).split('.')[0]!;
};
const byType = (resources: Resources, prefix: string) =>
  Object.entries(resources).filter(([, resource]) => resource.Type.startsWith(prefix));

/** Each HTTP API route's key with its authorization type and scopes, sorted by key. */
const routesOf = (resources: Resources) =>
  byType(resources, 'AWS::ApiGatewayV2::Route')
    .map(([, route]) => [
      String(route.Properties!.RouteKey),
      String(route.Properties!.AuthorizationType ?? 'NONE'),
      ...((route.Properties!.AuthorizationScopes as string[] | undefined) ?? []),
    ])
    .sort(([a], [b]) => String(a).localeCompare(String(b)));

describe('sls package --stage dev (the deployed template)', () => {
  const work = mkdtempSync(join(tmpdir(), 'intake-packaged-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** One after the other: parallel runs would share serverless-esbuild's build folder. */
  async function packageDev(name: string, args: string[] = []): Promise<Template> {
    const outDir = join(work, name);
    await run(SLS, ['package', '--stage', 'dev', '--package', outDir, ...args], {
      cwd: ROOT,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
      maxBuffer: 16 * 1024 * 1024,
    });
    packaged[name] = outDir;
    publicRoutes = publicRouteKeys(httpRoutesOf(readPackagedFunctions(outDir)));
    return JSON.parse(readFileSync(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8'));
  }
  /** The routes the last packaged service declares `public: <why>` (what scripts/check-template.ts reads). */
  let publicRoutes: string[] = [];
  const packaged: Record<string, string> = {};

  it("by default trusts the stack's own Cognito pool and keeps every rule", async () => {
    const template = await packageDev('cognito');
    const resources = template.Resources;

    expect(
      byType(resources, 'AWS::Cognito::')
        .map(([, r]) => r.Type)
        .sort(),
    ).toEqual([
      'AWS::Cognito::UserPool',
      'AWS::Cognito::UserPoolClient',
      'AWS::Cognito::UserPoolClient',
      'AWS::Cognito::UserPoolDomain',
      'AWS::Cognito::UserPoolResourceServer',
      'AWS::Cognito::UserPoolResourceServer',
    ]);
    expect(resources.HttpApiAuthorizerJwtAuthorizer!.Properties!.JwtConfiguration).toEqual({
      Issuer: { 'Fn::Sub': 'https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}' },
      Audience: [{ Ref: 'UserPoolWebClient' }, { Ref: 'UserPoolMachineClient' }],
    });
    const machine = resources.UserPoolMachineClient!.Properties!;
    expect(machine).toMatchObject({ GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'] });
    expect(Object.keys(template.Outputs as object)).toEqual(
      expect.arrayContaining([
        'CognitoUserPoolId',
        'CognitoIssuerUrl',
        'CognitoTokenUrl',
        'CognitoWebClientId',
        'CognitoMachineClientId',
        'QuotasTableName',
      ]),
    );
    // dev has no corsAllowedOrigins: no CORS on the API, none on the bucket.
    expect(resources.HttpApi!.Properties!.CorsConfiguration).toBeUndefined();
    // Every route the functions declare is deployed exactly as declared: public ones with no
    // authorization, the others behind the JWT authorizer with their scopes (and no route besides).
    const declared = httpRoutesOf(readPackagedFunctions(packaged.cognito!)).map((route) =>
      route.public !== undefined
        ? [route.routeKey, 'NONE']
        : [route.routeKey, 'JWT', ...(route.authorizer as { scopes: string[] }).scopes],
    );
    expect(routesOf(resources)).toEqual(declared.sort(([a], [b]) => String(a).localeCompare(String(b))));
    expect(publicRoutes.sort()).toEqual([
      '$default',
      'GET /console',
      'GET /health',
      'GET /webhooks/{source}',
      'POST /webhooks/{source}',
    ]);

    expect(templateViolations(template, { stage: 'dev', publicRoutes })).toEqual([]);
    // Malware scanning is off by default: no plan, no GuardDuty role, no rule, no read gate deployed.
    const scanning = activeResources(template).filter(([id]) =>
      ['DocumentsMalwareProtectionPlan', 'MalwareProtectionRole', 'DocumentScanResultsRule'].includes(id),
    );
    expect(scanning).toEqual([]);
    expect(scanGateStatements(template)).toEqual([]);
  });

  it('with malwareScanning=true deploys the plan on uploads/, its role, the rule and the read gates', async () => {
    const template = await packageDev('scanning', ['--param', 'malwareScanning=true']);
    const active = new Map(activeResources(template));
    expect(active.get('DocumentsMalwareProtectionPlan')?.Properties).toMatchObject({
      Role: { 'Fn::GetAtt': ['MalwareProtectionRole', 'Arn'] },
      ProtectedResource: {
        S3Bucket: { BucketName: { Ref: 'DocumentsBucket' }, ObjectPrefixes: ['uploads/'] },
      },
      Actions: { Tagging: { Status: 'ENABLED' } },
    });
    expect(active.get('MalwareProtectionRole')?.Type).toBe('AWS::IAM::Role');
    expect(active.get('DocumentScanResultsRule')?.Type).toBe('AWS::Events::Rule');
    // What is served (clean/) is read only once tagged processed, uploads/ only once scanned clean; the
    // roles that read before the verdict are exempt (the processor, document-scan-result, GuardDuty).
    const [cleanGate, uploadsGate, ...others] = scanGateStatements(template);
    expect(others).toEqual([]);
    expect(cleanGate).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Resource: { 'Fn::Sub': '${DocumentsBucket.Arn}/clean/*' },
      Condition: {
        ArnNotEquals: {
          'aws:PrincipalArn': [
            { 'Fn::GetAtt': ['DocumentProcessRole', 'Arn'] },
            { 'Fn::GetAtt': ['DocumentScanResultRole', 'Arn'] },
          ],
        },
      },
    });
    expect(uploadsGate).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Resource: { 'Fn::Sub': '${DocumentsBucket.Arn}/uploads/*' },
    });
    const processEnvironment = template.Resources.DocumentDashprocessLambdaFunction!.Properties!
      .Environment as {
      Variables: Record<string, unknown>;
    };
    expect(processEnvironment.Variables.DOCUMENTS_MALWARE_SCANNING).toBe('true');
    expect(templateViolations(template, { stage: 'dev', publicRoutes })).toEqual([]);
  });

  it('has no role but our own, S3 notifications declared on the bucket, access logs and failure alarms', async () => {
    const template = await packageDev('hardened');
    const resources = template.Resources;

    // Item 9: no framework custom resource (and so no role that may lambda:AddPermission on function:*).
    expect(byType(resources, 'Custom::')).toEqual([]);
    expect(
      byType(resources, 'AWS::IAM::Role')
        .map(([id]) => id)
        .sort(),
    ).toEqual([
      'ConsoleApiRole',
      'ConsolePageRole',
      'DocumentProcessRole',
      'DocumentScanResultRole',
      'DocumentsApiRole',
      'HealthRole',
      // GuardDuty's, declared with Condition EnableMalwareScanning (not deployed on this stage).
      'MalwareProtectionRole',
      'NotFoundRole',
      'WebhookProcessRole',
      'WebhookReceiveRole',
      'WebhookSampleDownstreamRole',
    ]);
    const bucket = resources.DocumentsBucket!;
    expect(bucket.DependsOn).toEqual(['DocumentProcessS3InvokePermission']);
    expect(bucket.Properties!.NotificationConfiguration).toEqual({
      LambdaConfigurations: [
        {
          Event: 's3:ObjectCreated:*',
          Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'uploads/' }] } },
          Function: { 'Fn::GetAtt': ['DocumentDashprocessLambdaFunction', 'Arn'] },
        },
      ],
    });
    const bucketName = 'intake-dev-documents-${AWS::AccountId}-${AWS::Region}';
    expect(bucket.Properties!.BucketName).toEqual({ 'Fn::Sub': bucketName });
    expect(resources.DocumentProcessS3InvokePermission!.Properties).toEqual({
      FunctionName: { 'Fn::GetAtt': ['DocumentDashprocessLambdaFunction', 'Arn'] },
      Action: 'lambda:InvokeFunction',
      Principal: 's3.amazonaws.com',
      SourceArn: { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${bucketName}` },
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
    const processEnvironment = (
      resources.DocumentDashprocessLambdaFunction!.Properties!.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(processEnvironment.DOCUMENTS_BUCKET).toEqual({ 'Fn::Sub': bucketName });

    // Item 10: JSON access logs in their own group with the stage's retention; alarms where failures land.
    const accessLogs = resources.HttpApiStage!.Properties!.AccessLogSettings as {
      DestinationArn: unknown;
      Format: string;
    };
    const group = getAttTargetOf(accessLogs.DestinationArn);
    expect(resources[group]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 30 },
    });
    expect(JSON.parse(accessLogs.Format)).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      routeKey: '$context.routeKey',
      status: '$context.status',
      responseLength: '$context.responseLength',
      integrationError: '$context.integrationErrorMessage',
      authorizerError: '$context.authorizer.error',
    });
    expect(Object.keys(resources)).toEqual(
      expect.arrayContaining([
        'WebhooksDeadLetterQueueAlarm',
        'DocumentsDeadLetterQueueAlarm',
        'DocumentProcessFailureQueueAlarm',
        'DocumentScanResultsDeadLetterQueueAlarm',
      ]),
    );
    for (const rule of [accessLogViolations, failureQueueAlarmViolations, prefixWriterViolations])
      expect(rule(template)).toEqual([]);
    expect(templateViolations(template, { stage: 'dev', publicRoutes })).toEqual([]);

    // The rules bite on this very template: undo each defence and the check names it.
    const statements = () =>
      (
        resources.WebhookProcessRole!.Properties!.Policies as {
          PolicyDocument: { Statement: { Sid?: string }[] };
        }[]
      )[0]!.PolicyDocument.Statement;
    const kept = statements().filter((statement) => statement.Sid !== 'ClaimChecksAreReadOnly');
    expect(kept).toHaveLength(statements().length - 1);
    (
      resources.WebhookProcessRole!.Properties!.Policies as { PolicyDocument: { Statement: unknown[] } }[]
    )[0]!.PolicyDocument.Statement = kept;
    expect(prefixWriterViolations(template)).toEqual([
      'WebhookProcessRole (WebhookDashprocessLambdaFunction): may s3:PutObject under events/_claims/, which only webhook-receive writes',
    ]);
    delete resources.DocumentProcessS3InvokePermission!.Properties!.SourceAccount;
    expect(invokePermissionViolations(template)).toHaveLength(1);
    delete resources.DocumentsDeadLetterQueueAlarm;
    expect(failureQueueAlarmViolations(template)).toEqual([
      'DocumentsDeadLetterQueue (dead-letter queue of DocumentsQueue): no alarm on ApproximateNumberOfMessagesVisible > 0',
    ]);
    expect(statementViolations(template)).toEqual([]);
  });

  it('with jwtIssuer and jwtAudience trusts that issuer and creates no Cognito resource', async () => {
    const origins = 'https://app.example.com,https://admin.example.com';
    const template = await packageDev('external', [
      '--param',
      'jwtIssuer=https://issuer.example.com/',
      '--param',
      'jwtAudience=api://intake',
      '--param',
      `corsAllowedOrigins=${origins}`,
    ]);

    // The stage's explicit origins reach both the HTTP API and the bucket, and nothing else does.
    expect(template.Resources.HttpApi!.Properties!.CorsConfiguration).toMatchObject({
      AllowOrigins: origins.split(','),
    });
    expect(JSON.stringify(template.Resources.DocumentsBucket!.Properties!.CorsConfiguration)).toContain(
      JSON.stringify({ 'Fn::Split': [',', origins] }),
    );

    expect(byType(template.Resources, 'AWS::Cognito::')).toEqual([]);
    expect(Object.keys(template.Outputs as object).filter((name) => name.startsWith('Cognito'))).toEqual([]);
    const authorizer = { issuer: 'https://issuer.example.com/', audience: ['api://intake'] };
    expect(templateViolations(template, { stage: 'dev', publicRoutes, authorizer })).toEqual([]);
    // The same template does not pass for another configured issuer: the rule really compares.
    expect(
      templateViolations(template, {
        stage: 'dev',
        publicRoutes,
        authorizer: { ...authorizer, audience: ['x'] },
      }),
    ).toHaveLength(1);
  });
});
