import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { ConfigError } from '../../../src/errors';
import { ServiceUnavailableError, ThrottledError } from '../../../src/errors';
import { metaFromArchive, parseWebhookArchive, webhookArchive } from '../../../src/webhooks/archive';
import { lambdaDispatcher } from '../../../src/webhooks/lambda-dispatcher';
import type { WebhookMessageMeta } from '../../../src/webhooks/message';
import { describeDownstreamEvent } from '../../../src/webhooks/sample-downstream';
import { loadWebhookSettings } from '../../../src/webhooks/settings';
import { sqsMessageSender } from '../../../src/webhooks/sqs-sender';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { webhookEnvironment } = require('../../../serverless/webhooks-env.js') as {
  webhookEnvironment: (stage: string, env: NodeJS.ProcessEnv) => Record<string, string>;
};

const meta: WebhookMessageMeta = {
  v: 1,
  source: 'github',
  type: 'push',
  id: 'd-1',
  receivedAt: '2026-01-01T00:00:00.000Z',
  encoding: 'utf8',
  headers: { 'user-agent': 'x' },
};

describe('archive documents', () => {
  it('round-trip, and give back the metadata to re-enqueue them', () => {
    const archive = webhookArchive(meta, '{"a":1}', new Date('2026-01-01T00:00:01.000Z'));
    expect(parseWebhookArchive(JSON.stringify(archive))).toEqual(archive);
    expect(metaFromArchive(archive)).toEqual(meta);
  });

  it('are recognised only when they have the archive shape', () => {
    expect(parseWebhookArchive('not json')).toBeUndefined();
    expect(parseWebhookArchive('{"source":"github"}')).toBeUndefined();
  });
});

describe('loadWebhookSettings', () => {
  it('applies defaults and reads overrides', () => {
    expect(loadWebhookSettings({})).toEqual({
      WEBHOOK_MAX_BODY_BYTES: 1048576,
      WEBHOOK_SECRET_CACHE_SECONDS: 300,
      WEBHOOK_FUNCTION_PREFIX: '',
      WEBHOOK_PAUSE_RECHECK_SECONDS: 60,
      WEBHOOK_CONTROLS_CACHE_SECONDS: 5,
      WEBHOOK_HISTORY_TTL_DAYS: 30,
    });
    expect(
      loadWebhookSettings({ WEBHOOK_MAX_BODY_BYTES: '2048', WEBHOOK_FUNCTION_PREFIX: 'intake-dev-' }),
    ).toMatchObject({ WEBHOOK_MAX_BODY_BYTES: 2048, WEBHOOK_FUNCTION_PREFIX: 'intake-dev-' });
  });

  it('bounds the pause recheck delay by what SQS can delay a message (900 s)', () => {
    expect(loadWebhookSettings({ WEBHOOK_PAUSE_RECHECK_SECONDS: '900' }).WEBHOOK_PAUSE_RECHECK_SECONDS).toBe(
      900,
    );
    expect(() => loadWebhookSettings({ WEBHOOK_PAUSE_RECHECK_SECONDS: '901' })).toThrow(
      expect.objectContaining({ variables: ['WEBHOOK_PAUSE_RECHECK_SECONDS'] }) as ConfigError,
    );
  });

  it('names every invalid variable', () => {
    expect(() =>
      loadWebhookSettings({
        WEBHOOK_MAX_BODY_BYTES: 'big',
        WEBHOOK_FUNCTION_PREFIX: 'a b',
        WEBHOOK_HISTORY_TTL_DAYS: '0',
      }),
    ).toThrow(
      expect.objectContaining({
        variables: ['WEBHOOK_MAX_BODY_BYTES', 'WEBHOOK_FUNCTION_PREFIX', 'WEBHOOK_HISTORY_TTL_DAYS'],
      }) as ConfigError,
    );
  });
});

describe('describeDownstreamEvent (sample downstream)', () => {
  it('summarises a routed webhook event and flags anything else', () => {
    const event = {
      kind: 'intake.webhook',
      source: 'github',
      type: 'push',
      id: 'd-1',
      encoding: 'base64',
      body: Buffer.from('abc').toString('base64'),
    };
    expect(describeDownstreamEvent(event, 5)).toEqual({
      source: 'github',
      type: 'push',
      id: 'd-1',
      bodyBytes: 3,
      receivedAt: 5,
      valid: true,
    });
    expect(describeDownstreamEvent(null, 5)).toEqual({ bodyBytes: null, receivedAt: 5, valid: false });
  });
});

