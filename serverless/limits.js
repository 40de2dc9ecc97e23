/*
 * Numeric stage params for the limits that bound the bill (serverless.yml params, docs/aws-setup.md#limits),
 * checked and turned into numbers: `--param` values arrive as strings, which CloudFormation and the osls
 * schema (reservedConcurrency is an integer) would otherwise reject or misread.
 */

const { configError } = require('./config-error');

/** `value` of param `name` as a number >= minimum (an integer when `integer`). */
function numberParam(name, value, { integer = true, minimum = 1 } = {}) {
  const text = String(value ?? '').trim();
  const number = Number(text);
  if (text === '' || !Number.isFinite(number) || (integer && !Number.isInteger(number)) || number < minimum) {
    throw configError(
      `param ${name} must be ${integer ? 'an integer' : 'a number'} >= ${minimum}, not "${text}"`,
    );
  }
  return number;
}

const resolver =
  (name, options) =>
  async ({ resolveVariable }) =>
    numberParam(name, await resolveVariable(`param:${name}`), options);

/**
 * Reserved concurrency, or null for `none` (documents.yml falls back to null, which leaves the function
 * unreserved): for accounts whose concurrency quota is too small to reserve any (docs/aws-setup.md#limits).
 */
function reservedConcurrency(name, value) {
  return String(value ?? '').trim() === 'none' ? null : numberParam(name, value);
}

module.exports = {
  numberParam,
  reservedConcurrency,
  apiThrottlingRateLimit: resolver('apiThrottlingRateLimit', { integer: false }),
  apiThrottlingBurstLimit: resolver('apiThrottlingBurstLimit'),
  documentProcessReservedConcurrency: async ({ resolveVariable }) =>
    reservedConcurrency(
      'documentProcessReservedConcurrency',
      await resolveVariable('param:documentProcessReservedConcurrency'),
    ),
};
