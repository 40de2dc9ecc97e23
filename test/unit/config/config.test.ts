import { ConfigError } from '../../../src/errors';
import { loadConfig, loadConfigOrExit, variables } from '../../../src/config';

const queueUrl = 'http://127.0.0.1:9324/000000000000/intake-local-webhooks';

describe('loadConfig', () => {
  it('returns the requested variables, typed, with defaults applied', () => {
    const config = loadConfig(
      ['AWS_REGION', 'DOCUMENTS_BUCKET', 'HEALTH_CHECK_TIMEOUT_MS', 'HEALTH_LAMBDA_FUNCTIONS'],
      {
        DOCUMENTS_BUCKET: 'intake-local-documents',
      },
    );
    expect(config).toEqual({
      AWS_REGION: 'us-east-1',
      DOCUMENTS_BUCKET: 'intake-local-documents',
      HEALTH_CHECK_TIMEOUT_MS: 2000,
      HEALTH_LAMBDA_FUNCTIONS: [],
    });
  });

  it('coerces numbers and splits comma-separated lists, ignoring blanks', () => {
    const config = loadConfig(['HEALTH_CHECK_TIMEOUT_MS', 'HEALTH_LAMBDA_FUNCTIONS'], {
      HEALTH_CHECK_TIMEOUT_MS: '750',
      HEALTH_LAMBDA_FUNCTIONS: ' intake-dev-a, ,intake-dev-b,',
    });
    expect(config).toEqual({
      HEALTH_CHECK_TIMEOUT_MS: 750,
      HEALTH_LAMBDA_FUNCTIONS: ['intake-dev-a', 'intake-dev-b'],
    });
  });

  it('leaves optional endpoints undefined when unset or empty', () => {
    expect(loadConfig(['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_SQS'], { AWS_ENDPOINT_URL_SQS: '' })).toEqual(
      {
        AWS_ENDPOINT_URL_S3: undefined,
        AWS_ENDPOINT_URL_SQS: undefined,
      },
    );
  });

  it('only reads the variables it is asked for', () => {
    expect(
      loadConfig(['WEBHOOKS_QUEUE_URL'], { WEBHOOKS_QUEUE_URL: queueUrl, DOCUMENTS_BUCKET: '' }),
    ).toEqual({
      WEBHOOKS_QUEUE_URL: queueUrl,
    });
  });

  it('names every missing and every invalid variable in one ConfigError', () => {
    const attempt = () =>
      loadConfig(['DOCUMENTS_BUCKET', 'IDEMPOTENCY_TABLE', 'WEBHOOKS_QUEUE_URL', 'HEALTH_CHECK_TIMEOUT_MS'], {
        IDEMPOTENCY_TABLE: '   ',
        WEBHOOKS_QUEUE_URL: 'not a url',
        HEALTH_CHECK_TIMEOUT_MS: '10',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const configError = error as ConfigError;
      expect(configError.variables).toEqual([
        'DOCUMENTS_BUCKET',
        'IDEMPOTENCY_TABLE',
        'WEBHOOKS_QUEUE_URL',
        'HEALTH_CHECK_TIMEOUT_MS',
      ]);
      expect(configError.message).toContain('DOCUMENTS_BUCKET is missing');
      expect(configError.message).toContain('IDEMPOTENCY_TABLE is invalid: expected a non-empty name');
      expect(configError.message).toContain('WEBHOOKS_QUEUE_URL is invalid: expected an http(s) URL');
      expect(configError.message).toContain(
        'HEALTH_CHECK_TIMEOUT_MS is invalid: expected an integer from 50 to 30000',
      );
    }
  });

  it('never echoes an invalid value (it may be a secret)', () => {
    expect(() => loadConfig(['AWS_ENDPOINT_URL_S3'], { AWS_ENDPOINT_URL_S3: 'ftp://s3cr3t-value' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('s3cr3t') }),
    );
  });

  it('documents every variable', () => {
    for (const [name, variable] of Object.entries(variables)) {
      expect({ name, described: variable.description.length > 10 }).toEqual({ name, described: true });
    }
  });
});

describe('loadConfigOrExit', () => {
  it('returns the config when it is valid', () => {
    expect(loadConfigOrExit(['AWS_REGION'], { AWS_REGION: 'eu-west-1' })).toEqual({
      AWS_REGION: 'eu-west-1',
    });
  });

  it('prints the message naming every variable and exits with code 1', () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      loadConfigOrExit(['DOCUMENTS_BUCKET', 'IDEMPOTENCY_TABLE'], {});
      expect(exit).toHaveBeenCalledWith(1);
      const printed = String(stderr.mock.calls[0]?.[0]);
      expect(printed).toContain('DOCUMENTS_BUCKET is missing');
      expect(printed).toContain('IDEMPOTENCY_TABLE is missing');
    } finally {
      exit.mockRestore();
      stderr.mockRestore();
    }
  });
});