// Throttling and unexpected statuses cannot be produced by serverless-offline or fauxqs: mocked here.
describe('AWS adapters', () => {
  const lambda = mockClient(LambdaClient);
  const sqs = mockClient(SQSClient);
  afterEach(() => {
    lambda.reset();
    sqs.reset();
  });

  it('invokes <prefix><key> asynchronously with the payload', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    await lambdaDispatcher(new LambdaClient({ region: 'us-east-1' }), 'intake-dev-')(
      'webhook-sample-downstream',
      '{"a":1}',
    );
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      FunctionName: 'intake-dev-webhook-sample-downstream',
      InvocationType: 'Event',
    });
    expect(Buffer.from(input.Payload as Uint8Array).toString()).toBe('{"a":1}');
  });

  it('maps a throttled invoke and an unexpected status to retryable errors', async () => {
    const dispatch = lambdaDispatcher(new LambdaClient({ region: 'us-east-1', maxAttempts: 1 }), '');
    lambda.on(InvokeCommand).rejects(
      Object.assign(new Error('slow down'), {
        name: 'TooManyRequestsException',
        $metadata: { httpStatusCode: 429 },
      }),
    );
    await expect(dispatch('f', '{}')).rejects.toBeInstanceOf(ThrottledError);
    lambda.on(InvokeCommand).resolves({ StatusCode: 500 });
    await expect(dispatch('f', '{}')).rejects.toMatchObject({ retryable: true });
  });

  it('sends queue messages and maps SQS failures', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: '1' });
    const send = sqsMessageSender(new SQSClient({ region: 'us-east-1', maxAttempts: 1 }), 'https://sqs/q');
    await send('hello');
    expect(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: 'https://sqs/q',
      MessageBody: 'hello',
    });
    sqs.on(SendMessageCommand).rejects(
      Object.assign(new Error('internal'), {
        name: 'InternalError',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
      }),
    );
    await expect(send('hello')).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});

describe('serverless/webhooks-env.js (receiver environment per stage)', () => {
  it('passes every webhook setting, inline secrets included, to the local stage', () => {
    expect(
      webhookEnvironment('local', {
        WEBHOOK_SECRET_GITHUB: 's',
        WEBHOOK_SCHEME_ACME: 'hmac-sha256',
        WEBHOOK_MAX_BODY_BYTES: '2048',
        OTHER: 'x',
        WEBHOOK_SECRET_STRIPE: '',
      }),
    ).toEqual({
      WEBHOOK_SECRET_GITHUB: 's',
      WEBHOOK_SCHEME_ACME: 'hmac-sha256',
      WEBHOOK_MAX_BODY_BYTES: '2048',
    });
  });

  it('gives deployed stages SSM parameter names, never secrets', () => {
    expect(
      webhookEnvironment('dev', {
        WEBHOOK_SOURCES: 'github,My-App',
        WEBHOOK_SECRET_PARAMETER_GITHUB: 'secretsmanager:x',
      }),
    ).toEqual({
      WEBHOOK_SECRET_PARAMETER_GITHUB: 'secretsmanager:x',
      WEBHOOK_SECRET_PARAMETER_MY_APP: 'ssm:/intake/dev/webhooks/my-app',
    });
    expect(Object.keys(webhookEnvironment('prod', {}))).toEqual([
      'WEBHOOK_SECRET_PARAMETER_GITHUB',
      'WEBHOOK_SECRET_PARAMETER_STRIPE',
      'WEBHOOK_SECRET_PARAMETER_STANDARD',
    ]);
  });

  it('refuses to deploy an inline secret or an invalid source name', () => {
    expect(() => webhookEnvironment('prod', { WEBHOOK_SECRET_GITHUB: 'plain' })).toThrow(
      /CloudFormation template/,
    );
    expect(() => webhookEnvironment('dev', { WEBHOOK_SOURCES: 'bad_name' })).toThrow(/invalid source/);
  });

  it("gives a deployed meta source its verify token's parameter and a twilio source its public URL's, by scheme", () => {
    expect(
      webhookEnvironment('dev', {
        WEBHOOK_SOURCES: 'meta,sms,github',
        WEBHOOK_SCHEME_SMS: 'twilio',
      }),
    ).toEqual({
      WEBHOOK_SCHEME_SMS: 'twilio',
      WEBHOOK_SECRET_PARAMETER_META: 'ssm:/intake/dev/webhooks/meta',
      WEBHOOK_VERIFY_TOKEN_PARAMETER_META: 'ssm:/intake/dev/webhooks/meta/verify-token',
      WEBHOOK_SECRET_PARAMETER_SMS: 'ssm:/intake/dev/webhooks/sms',
      WEBHOOK_PUBLIC_URL_PARAMETER_SMS: 'ssm:/intake/dev/webhooks/sms/public-url',
      WEBHOOK_SECRET_PARAMETER_GITHUB: 'ssm:/intake/dev/webhooks/github',
    });
    expect(
      webhookEnvironment('dev', {
        WEBHOOK_SOURCES: 'meta',
        WEBHOOK_VERIFY_TOKEN_PARAMETER_META: 'secretsmanager:meta-token',
      }).WEBHOOK_VERIFY_TOKEN_PARAMETER_META,
    ).toBe('secretsmanager:meta-token');
  });

  it('refuses to deploy an inline verify token or public URL: they come from SSM like the secrets', () => {
    for (const name of ['WEBHOOK_VERIFY_TOKEN_META', 'WEBHOOK_PUBLIC_URL_TWILIO'])
      expect(() => webhookEnvironment('prod', { [name]: 'x' })).toThrow(
        new RegExp(`${name}.*CloudFormation`),
      );
    expect(
      webhookEnvironment('local', {
        WEBHOOK_VERIFY_TOKEN_META: 'local-verify-token',
        WEBHOOK_PUBLIC_URL_TWILIO: 'http://127.0.0.1:3000/webhooks/twilio',
      }),
    ).toEqual({
      WEBHOOK_VERIFY_TOKEN_META: 'local-verify-token',
      WEBHOOK_PUBLIC_URL_TWILIO: 'http://127.0.0.1:3000/webhooks/twilio',
    });
  });
});
