'use strict';
// serverless-offline's public hook for route authentication: the local-stack plugin sets
// `custom.offline.customAuthenticationProvider` to this file at `initialize`, and offline requires it and
// calls it once per route: (endpoint, functionKey, method, path) → { name, scheme, getAuthenticateFunction }.
// It hands over to the plugin bundle the framework already loaded (the same module instance, from
// require's cache: ./index.js), which holds the routes read from serverless.yml and their verifiers
// (plugins/local-stack/auth/offline-authentication.ts).
const localStackPlugin = require('./index.js');

module.exports = function localAuthenticationProvider(endpoint, functionKey, method, path) {
  const implementation = localStackPlugin.loadedImplementation();
  if (!implementation || !implementation.isEnforcing()) {
    // Fail closed: a route offline would otherwise serve without its authorizer.
    throw new Error(
      'local stack: the authentication provider was loaded without the local-stack plugin (list ./plugins/local-stack in serverless.yml plugins)',
    );
  }
  return implementation.authenticationProvider(endpoint, functionKey, method, path);
};
