/**
 * The console's link with an admin token from the local issuer in its fragment
 * (`http://127.0.0.1:3000/console#token=<jwt>`): the banner prints one, `npm run console` prints a fresh one.
 * A fragment never reaches a server or an access log; the page moves the token into sessionStorage and
 * drops it from the address bar (src/console/page/token.ts).
 */
import { httpRoutesOf } from '../../serverless/http-routes';
import type { FunctionDefinition } from './service-model';

/** The route of the `console` function (serverless/console-page.yml). */
export const CONSOLE_ROUTE_KEY = 'GET /console';

/** Long enough for a working day of npm start; past it, `npm run console` prints a fresh link. */
export const CONSOLE_TOKEN_TTL_SECONDS = 8 * 3600;

/** What the local issuer signs for the console: an admin token for a local operator. */
export const CONSOLE_TOKEN_REQUEST = {
  sub: 'local-console',
  scope: 'intake/admin',
  ttlSeconds: CONSOLE_TOKEN_TTL_SECONDS,
  claims: {},
} as const;

/** Whether the service declares the console's page route. */
export function servesConsole(functions: Record<string, FunctionDefinition>): boolean {
  return httpRoutesOf(functions).some((route: { routeKey: string }) => route.routeKey === CONSOLE_ROUTE_KEY);
}

/** `http://127.0.0.1:3000` + token → `http://127.0.0.1:3000/console#token=<token>`. */
export function consoleLink(httpUrl: string, token: string): string {
  return `${httpUrl.replace(/\/+$/, '')}${CONSOLE_ROUTE_KEY.slice('GET '.length)}#token=${encodeURIComponent(token)}`;
}
