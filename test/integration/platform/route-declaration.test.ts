/**
 * A route is written once: its `httpApi` event in serverless/*.yml (and its handler). This test adds
 * routes to a copy of the service and packages it for real (`sls package --stage local`, no credentials):
 * the package check, the CI template gate and npm start's authorizer all pick the new routes up from the
 * function definitions with no other edit, and a route that does not say who may call it stops packaging.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readPackagedFunctions, readPackagedTemplate } from '../../../bench/lib/serverless-package';
import { readHttpApiRoutes } from '../../../plugins/local-stack/auth/authorizer-routes';
import { httpRoutesOf, publicRouteKeys } from '../../../serverless/http-routes';
import { routeViolations, templateViolations } from '../../../scripts/lib/template-rules';
import type { Template } from '../../../scripts/lib/template-rules';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..', '..');
const run = promisify(execFile);
const SERVICE_FILES = [
  'serverless.yml',
  'serverless',
  'plugins',
  'functions',
  'src',
  'package.json',
  'tsconfig.json',
];

/** A copy of the service whose serverless/<file> has `events` appended to function `functionKey`'s events. */
function serviceWithRoutes(file: string, functionKey: string, events: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'intake-route-'));
  for (const entry of SERVICE_FILES) cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const path = join(dir, 'serverless', file);
  const yaml = readFileSync(path, 'utf8');
  const anchor = `${functionKey}:\n`;
  const start = yaml.indexOf(anchor);
  const eventsAt = yaml.indexOf('  events:\n', start) + '  events:\n'.length;
  writeFileSync(path, yaml.slice(0, eventsAt) + events + yaml.slice(eventsAt));
  return dir;
}

async function packageLocal(dir: string): Promise<string> {
  const outDir = join(dir, '.package');
  await run(join(dir, 'node_modules', '.bin', 'sls'), ['package', '--stage', 'local', '--package', outDir], {
    cwd: dir,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return outDir;
}

describe('adding an HTTP route: its serverless/*.yml entry and nothing else', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('reaches the template gate and the local authorizer, protected or declared public', async () => {
    const dir = serviceWithRoutes(
      'documents.yml',
      'documents-api',
      [
        '    - httpApi:',
        '        method: GET',
        '        path: /documents/{id}/history',
        '        authorizer: { name: jwtAuthorizer, scopes: [documents/read] }',
        '    - httpApi:',
        '        method: GET',
        '        path: /upload-formats',
        '        public: the accepted upload types, published for any client',
        '',
      ].join('\n'),
    );
    dirs.push(dir);
    const outDir = await packageLocal(dir);
    const template = readPackagedTemplate(outDir) as Template;
    const functions = readPackagedFunctions(outDir);
    const routeKeys = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route')
      .map((resource) => resource.Properties!.RouteKey);
    expect(routeKeys).toEqual(expect.arrayContaining(['GET /documents/{id}/history', 'GET /upload-formats']));

    // The CI gate: the declared public route may go without authorization, the new one has its scope.
    const publicRoutes = publicRouteKeys(httpRoutesOf(functions));
    expect(publicRoutes).toContain('GET /upload-formats');
    expect(templateViolations(template, { stage: 'local', publicRoutes })).toEqual([]);
    // ... and without the declaration, the new public route would be refused.
    expect(
      routeViolations(template, {
        publicRoutes: publicRoutes.filter((key) => key !== 'GET /upload-formats'),
      }),
    ).toEqual([expect.stringContaining('(GET /upload-formats): no authorizer and not declared public')]);

    // npm start's authorizer reads the same definitions: the new route is guarded with its scope.
    const state = JSON.parse(readFileSync(join(outDir, 'serverless-state.json'), 'utf8'));
    const local = readHttpApiRoutes(functions as never, state.service.provider.httpApi.authorizers);
    expect(
      local.find((route) => route.routeKey === 'GET /documents/{id}/history')?.authorizer?.scopes,
    ).toEqual(['documents/read']);
    expect(local.find((route) => route.routeKey === 'GET /upload-formats')).toEqual({
      functionKey: 'documents-api',
      routeKey: 'GET /upload-formats',
    });
  });

  it('stops packaging, naming the route, when a new route declares neither an authorizer nor public', async () => {
    const dir = serviceWithRoutes(
      'documents.yml',
      'documents-api',
      "    - httpApi: 'GET /documents/export'\n",
    );
    dirs.push(dir);
    const failure = await packageLocal(dir).then(
      () => ({ stdout: 'packaged', stderr: '' }),
      (error: { stdout: string; stderr: string }) => error,
    );
    expect(`${failure.stdout}${failure.stderr}`).toContain(
      'function documents-api, route GET /documents/export: no authorizer and not declared `public: <why>`',
    );
  });
});
