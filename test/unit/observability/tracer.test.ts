import { invocationTracing, tracingEnabled } from '../../../src/observability/tracer';

const inLambda = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' };
const xrayLoaded = () => Object.keys(require.cache).some((path) => path.includes('aws-xray-sdk-core'));

describe('tracingEnabled (the rule Powertools Tracer applies, decided once)', () => {
  it('is on in a Lambda execution environment when nothing turns it off', () => {
    expect(tracingEnabled(inLambda)).toBe(true);
    expect(tracingEnabled({ ...inLambda, POWERTOOLS_TRACE_ENABLED: 'true' })).toBe(true);
  });

  it('is off outside Lambda (no AWS_EXECUTION_ENV, or an empty one)', () => {
    expect(tracingEnabled({})).toBe(false);
    expect(tracingEnabled({ AWS_EXECUTION_ENV: '  ' })).toBe(false);
  });

  it('is off with POWERTOOLS_TRACE_ENABLED=false, in any case and with spaces, as the local stack sets it', () => {
    expect(tracingEnabled({ ...inLambda, POWERTOOLS_TRACE_ENABLED: 'false' })).toBe(false);
    expect(tracingEnabled({ ...inLambda, POWERTOOLS_TRACE_ENABLED: ' FALSE ' })).toBe(false);
  });

  it("reads this process's environment by default (the tests' turns tracing off, as the local stack's does)", () => {
    expect(process.env.POWERTOOLS_TRACE_ENABLED).toBe('false');
    expect(tracingEnabled()).toBe(false);
    expect(invocationTracing()).toBeUndefined();
  });

  it('is off under SAM local and the Amplify mock, as Powertools decides', () => {
    expect(tracingEnabled({ ...inLambda, AWS_SAM_LOCAL: 'true' })).toBe(false);
    expect(tracingEnabled({ AWS_EXECUTION_ENV: 'AWS_Lambda_amplify-mock' })).toBe(false);
  });
});

describe('invocationTracing', () => {
  it('gives no middleware, and loads no X-Ray SDK, when tracing is off', () => {
    expect(invocationTracing({ ...inLambda, POWERTOOLS_TRACE_ENABLED: 'false' })).toBeUndefined();
    expect(xrayLoaded()).toBe(false);
  });

  it("gives Powertools' captureLambdaHandler (one, reused) when tracing is on", () => {
    const tracing = invocationTracing(inLambda);
    expect(tracing).toEqual({
      before: expect.any(Function),
      after: expect.any(Function),
      onError: expect.any(Function),
    });
    expect(xrayLoaded()).toBe(true);
    expect(invocationTracing(inLambda)).toBe(tracing);
  });
});
