/*
 * Environment of webhook-receive, built at variable-resolution time (`${file(...):receiveEnvironment}`),
 * because the set of sources is open: every WEBHOOK_<SETTING>_<SOURCE> of the deploying shell / .env is
 * passed on, except that inline secrets (WEBHOOK_SECRET_<SOURCE>) are only ever passed to the `local`
 * stage. Any other stage gets WEBHOOK_SECRET_PARAMETER_<SOURCE> (default `ssm:/intake/<stage>/webhooks/<source>`)
 * for each source in WEBHOOK_SOURCES (default github,stripe,standard), so a secret never lands in the
 * CloudFormation template; the function reads it at run time (Powertools Parameters, cached). A `meta`
 * source also gets WEBHOOK_VERIFY_TOKEN_PARAMETER_<SOURCE> (default `…/<source>/verify-token`) and a
 * `twilio` one WEBHOOK_PUBLIC_URL_PARAMETER_<SOURCE> (`…/<source>/public-url`); inline verify tokens and
 * public URLs are refused there too.
 */
const { configError } = require('./config-error');

const settingPattern =
  /^WEBHOOK_(SECRET|SECRET_PARAMETER|SCHEME|SIGNATURE_HEADER|SIGNATURE_ENCODING|SIGNATURE_PREFIX|ID_HEADER|EVENT_HEADER|VERIFY_TOKEN|VERIFY_TOKEN_PARAMETER|PUBLIC_URL|PUBLIC_URL_PARAMETER)_[A-Z0-9_]+$/;
/** Settings read from SSM outside `local`, like the secrets: never inline in a deployed template. */
const storedSettings = ['SECRET', 'VERIFY_TOKEN', 'PUBLIC_URL'];
/** The settings a scheme needs besides its secrets, and the parameter each defaults to. */
const schemeSettings = {
  meta: [['VERIFY_TOKEN', 'verify-token']],
  twilio: [['PUBLIC_URL', 'public-url']],
};
const fixedSettings = ['WEBHOOK_MAX_BODY_BYTES', 'WEBHOOK_SECRET_CACHE_SECONDS', 'WEBHOOK_HISTORY_TTL_DAYS'];

/** The webhook part of the receiver's environment for `stage`, from `env` (pure, for tests). */
function webhookEnvironment(stage, env) {
  const result = {};
  const local = stage === 'local';
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue;
    if (fixedSettings.includes(name)) result[name] = value;
    else if (settingPattern.test(name)) {
      const inline = storedSettings.find(
        (setting) =>
          name.startsWith(`WEBHOOK_${setting}_`) && !name.startsWith(`WEBHOOK_${setting}_PARAMETER_`),
      );
      if (inline !== undefined && !local) {
        const what = inline === 'PUBLIC_URL' ? '' : 'holds a secret and ';
        throw configError(
          `${name} ${what}would be written into the CloudFormation template of stage ${stage}: ` +
            'store it in SSM Parameter Store (see docs/webhooks.md) and unset it before deploying',
        );
      }
      result[name] = value;
    }
  }
  if (!local) {
    const sources = (env.WEBHOOK_SOURCES || 'github,stripe,standard')
      .split(',')
      .map((source) => source.trim().toLowerCase())
      .filter((source) => source.length > 0);
    for (const source of sources) {
      if (!/^[a-z0-9-]+$/.test(source))
        throw configError(`WEBHOOK_SOURCES names an invalid source "${source}"`);
      const suffix = source.toUpperCase().replace(/-/g, '_');
      result[`WEBHOOK_SECRET_PARAMETER_${suffix}`] ??= `ssm:/intake/${stage}/webhooks/${source}`;
      const scheme = (env[`WEBHOOK_SCHEME_${suffix}`] || source).toLowerCase();
      for (const [setting, leaf] of schemeSettings[scheme] ?? [])
        result[`WEBHOOK_${setting}_PARAMETER_${suffix}`] ??=
          `ssm:/intake/${stage}/webhooks/${source}/${leaf}`;
    }
  }
  return result;
}

module.exports = {
  webhookEnvironment,
  receiveEnvironment: async ({ resolveVariable }) => {
    const stage = await resolveVariable('sls:stage');
    return {
      DOCUMENTS_BUCKET: { Ref: 'DocumentsBucket' },
      WEBHOOKS_QUEUE_URL: { Ref: 'WebhooksQueue' },
      DELIVERIES_TABLE: { Ref: 'DeliveriesTable' },
      ...webhookEnvironment(stage, process.env),
    };
  },
};
