import { ServiceUnavailableError, type IntegrationErrorOptions } from '../errors';

/**
 * A webhook source's secret cannot be used: its parameter or secret is missing, unreadable by the
 * function's role, empty, or not a usable key. The operator's error, not the sender's: answered 503
 * (providers retry, so nothing is lost once it is fixed) with `Retry-After` set to when the store is
 * read again. The message names the source and the store, never the secret; the caller sees only the
 * generic 503 answer.
 */
export class WebhookSourceMisconfiguredError extends ServiceUnavailableError {
  constructor(
    readonly source: string,
    readonly problem: string,
    options: IntegrationErrorOptions,
  ) {
    super(`Webhook source ${source} is misconfigured: ${problem}`, options);
  }
}
