import { localHandlerEnvironment } from '../../../plugins/local-stack/handler-environment';
import { LocalSettingsError, readLocalStackSettings } from '../../../plugins/local-stack/settings';

describe('readLocalStackSettings', () => {
  it('uses the documented defaults', () => {
    expect(readLocalStackSettings({}, '/srv')).toEqual({
      ports: { s3: 4569, sqs: 9324, dynamodb: 8000, issuer: 3004 },
      stateFile: '/srv/.intake/local-stack.json',
      fixtures: false,
      singleBuild: true,
      asyncRetryDelaysMs: [1000, 2000],
      functionConcurrency: 5,
    });
  });

  it('reads ports, data folder, state file, fixtures, bundling, retry delays, function concurrency and paused mappings from INTAKE_* variables', () => {
    const settings = readLocalStackSettings(
      {
        INTAKE_S3_PORT: '1',
        INTAKE_SQS_PORT: '2',
        INTAKE_DYNAMODB_PORT: '3',
        INTAKE_ISSUER_PORT: '4',
        INTAKE_DATA_DIR: 'data',
        INTAKE_STATE_FILE: '/tmp/state.json',
        INTAKE_FIXTURES: 'true',
        INTAKE_SINGLE_BUILD: 'false',
        INTAKE_ASYNC_RETRY_DELAYS_MS: '10, 20',
        INTAKE_FUNCTION_CONCURRENCY: '3',
        INTAKE_PAUSED_SQS_MAPPINGS: 'webhook-process, fixture-sqs-consumer',
      },
      '/srv',
    );
    expect(settings).toEqual({
      ports: { s3: 1, sqs: 2, dynamodb: 3, issuer: 4 },
      dataDir: '/srv/data',
      stateFile: '/tmp/state.json',
      fixtures: true,
      singleBuild: false,
      asyncRetryDelaysMs: [10, 20],
      functionConcurrency: 3,
      pausedSqsMappings: ['webhook-process', 'fixture-sqs-consumer'],
    });
  });

  it.each([
    [{ INTAKE_S3_PORT: 'abc' }, 'INTAKE_S3_PORT=abc'],
    [{ INTAKE_SQS_PORT: '70000' }, 'INTAKE_SQS_PORT=70000'],
    [{ INTAKE_ISSUER_PORT: 'x' }, 'INTAKE_ISSUER_PORT=x'],
    [{ INTAKE_ASYNC_RETRY_DELAYS_MS: '1,x' }, 'INTAKE_ASYNC_RETRY_DELAYS_MS'],
    [{ INTAKE_FUNCTION_CONCURRENCY: '0' }, 'INTAKE_FUNCTION_CONCURRENCY=0'],
    [{ INTAKE_FUNCTION_CONCURRENCY: '2.5' }, 'INTAKE_FUNCTION_CONCURRENCY=2.5'],
    [{ INTAKE_PAUSED_SQS_MAPPINGS: 'webhook-process,a b' }, 'INTAKE_PAUSED_SQS_MAPPINGS=webhook-process,a b'],
  ])('names the invalid variable: %j', (env, name) => {
    expect(() => readLocalStackSettings(env, '/srv')).toThrow(LocalSettingsError);
    expect(() => readLocalStackSettings(env, '/srv')).toThrow(name);
  });
});

describe('localHandlerEnvironment', () => {
  const endpoints = { s3: 'http://s3', sqs: 'http://sqs', dynamodb: 'http://ddb', lambda: 'http://lambda' };

  it('points every SDK client at the emulators, quiets Powertools and marks instances on-demand as Lambda does', () => {
    expect(localHandlerEnvironment(endpoints, 'us-east-1', {})).toEqual({
      AWS_ENDPOINT_URL_S3: 'http://s3',
      AWS_ENDPOINT_URL_SQS: 'http://sqs',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://ddb',
      AWS_ENDPOINT_URL_LAMBDA: 'http://lambda',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
    });
  });

  it('lets values from the shell win', () => {
    const environment = localHandlerEnvironment(endpoints, 'us-east-1', {
      AWS_ENDPOINT_URL_S3: 'http://mine',
    });
    expect(environment.AWS_ENDPOINT_URL_S3).toBe('http://mine');
  });

  it("gives a profiled stack's functions the CPU profiler flags and nothing else of the shell's NODE_OPTIONS", () => {
    const environment = localHandlerEnvironment(endpoints, 'us-east-1', {
      NODE_OPTIONS: '--import tsx --cpu-prof --cpu-prof-dir=/tmp/profiles',
    });
    expect(environment.NODE_OPTIONS).toBe('--cpu-prof --cpu-prof-dir=/tmp/profiles');
    expect(
      localHandlerEnvironment(endpoints, 'us-east-1', { NODE_OPTIONS: '--import tsx' }),
    ).not.toHaveProperty('NODE_OPTIONS');
  });
});
