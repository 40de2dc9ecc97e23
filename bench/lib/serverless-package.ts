import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

export const PROJECT_ROOT = join(__dirname, '..', '..');
const SLS = join(PROJECT_ROOT, 'node_modules', '.bin', 'sls');

/** One deployed function as `sls package` built it. */
export interface FunctionArtifact {
  logicalId: string;
  functionName: string;
  zipName: string;
  zipPath: string;
  bytes: number;
}

/**
 * Runs `sls package --stage <stage> --package <outDir>` (no credentials or network needed) and throws
 * with the CLI output when it fails. A private outDir keeps parallel runs off the shared `.serverless/`.
 * `env` adds to this process's environment (e.g. the CPU profiler's NODE_OPTIONS).
 */
export function packageService(outDir: string, stage = 'dev', env: Record<string, string> = {}): void {
  const run = spawnSync(SLS, ['package', '--stage', stage, '--package', outDir], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', ...env },
  });
  if (run.status !== 0) {
    throw new Error(`sls package --stage ${stage} failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
}

/** The CloudFormation template written by `sls package` into outDir. */
export function readPackagedTemplate(outDir: string): CloudFormationTemplate {
  return JSON.parse(readFileSync(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8'));
}

/** The function definitions (resolved, events included) `sls package` saved in outDir's serverless-state.json. */
export function readPackagedFunctions(
  outDir: string,
): Record<string, { events?: Record<string, unknown>[] }> {
  const state = JSON.parse(readFileSync(join(outDir, 'serverless-state.json'), 'utf8'));
  return state.service.functions;
}

export interface CloudFormationTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;
  [key: string]: unknown;
}

/**
 * Every AWS::Lambda::Function of the packaged template with the zip it deploys (the template's
 * Code.S3Key names it) and that zip's size; a zip the template names but outDir lacks has bytes -1.
 */
export function functionArtifacts(outDir: string): FunctionArtifact[] {
  const template = readPackagedTemplate(outDir);
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      const code = properties.Code as { S3Key?: string } | undefined;
      const zipName = basename(String(code?.S3Key ?? ''));
      const zipPath = join(outDir, zipName);
      return {
        logicalId,
        functionName: String(properties.FunctionName ?? logicalId),
        zipName,
        zipPath,
        bytes: zipName && existsSync(zipPath) ? statSync(zipPath).size : -1,
      };
    });
}
