import { loadConfig, type Config } from '../config';

/*
 * The webhook variables with fixed names, defined in src/config.ts. (The open-ended per-source
 * WEBHOOK_SECRET_<SOURCE>… family is read by sources.ts.)
 */
const webhookVariables = [
  'WEBHOOK_MAX_BODY_BYTES',
  'WEBHOOK_SECRET_CACHE_SECONDS',
  'WEBHOOK_FUNCTION_PREFIX',
  'WEBHOOK_PAUSE_RECHECK_SECONDS',
  'WEBHOOK_CONTROLS_CACHE_SECONDS',
  'WEBHOOK_HISTORY_TTL_DAYS',
] as const;

type WebhookSettings = Config<(typeof webhookVariables)[number]>;

/** Reads the webhook settings from `env`; throws ConfigError naming every invalid variable. */
export function loadWebhookSettings(env: NodeJS.ProcessEnv = process.env): WebhookSettings {
  return loadConfig(webhookVariables, env);
}
