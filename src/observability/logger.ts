import { Logger } from '@aws-lambda-powertools/logger';
import { redactSecrets } from './redaction';

/**
 * The one Logger of a function. Service name from POWERTOOLS_SERVICE_NAME, level from POWERTOOLS_LOG_LEVEL;
 * secret-looking keys (authorization, signatures, tokens, cookies, secrets) are redacted at serialisation.
 * The middleware adds the Lambda context and a correlation id (API Gateway request id / SQS message id).
 */
export const logger = new Logger({ jsonReplacerFn: redactSecrets });
