/**
 * Which keys the local stack's S3 accepts: the one its state file names, and the shell's own keys when
 * the shell sets them (handlers inherit those); any other key is refused, as AWS refuses a key it does
 * not know. The shell's secret never reaches the state file.
 */
import { readFileSync } from 'node:fs';
import { LOCAL_CREDENTIALS } from '../../../plugins/local-stack/handler-environment';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { LocalStack } from '../../../plugins/local-stack/local-stack';
import { silentLog } from '../../../plugins/local-stack/log';
import type { LocalStackSettings } from '../../../plugins/local-stack/settings';
import { inProcessInvoker, localStackTestSettings } from '../../helpers/emulators';

jest.setTimeout(30_000);

const shellKeys = { accessKeyId: 'AKIADEVELOPERSHELL', secretAccessKey: 'developer-shell-secret' };
let stack: LocalStack;
let settings: LocalStackSettings;

beforeAll(async () => {
  settings = await localStackTestSettings();
  stack = await LocalStack.start(
    {
      service: 'it',
      stage: 'local',
      region: 'us-east-1',
      functions: {},
      providerEnvironment: {},
      resources: { Uploads: { Type: 'AWS::S3::Bucket' } },
      httpUrl: 'http://127.0.0.1:1',
      lambdaEndpoint: 'http://127.0.0.1:1',
    },
    {
      settings,
      log: silentLog,
      invoke: inProcessInvoker({}).invoke,
      shellEnv: {
        AWS_ACCESS_KEY_ID: shellKeys.accessKeyId,
        AWS_SECRET_ACCESS_KEY: shellKeys.secretAccessKey,
      },
    },
  );
});

afterAll(async () => {
  await stack?.stop();
});

async function listWith(credentials: { accessKeyId: string; secretAccessKey: string }): Promise<string> {
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: stack.state!.emulators.s3.endpoint,
    forcePathStyle: true,
    maxAttempts: 1,
    // A copy: the SDK writes its bookkeeping into the object it is given.
    credentials: { ...credentials },
  });
  try {
    await client.send(new ListObjectsV2Command({ Bucket: 'it-local-uploads' }));
    return 'accepted';
  } catch (error) {
    return (error as Error).name;
  } finally {
    client.destroy();
  }
}

it('accepts the key the state file names and the keys the shell gave handlers, and refuses any other', async () => {
  expect(await listWith(stack.state!.credentials)).toBe('accepted');
  expect(await listWith(shellKeys)).toBe('accepted');
  expect(await listWith({ ...shellKeys, secretAccessKey: 'guessed' })).toBe('SignatureDoesNotMatch');
  expect(await listWith({ accessKeyId: 'AKIASOMEONEELSE', secretAccessKey: 'x' })).toBe('InvalidAccessKeyId');
});

it('writes its own key to the state file, never the shell secret', () => {
  expect(stack.state!.credentials).toEqual(LOCAL_CREDENTIALS);
  const banner = stack.announce();
  expect(banner).not.toContain(shellKeys.secretAccessKey);
  const written = JSON.parse(readFileSync(settings.stateFile, 'utf8')) as { credentials: unknown };
  expect(written.credentials).toEqual(LOCAL_CREDENTIALS);
  expect(readFileSync(settings.stateFile, 'utf8')).not.toContain(shellKeys.secretAccessKey);
});
