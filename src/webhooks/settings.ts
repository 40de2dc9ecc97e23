import * as z from 'zod/mini';
import { ConfigError } from '../errors';

/*
 * Webhook-only variables with fixed names. (Per-source WEBHOOK_SECRET_<SOURCE>… are read by sources.ts.)
 * TODO(core): these belong in src/config.ts `variables`; kept here until they are added there.
 */
const schemas = {
  /** Largest webhook body accepted, in bytes (default 1 MiB; API Gateway allows 10 MB, Lambda 6 MB). */
  WEBHOOK_MAX_BODY_BYTES: z._default(
    z.coerce.number().check(z.int(), z.gte(1024), z.lte(4 * 1024 * 1024)),
    1024 * 1024,
  ),
  /** Seconds a secret fetched from SSM / Secrets Manager is reused before it is read again (default 300). */
  WEBHOOK_SECRET_CACHE_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(3600)), 300),
  /** Prefix of downstream function names: route `function` keys are invoked as `<prefix><key>`. */
  WEBHOOK_FUNCTION_PREFIX: z._default(z.string().check(z.regex(/^[A-Za-z0-9-_]*$/)), ''),
};

type WebhookSettings = { [K in keyof typeof schemas]: z.output<(typeof schemas)[K]> };

/** Reads the webhook settings from `env`; throws ConfigError naming every invalid variable. */
export function loadWebhookSettings(env: NodeJS.ProcessEnv = process.env): WebhookSettings {
  const values: Record<string, unknown> = {};
  const invalid: string[] = [];
  for (const [name, schema] of Object.entries(schemas)) {
    const raw = env[name];
    const parsed = z.safeParse(schema as z.ZodMiniType, raw === '' ? undefined : raw);
    if (parsed.success) values[name] = parsed.data;
    else invalid.push(name);
  }
  if (invalid.length > 0) throw new ConfigError(`Invalid webhook settings: ${invalid.join(', ')}`, invalid);
  return values as WebhookSettings;
}
