/**
 * Sends one correctly signed webhook to a running intake (by default the local stack), the way the
 * source's provider would, and optionally waits until webhook-process has archived it; or, with
 * `--handshake`, sends the provider's handshake (Slack's url_verification, Meta's hub.challenge…) and
 * checks the answer as the provider would.
 *
 *   npm run webhook:send -- --source github [--event push] [--file payload.json | --body '{...}']
 *                           [--id <delivery id>] [--url http://127.0.0.1:3000] [--wait] [--timeout 30]
 *   npm run webhook:send -- --source meta --handshake [--url …]
 *
 * The secret, scheme and settings come from where the local stack takes them: the shell, else
 * `.env.local`, else `.env` (osls loads `.env.<stage>` or `.env`; the shell wins), read by the receiver's
 * own `loadWebhookSources`; a source whose receiver holds only public keys (Standard Webhooks `whpk_`) is
 * signed with `WEBHOOK_TEST_SIGNING_KEY_<SOURCE>`, which only the tools read. Requests are built by the
 * scheme's sender (src/webhooks/senders/), whatever the scheme. No secret is ever printed. `--wait` looks
 * for the archive in the local stack's bucket (its state file).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, parseEnv } from 'node:util';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../src/aws/clients';
import { clientEnvironment, clientOverrides } from './lib/ops-cli';
import { resolveOpsTarget } from './lib/ops-target';
import { findRunningStackState, stateFilePath } from '../plugins/local-stack/state';
import { archiveKey } from '../src/webhooks/object-keys';
import { normaliseSourceName } from '../src/webhooks/sources';
import {
  buildDelivery,
  buildHandshake,
  loadLocalSources,
  sendingSource,
  type HandshakeHttpRequest,
  type SignedDelivery,
  type WebhookHttpRequest,
} from './lib/webhook-requests';

const serviceDir = join(__dirname, '..');

export interface SendWebhookOptions {
  source: string;
  event?: string;
  /** The raw body to send; a small sample of the source's kind when undefined. */
  body?: Buffer;
  /**
   * The provider's id, put where the provider puts it (header or sample body). Whether the receiver
   * deduplicates by it depends on whether the scheme signs it (see src/webhooks/delivery.ts).
   */
  id?: string;
  /** Send the scheme's handshake instead of a delivery. */
  handshake: boolean;
  url?: string;
  wait: boolean;
  timeoutSeconds: number;
}

export const usage =
  'usage: npm run webhook:send -- --source <name> [--event <type>] [--file <path> | --body <text>] ' +
  '[--id <delivery id>] [--url <base url>] [--wait] [--timeout <seconds>] | --source <name> --handshake [--url <base url>]';

/** Parses the command line (after `--`); throws an Error with a readable message for bad input. */
export function parseSendWebhookArgs(args: readonly string[]): SendWebhookOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      source: { type: 'string' },
      event: { type: 'string' },
      file: { type: 'string' },
      body: { type: 'string' },
      id: { type: 'string' },
      url: { type: 'string' },
      wait: { type: 'boolean', default: false },
      handshake: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '30' },
    },
    strict: true,
  });
  const source = values.source === undefined ? undefined : normaliseSourceName(values.source);
  if (source === undefined) throw new Error(`--source <name> is required ([a-z0-9-]+)\n${usage}`);
  if (values.file !== undefined && values.body !== undefined)
    throw new Error('--file and --body are alternatives: give one');
  if (
    values.handshake &&
    [values.event, values.file, values.body, values.id].some((value) => value !== undefined)
  )
    throw new Error(
      "--handshake sends the scheme's handshake: --event, --file, --body and --id do not apply",
    );
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    throw new Error('--timeout must be a positive number of seconds');
  const body =
    values.file !== undefined
      ? readFileSync(values.file)
      : values.body !== undefined
        ? Buffer.from(values.body, 'utf8')
        : undefined;
  return {
    source,
    ...(values.event !== undefined ? { event: values.event } : {}),
    ...(body !== undefined ? { body } : {}),
    ...(values.id !== undefined ? { id: values.id } : {}),
    ...(values.url !== undefined ? { url: values.url.replace(/\/+$/, '') } : {}),
    wait: values.wait,
    handshake: values.handshake,
    timeoutSeconds,
  };
}

