import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../src/errors';
import { matchesPattern, parseRoutes, routeTargets, routeTargetSettings } from '../../../src/webhooks/routes';

describe('webhook routes', () => {
  const routes = parseRoutes({
    routes: [
      { source: 'github', type: 'pull_request', function: 'pr-handler' },
      { source: 'stripe', type: 'payment_intent.*', function: 'payments' },
      { source: '*', type: '*', function: 'audit' },
      { source: 'stripe', type: '*', function: 'payments' },
    ],
  });

  it('matches exact names and * wildcards, each function once, in route order', () => {
    expect(routeTargets(routes, 'github', 'pull_request')).toEqual(['pr-handler', 'audit']);
    expect(routeTargets(routes, 'stripe', 'payment_intent.succeeded')).toEqual(['payments', 'audit']);
    expect(routeTargets(routes, 'stripe', 'charge.refunded')).toEqual(['audit', 'payments']);
    expect(routeTargets(routes.slice(0, 2), 'gitlab', 'push')).toEqual([]);
  });

  it('treats regex characters in patterns literally', () => {
    expect(matchesPattern('a.b*', 'a.bc')).toBe(true);
    expect(matchesPattern('a.b*', 'axbc')).toBe(false);
    expect(matchesPattern('*.created', 'customer.created')).toBe(true);
    expect(matchesPattern('*.created', 'customer.updated')).toBe(false);
    expect(matchesPattern('a*c*e', 'abcde')).toBe(true);
  });

  it('refuses an invalid routes document with a ConfigError naming where', () => {
    expect(() => parseRoutes({ routes: [{ source: 'GitHub!', type: '*', function: 'x' }] })).toThrow(
      ConfigError,
    );
    expect(() => parseRoutes({ routes: [{ source: 'github', type: '*', function: 'bad name' }] })).toThrow(
      /routes\.0\.function/,
    );
    expect(() => parseRoutes({})).toThrow(ConfigError);
  });

  it('ships a valid routes file beside serverless.yml that routes everything to the sample downstream', () => {
    const document: unknown = JSON.parse(
      readFileSync(join(__dirname, '../../../src/webhooks/webhook-routes.json'), 'utf8'),
    );
    expect(routeTargets(parseRoutes(document), 'github', 'push')).toEqual(['webhook-sample-downstream']);
  });
});

describe('routeTargetSettings', () => {
  const routes = [
    { source: 'github', type: '*', function: 'builds' },
    { source: '*', type: '*', function: 'audit' },
    { source: 'stripe', type: '*', function: 'builds' },
  ];

  it('lists each routed function once, in order, with its cap or null', () => {
    expect(routeTargetSettings({ routes, targets: { audit: { maxConcurrency: 2 } } })).toEqual([
      { name: 'builds', maxConcurrency: null },
      { name: 'audit', maxConcurrency: 2 },
    ]);
    expect(routeTargetSettings({ routes })).toEqual([
      { name: 'builds', maxConcurrency: null },
      { name: 'audit', maxConcurrency: null },
    ]);
  });

  it('refuses a cap on a function no route names, and a cap that is not a whole number from 1 to 1000', () => {
    expect(() => routeTargetSettings({ routes, targets: { billing: { maxConcurrency: 1 } } })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('billing') as string }) as ConfigError,
    );
    for (const maxConcurrency of [0, 1.5, 1001])
      expect(() => routeTargetSettings({ routes, targets: { audit: { maxConcurrency } } })).toThrow(
        ConfigError,
      );
  });
});
