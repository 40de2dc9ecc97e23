/**
 * CI gate on the packaged CloudFormation template: one role per function; in every role (the
 * framework's included) no wildcard action, no NotAction/NotResource, no unscoped resource beyond the
 * X-Ray exception; only webhook-receive writes the claim checks; scoped invoke permissions; logs only to
 * the function's own group; SQS visibility >= 6x consumer timeout; every route has the JWT authorizer
 * (issuer and audience: this stack's Cognito pool) with a scope unless it declares `public: <why>` on
 * itself (serverless/http-routes.js); stage
 * throttling; reserved concurrency for document-process; no CORS '*' outside local; JSON access logs
 * with retention; an alarm on every failure queue; alarms on our metrics scoped to the stage; malware
 * scanning all or nothing, GuardDuty's role without wildcards beyond AWS's documented ones; every taggable
 * resource tagged with service and stage (cost allocation).
 * `npx tsx scripts/check-template.ts [packageDir [stage]]` (default: packages stage dev into a temp dir;
 * a given packageDir is checked as stage `stage`, default dev).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageService, readPackagedFunctions, readPackagedTemplate } from '../bench/lib/serverless-package';
import { httpRoutesOf, publicRouteKeys } from '../serverless/http-routes';
import { templateViolations } from './lib/template-rules';
import type { Template } from './lib/template-rules';
import { routeTargetSettings } from '../src/webhooks/routes';
import routesDocument from '../src/webhooks/webhook-routes.json';

function main(): number {
  const given = process.argv[2];
  const outDir = given ?? mkdtempSync(join(tmpdir(), 'intake-template-'));
  try {
    if (!given) packageService(outDir);
    const stage = process.argv[3] ?? 'dev';
    // The routes declared `public: <why>` on themselves, from the same package's resolved functions.
    const publicRoutes = publicRouteKeys(httpRoutesOf(readPackagedFunctions(outDir)));
    const targetCaps = Object.fromEntries(
      routeTargetSettings(routesDocument).flatMap(({ name, maxConcurrency }) =>
        maxConcurrency === null ? [] : [[name, maxConcurrency]],
      ),
    );
    const violations = templateViolations(readPackagedTemplate(outDir) as Template, {
      stage,
      publicRoutes,
      targetCaps,
    });
    for (const violation of violations) console.error(`template: ${violation}`);
    console.log(
      violations.length === 0
        ? 'template OK: least privilege, SQS visibility, authorizer, throttling, CORS, access log, alarm, malware scanning and cost-allocation tag rules hold'
        : `template FAILED: ${violations.length} violation(s)`,
    );
    return violations.length === 0 ? 0 : 1;
  } finally {
    if (!given) rmSync(outDir, { recursive: true, force: true });
  }
}

process.exitCode = main();
