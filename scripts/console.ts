/**
 * Prints the link that opens the operator console of the running `npm start` stack, signed in with a
 * fresh admin token from its local issuer (the same link the banner prints):
 *
 *   npm run console          → http://127.0.0.1:3000/console#token=<jwt>
 *
 * The stack is found by its state file (INTAKE_STATE_FILE, default .intake/local-stack.json).
 */
import { join } from 'node:path';
import { CONSOLE_TOKEN_REQUEST, consoleLink } from '../plugins/local-stack/console-link';
import { readRunningStackState } from '../plugins/local-stack/state';
import { requestLocalToken } from './lib/tokens';
import { describeFailure, localStackEnvironment } from './send-webhook';

const serviceDir = join(__dirname, '..');

/** The console link of the stack running in `serviceDir`; throws naming what is missing. */
export async function consoleLinkOfRunningStack(env: NodeJS.ProcessEnv, dir = serviceDir): Promise<string> {
  const state = readRunningStackState(env, dir);
  if (!state.auth)
    throw new Error('the running local stack has no OIDC issuer: no admin token can be signed');
  return consoleLink(
    state.http.url,
    await requestLocalToken(state.auth.tokenEndpoint, CONSOLE_TOKEN_REQUEST),
  );
}

if (require.main === module) {
  consoleLinkOfRunningStack(localStackEnvironment(process.env).env).then(
    (link) => process.stdout.write(`${link}\n`),
    (error: unknown) => {
      console.error(`console failed: ${describeFailure(error)}`);
      process.exit(1);
    },
  );
}
