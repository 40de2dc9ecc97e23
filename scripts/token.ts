/**
 * Prints an access token for the API, and nothing else on stdout, so that
 *   curl -H "authorization: Bearer $(npm run --silent token -- --sub alice)" http://127.0.0.1:3000/documents
 * works.
 *
 *   npm run token -- --sub alice [--scope "documents/read documents/write"] [--tenant t1] [--ttl 3600]
 *   npm run token -- --stage dev [--scope read]      (client credentials, see --help)
 *
 * Locally it asks the running stack's OIDC issuer (its state file: INTAKE_STATE_FILE, default
 * .intake/local-stack.json). For another stage it runs the OAuth2 client-credentials grant when
 * INTAKE_TOKEN_URL, INTAKE_TOKEN_CLIENT_ID and INTAKE_TOKEN_CLIENT_SECRET are set, else says on stderr
 * how to get a token from the stage's Cognito and exits 1.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { clientCredentialsToken, localStackToken, type LocalTokenRequest } from './lib/tokens';
import { describeFailure, localStackEnvironment } from './send-webhook';

const serviceDir = join(__dirname, '..');

/** The short scope names `--scope` accepts beside full ones. */
export const SCOPE_ALIASES: Record<string, string> = {
  read: 'documents/read',
  write: 'documents/write',
  admin: 'intake/admin',
};
export const DEFAULT_SCOPE = 'documents/read documents/write';
export const DEFAULT_TENANT_CLAIM = 'custom:tenant';

export const usage = `usage: npm run token -- --sub <subject> [--scope <scopes>] [--tenant <value>] [--tenant-claim <claim>] [--ttl <seconds>]
       npm run token -- --stage <stage> [--scope <scopes>]

Prints an access token, and only the token, on stdout.

  --sub <subject>        the token's sub (required locally)
  --scope <scopes>       space- or comma-separated; full names (documents/read) or the short names
                         read (documents/read), write (documents/write), admin (intake/admin).
                         Default: "${DEFAULT_SCOPE}"
  --tenant <value>       adds the tenant claim: the one DOCUMENTS_OWNER_CLAIM names (when set and not
                         sub), else ${DEFAULT_TENANT_CLAIM}
  --tenant-claim <name>  the claim --tenant sets, whatever DOCUMENTS_OWNER_CLAIM says
  --ttl <seconds>        lifetime (default 3600)
  --stage <stage>        local (default): the running npm start's issuer. Any other stage: the OAuth2
                         client-credentials grant with INTAKE_TOKEN_URL, INTAKE_TOKEN_CLIENT_ID and
                         INTAKE_TOKEN_CLIENT_SECRET (e.g. the stack's Cognito machine client)`;

export type TokenCommand =
  | { kind: 'help' }
  | { kind: 'local'; request: LocalTokenRequest }
  | { kind: 'remote'; stage: string; scope: string };

/** `documents/read write` → `documents/read documents/write` (order kept, duplicates dropped). */
export function expandScopes(raw: string): string {
  const names = raw
    .split(/[\s,]+/)
    .filter((name) => name.length > 0)
    .map((name) => SCOPE_ALIASES[name] ?? name);
  if (names.length === 0) throw new Error('--scope needs at least one scope');
  return [...new Set(names)].join(' ');
}

/** The claim `--tenant` sets: --tenant-claim, else DOCUMENTS_OWNER_CLAIM unless it is sub, else custom:tenant. */
export function tenantClaimName(explicit: string | undefined, env: NodeJS.ProcessEnv): string {
  if (explicit !== undefined && explicit !== '') return explicit;
  const owner = env.DOCUMENTS_OWNER_CLAIM;
  return owner && owner !== 'sub' ? owner : DEFAULT_TENANT_CLAIM;
}

/** Parses the command line (after `--`); throws an Error with a readable message for bad input. */
export function parseTokenArgs(args: readonly string[], env: NodeJS.ProcessEnv): TokenCommand {
  const { values } = parseArgs({
    args: [...args],
    options: {
      sub: { type: 'string' },
      scope: { type: 'string' },
      tenant: { type: 'string' },
      'tenant-claim': { type: 'string' },
      ttl: { type: 'string' },
      stage: { type: 'string', default: 'local' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return { kind: 'help' };
  const scope = values.scope === undefined ? DEFAULT_SCOPE : expandScopes(values.scope);
  if (values.stage !== 'local') return { kind: 'remote', stage: values.stage, scope };
  if (values.sub === undefined || values.sub === '') throw new Error(`--sub <subject> is required\n${usage}`);
  let ttlSeconds: number | undefined;
  if (values.ttl !== undefined) {
    ttlSeconds = Number(values.ttl);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
      throw new Error('--ttl must be a whole number of seconds');
  }
  const claims =
    values.tenant === undefined
      ? undefined
      : { [tenantClaimName(values['tenant-claim'], env)]: values.tenant };
  return {
    kind: 'local',
    request: {
      sub: values.sub,
      scope,
      ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
      ...(claims ? { claims } : {}),
    },
  };
}

/** What to do on a deployed stage without client credentials (printed on stderr). */
export function cognitoInstructions(stage: string): string {
  return [
    `no token endpoint configured for stage ${stage}. With the stack's Cognito user pool:`,
    `  1. read the stack's outputs CognitoTokenUrl and CognitoMachineClientId:`,
    `     aws cloudformation describe-stacks --stack-name intake-${stage} --query "Stacks[0].Outputs"`,
    `  2. read that client's secret:`,
    `     aws cognito-idp describe-user-pool-client --user-pool-id <pool id> --client-id <CognitoMachineClientId> --query UserPoolClient.ClientSecret`,
    `  3. INTAKE_TOKEN_URL=<CognitoTokenUrl> INTAKE_TOKEN_CLIENT_ID=<id> INTAKE_TOKEN_CLIENT_SECRET=<secret> npm run token -- --stage ${stage} [--scope read]`,
    `A user's token comes from the pool's hosted sign-in instead (docs/auth.md).`,
  ].join('\n');
}

/** Runs the command; resolves with the token to print, or undefined when it printed instructions instead. */
export async function runToken(command: TokenCommand, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (command.kind === 'help') {
    console.log(usage);
    return undefined;
  }
  if (command.kind === 'local') return localStackToken(command.request, env, serviceDir);
  const {
    INTAKE_TOKEN_URL: tokenUrl,
    INTAKE_TOKEN_CLIENT_ID: clientId,
    INTAKE_TOKEN_CLIENT_SECRET: clientSecret,
  } = env;
  if (!tokenUrl || !clientId || !clientSecret) {
    console.error(cognitoInstructions(command.stage));
    return undefined;
  }
  return clientCredentialsToken({ tokenUrl, clientId, clientSecret, scope: command.scope });
}

async function main(): Promise<void> {
  const { env } = localStackEnvironment(process.env);
  const command = parseTokenArgs(process.argv.slice(2), env);
  const token = await runToken(command, env);
  if (token === undefined) {
    process.exitCode = command.kind === 'help' ? 0 : 1;
    return;
  }
  process.stdout.write(`${token}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`token failed: ${describeFailure(error)}`);
    process.exit(1);
  });
}
