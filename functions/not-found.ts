import { RouteNotFoundError } from '../src/errors';
import { httpHandler } from '../src/middleware/http';

/** Catch-all route (`httpApi: '*'`): every unknown method and path gets a 404 ROUTE_NOT_FOUND JSON answer. */
export const handler = httpHandler(async () => {
  throw new RouteNotFoundError();
});
