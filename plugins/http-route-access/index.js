'use strict';
/*
 * Every HTTP route says on itself who may call it (serverless/http-routes.js): this plugin teaches the
 * framework's schema the `public: <why>` property of an `httpApi` event, and refuses to package or deploy
 * a route that declares neither `public` nor an authorizer with scopes. Loaded for every command; it
 * reads only the resolved function definitions, so a new route needs no other edit.
 */
const { httpRoutesOf, routeAccessProblems } = require('../../serverless/http-routes');

class HttpRouteAccess {
  constructor(serverless) {
    this.serverless = serverless;
    serverless.configSchemaHandler.defineFunctionEventProperties('aws', 'httpApi', {
      properties: { public: { type: 'string', minLength: 1 } },
    });
    this.hooks = { 'before:package:initialize': () => this.checkRoutes() };
  }

  /** Throws the framework's error (one line per route, no stack) when a route does not say who may call it. */
  checkRoutes() {
    const problems = routeAccessProblems(httpRoutesOf(this.serverless.service.functions));
    if (problems.length > 0)
      throw new this.serverless.classes.Error(
        `HTTP routes without access declaration:\n${problems.join('\n')}`,
      );
  }
}

module.exports = HttpRouteAccess;
