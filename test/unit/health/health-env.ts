/** Environment of the health function in unit tests; imported first so it is set before the function loads. */
export const healthEnv = {
  DOCUMENTS_BUCKET: 'intake-test-documents',
  WEBHOOKS_QUEUE_URL: 'http://127.0.0.1:9324/000000000000/intake-test-webhooks',
  WEBHOOKS_DLQ_URL: 'http://127.0.0.1:9324/000000000000/intake-test-webhooks-dlq',
  DOCUMENTS_QUEUE_URL: 'http://127.0.0.1:9324/000000000000/intake-test-documents',
  DOCUMENTS_DLQ_URL: 'http://127.0.0.1:9324/000000000000/intake-test-documents-dlq',
  IDEMPOTENCY_TABLE: 'intake-test-idempotency',
  HEALTH_CHECK_TIMEOUT_MS: '300',
};

Object.assign(process.env, healthEnv);
