import { defaultProvider } from '../../../src/aws/lambda-credential-provider';

const CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

describe('lambda credential provider (env-only defaultProvider for the Lambda build)', () => {
  const saved: Record<string, string | undefined> = {};

  beforeEach(() => {
    for (const name of CREDENTIAL_VARIABLES) saved[name] = process.env[name];
  });

  afterEach(() => {
    for (const name of CREDENTIAL_VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('resolves the execution role credentials Lambda puts in the environment', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret-example';
    process.env.AWS_SESSION_TOKEN = 'session-example';

    const credentials = await defaultProvider()();

    expect(credentials).toMatchObject({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret-example',
      sessionToken: 'session-example',
    });
  });

  it('rejects with CredentialsProviderError instead of falling back to profiles or IMDS', async () => {
    for (const name of CREDENTIAL_VARIABLES) delete process.env[name];

    await expect(defaultProvider({})()).rejects.toMatchObject({ name: 'CredentialsProviderError' });
  });
});