/**
 * The environment the local stack's webhook-receive sees: `.env.local` if it exists, else `.env`
 * (as osls loads them for stage `local`), overridden by the shell. Also says which file was read.
 */
export function localStackEnvironment(
  shell: NodeJS.ProcessEnv,
  dir: string = serviceDir,
): { env: NodeJS.ProcessEnv; file?: string } {
  for (const name of ['.env.local', '.env']) {
    const path = join(dir, name);
    if (existsSync(path)) return { env: { ...parseEnv(readFileSync(path, 'utf8')), ...shell }, file: name };
  }
  return { env: { ...shell } };
}

/**
 * Builds the signed delivery for `options.source` from the webhook configuration in `env` (the same
 * variables the receiver reads) and its scheme's sender (src/webhooks/senders/), signing with the source's
 * test signing key or first (current) secret; the expected delivery id is the receiver's own. Throws an
 * Error naming the variable to set when the source has no local secret.
 */
export function buildSignedWebhook(
  options: Pick<SendWebhookOptions, 'source' | 'event' | 'body' | 'id'>,
  env: NodeJS.ProcessEnv,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): SignedDelivery {
  const sending = sendingSource(loadLocalSources(env), options.source);
  return buildDelivery(sending, {
    nowSeconds,
    ...(options.event === undefined ? {} : { event: options.event }),
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(options.id === undefined ? {} : { id: options.id }),
  });
}

/**
 * Builds the handshake of `source`'s provider with a random challenge (the verify token and public URL
 * from the source's configuration). Throws for a scheme without a handshake.
 */
export function buildSourceHandshake(
  source: string,
  env: NodeJS.ProcessEnv,
  nowSeconds: number = Math.floor(Date.now() / 1000),
  challenge: string = randomBytes(16).toString('hex'),
): HandshakeHttpRequest & { scheme: string } {
  const sending = sendingSource(loadLocalSources(env), source);
  return { ...buildHandshake(sending, { challenge, nowSeconds }), scheme: sending.source.scheme };
}

/** `base` + the request's path and query. */
export function requestUrl(base: string, request: Pick<WebhookHttpRequest, 'path' | 'query'>): string {
  return `${base}${request.path}${request.query === '' ? '' : `?${request.query}`}`;
}

/** Sends a built request; resolves with the answer's status and text. */
export async function sendRequest(
  base: string,
  request: WebhookHttpRequest,
): Promise<{ status: number; statusText: string; text: string; headers: Record<string, string> }> {
  const response = await fetch(requestUrl(base, request), {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: new Uint8Array(request.body) }),
    signal: AbortSignal.timeout(15_000),
  });
  return {
    status: response.status,
    statusText: response.statusText,
    text: await response.text(),
    headers: Object.fromEntries(response.headers),
  };
}

/** The base URL: --url, else the running local stack's (its state file), else offline's default port. */
export function baseUrl(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv,
  dir: string = serviceDir,
): string {
  if (explicit !== undefined) return explicit;
  const state = findRunningStackState(stateFilePath(env, dir));
  if (state) return state.http.url;
  return `http://127.0.0.1:${env.INTAKE_HTTP_PORT || '3000'}`;
}

/**
 * Waits until `events/<source>/<date>/<id>.json` exists in the local stack's bucket (dates of both ends
 * of the wait, in case it spans midnight UTC); resolves with the key, or undefined after `timeoutMs`.
 */
