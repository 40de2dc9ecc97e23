import type { PooledFunction } from '../../../plugins/local-stack/function-pool-limit';
import {
  answeringInitFailures,
  isHttpApiEvent,
  SERVICE_UNAVAILABLE_ANSWER,
} from '../../../plugins/local-stack/init-failure-answer';

const httpApiEvent = { version: '2.0', routeKey: 'POST /webhooks/{source}', requestContext: { http: {} } };
const initFailure = Object.assign(new Error('Invalid configuration'), { init: true });
const isInitFailure = (error: unknown) => (error as { init?: boolean }).init === true;

/** One function instance whose run settles with `outcome`. */
function instanceSettlingWith(outcome: () => Promise<unknown>): PooledFunction {
  return { status: 'IDLE', setEvent: () => {}, runHandler: outcome, cleanup: async () => undefined };
}

function invoke(instance: () => PooledFunction, event: unknown): Promise<unknown> {
  const get = answeringInitFailures(instance, isInitFailure);
  const answered = get.call({}, 'fn', {});
  answered.setEvent(event);
  return answered.runHandler();
}

describe('answeringInitFailures', () => {
  it('answers an HTTP API request whose function failed to initialise 503 Service Unavailable, as API Gateway does', async () => {
    const answer = await invoke(() => instanceSettlingWith(() => Promise.reject(initFailure)), httpApiEvent);
    expect(answer).toEqual({
      statusCode: 503,
      headers: { 'content-type': 'application/json' },
      body: '{"message":"Service Unavailable"}',
      isBase64Encoded: false,
    });
    expect(answer).not.toBe(SERVICE_UNAVAILABLE_ANSWER);
  });

  it('leaves a function error, and an init failure outside an HTTP API request, to serverless-offline', async () => {
    const functionError = new Error('thrown by the handler');
    await expect(
      invoke(() => instanceSettlingWith(() => Promise.reject(functionError)), httpApiEvent),
    ).rejects.toBe(functionError);
    await expect(
      invoke(() => instanceSettlingWith(() => Promise.reject(initFailure)), { Records: [] }),
    ).rejects.toBe(initFailure);
  });

  it('passes results through and wraps an instance the pool hands out again only once', async () => {
    const instance = instanceSettlingWith(async () => 'done');
    const get = answeringInitFailures(() => instance, isInitFailure);
    const first = get.call({}, 'fn', {});
    const runHandler = first.runHandler;
    expect(get.call({}, 'fn', {}).runHandler).toBe(runHandler);
    first.setEvent(httpApiEvent);
    await expect(first.runHandler()).resolves.toBe('done');
  });
});

describe('isHttpApiEvent', () => {
  it('recognises a payload 2.0 event and nothing else', () => {
    expect(isHttpApiEvent(httpApiEvent)).toBe(true);
    expect(isHttpApiEvent({ ...httpApiEvent, version: '1.0' })).toBe(false);
    expect(isHttpApiEvent({ version: '2.0', routeKey: 'GET /', requestContext: {} })).toBe(false);
    expect(isHttpApiEvent(undefined)).toBe(false);
  });
});
