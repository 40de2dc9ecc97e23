/*
 * The one way the serverless/*.js guards (run at variable-resolution time through `${file(...)}`) refuse a
 * configuration. osls 4 wraps whatever such a resolver throws as "Received rejection: ${error.stack}"
 * (lib/configuration/variables/sources/file.js): a plain Error, and osls's own ServerlessError too, would
 * print the whole Node stack under the one line that matters. `serverless.classes.Error`, the public way
 * for plugins, is not reachable from a variable resolver. So the error's stack is its message: osls then
 * prints "Cannot resolve … Received rejection: <message>" and nothing more.
 * test/integration/platform/package-guards.test.ts runs osls and fails loudly if that ever changes.
 */

/** An Error whose message is all osls prints: throw it from a resolver to stop packaging with one line. */
function configError(message) {
  const error = new Error(message);
  error.name = 'ConfigError';
  error.stack = message;
  return error;
}

module.exports = { configError };
