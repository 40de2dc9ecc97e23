/**
 * Env-only stand-in for `@aws-sdk/credential-provider-node`, swapped in by an esbuild `alias` in the
 * Lambda build only (serverless.yml `custom.lambdaBuildAlias`; never for stage `local`).
 *
 * Why: in Lambda the execution role's credentials are always in the environment
 * (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN), so the node provider chain's
 * ini/SSO/process/web-identity/IMDS providers are dead code that every SDK client still loads at
 * cold start (~20 ms in a trial, see DESIGN.md). Local builds keep the full chain: profiles and SSO
 * need it.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { FromEnvInit } from '@aws-sdk/credential-provider-env';

/**
 * Same name and call shape as the node chain's `defaultProvider` (the SDK clients' runtime config
 * calls `defaultProvider(init)`): resolves credentials from the environment variables; rejects with
 * a `CredentialsProviderError` when they are missing, which the error mapping turns into a
 * `CredentialsError`.
 */
export const defaultProvider = (init: FromEnvInit = {}): ReturnType<typeof fromEnv> => fromEnv(init);
