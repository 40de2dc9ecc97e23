/*
 * The HTTP API access log format: one JSON object per request, each value a $context variable of
 * API Gateway (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html).
 * Written as an object here so the line is valid JSON by construction; serverless.yml reads `format`.
 * requestId is the id our error answers carry; integrationError says why a function failed (timeout,
 * crash, throttle); authorizerError why a token was refused; ip and userAgent who sent it.
 */
const fields = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  requestTime: '$context.requestTimeEpoch',
  httpMethod: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  errorMessage: '$context.error.message',
  caller: '$context.authorizer.claims.sub',
};

module.exports = { fields, format: JSON.stringify(fields) };