export async function waitForArchive(
  source: string,
  deliveryId: string,
  sentAt: Date,
  timeoutMs: number,
  env: NodeJS.ProcessEnv,
  dir: string = serviceDir,
): Promise<{ bucket: string; key: string } | undefined> {
  const target = resolveOpsTarget('local', env, dir);
  if (target.bucket === undefined) throw new Error('The local stack has no DocumentsBucket');
  const s3 = createS3Client(clientOverrides(target), clientEnvironment(target, env));
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const keys = new Set([
        archiveKey(source, deliveryId, sentAt.toISOString()),
        archiveKey(source, deliveryId, new Date().toISOString()),
      ]);
      for (const key of keys) {
        try {
          await s3.send(new HeadObjectCommand({ Bucket: target.bucket, Key: key }));
          return { bucket: target.bucket, key };
        } catch (error) {
          if ((error as { name?: string }).name !== 'NotFound') throw error;
        }
      }
      if (Date.now() >= deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    s3.destroy();
  }
}

/**
 * One line for a failure of these scripts: "fetch failed" becomes which address could not be reached
 * (the usual cause being a stack that is not running).
 */
export function describeFailure(error: unknown): string {
  if (error instanceof TypeError && error.message === 'fetch failed') {
    const cause = error.cause as { code?: string; address?: string; port?: number } | undefined;
    const where = cause?.address !== undefined ? ` ${cause.address}:${cause.port}` : '';
    return `cannot reach${where} (${cause?.code ?? 'network error'}): is \`npm start\` running? (or pass --url)`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Sends a handshake and says whether its answer is the one the provider wants, in one line. */
export async function runHandshake(
  base: string,
  request: HandshakeHttpRequest,
): Promise<{ answered: boolean; line: string }> {
  const answer = await sendRequest(base, request);
  const problem = request.check(answer.status, answer.text, answer.headers);
  return problem === undefined
    ? {
        answered: true,
        line: `${answer.status} ${answer.statusText}: handshake answered as the provider expects`,
      }
    : {
        answered: false,
        line: `${answer.status} ${answer.statusText}: handshake refused: ${problem}: ${answer.text}`,
      };
}

/** Sends the source's handshake and prints what happened; exit code 1 when it is refused. */
async function sendHandshake(options: SendWebhookOptions, env: NodeJS.ProcessEnv): Promise<void> {
  const request = buildSourceHandshake(options.source, env);
  const base = baseUrl(options.url, env);
  console.log(`${request.method} ${requestUrl(base, request)} (${request.scheme} handshake)`);
  const { answered, line } = await runHandshake(base, request);
  if (!answered) {
    console.error(line);
    process.exit(1);
  }
  console.log(line);
}

async function main(): Promise<void> {
  const options = parseSendWebhookArgs(process.argv.slice(2));
  const { env, file } = localStackEnvironment(process.env);
  if (options.handshake) return sendHandshake(options, env);
  const request = buildSignedWebhook(options, env);
  const base = baseUrl(options.url, env);
  console.log(
    `POST ${requestUrl(base, request)} (${request.scheme} signature, secret from ${file === undefined ? 'the shell' : `the shell or ${file}`})`,
  );
  const sentAt = new Date();
  const response = await sendRequest(base, request);
  if (response.status !== 202) {
    console.error(`${response.status} ${response.statusText}: ${response.text}`);
    process.exit(1);
  }
  const { id } = JSON.parse(response.text) as { id: string };
  const traced = request.providerId === undefined ? '' : ` (sent as ${request.providerId})`;
  const unexpected =
    request.deliveryId === undefined || request.deliveryId === id ? '' : ` (expected ${request.deliveryId})`;
  console.log(`${response.status} Accepted: delivery ${id}${traced}${unexpected}`);
  if (!options.wait) return;
  const archived = await waitForArchive(options.source, id, sentAt, options.timeoutSeconds * 1000, env);
  if (archived === undefined) {
    console.error(
      `Not archived within ${options.timeoutSeconds} s (is webhook-process running? see npm start's log)`,
    );
    process.exit(1);
  }
  console.log(`Archived: s3://${archived.bucket}/${archived.key} (${Date.now() - sentAt.getTime()} ms)`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`webhook:send failed: ${describeFailure(error)}`);
    process.exit(1);
  });
}
