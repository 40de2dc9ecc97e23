/**
 * Sends one correctly signed webhook to a running intake (by default the local stack), the way the
 * source's provider would, and optionally waits until webhook-process has archived it.
 *
 *   npm run webhook:send -- --source github [--event push] [--file payload.json | --body '{...}']
 *                           [--id <delivery id>] [--url http://127.0.0.1:3000] [--wait] [--timeout 30]
 *
 * The secret and scheme come from where the local stack takes them: the shell, else `.env.local`, else
 * `.env` (osls loads `.env.<stage>` or `.env`; the shell wins), read by the receiver's own
 * `loadWebhookSources`. Signing uses the project's signers (src/webhooks/signature/sign.ts). No secret
 * is ever printed. `--wait` looks for the archive in the local stack's bucket (its state file).
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, parseEnv } from 'node:util';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../src/aws/clients';
import { clientEnvironment, clientOverrides } from './lib/ops-cli';
import { resolveOpsTarget } from './lib/ops-target';
import { findRunningStackState, stateFilePath } from '../plugins/local-stack/state';
import { contentDeliveryId } from '../src/webhooks/delivery';
import { archiveKey } from '../src/webhooks/object-keys';
import { senders, signGenericHmac, signGithub, signStandard, signStripe } from '../src/webhooks/senders';
import { loadWebhookSources, normaliseSourceName, sourceEnvSuffix } from '../src/webhooks/sources';

const serviceDir = join(__dirname, '..');

export interface SendWebhookOptions {
  source: string;
  event?: string;
  /** The raw body to send; a small sample of the source's kind when undefined. */
  body?: Buffer;
  /**
   * The id sent in the scheme's id header (github, standard, hmac with an id header). Only `standard`
   * signs it: for github and hmac-sha256 it is kept for tracing and the delivery id is the body's hash.
   */
  id?: string;
  url?: string;
  wait: boolean;
  timeoutSeconds: number;
}

export const usage =
  'usage: npm run webhook:send -- --source <name> [--event <type>] [--file <path> | --body <text>] ' +
  '[--id <delivery id>] [--url <base url>] [--wait] [--timeout <seconds>]';

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
      timeout: { type: 'string', default: '30' },
    },
    strict: true,
  });
  const source = values.source === undefined ? undefined : normaliseSourceName(values.source);
  if (source === undefined) throw new Error(`--source <name> is required ([a-z0-9-]+)\n${usage}`);
  if (values.file !== undefined && values.body !== undefined)
    throw new Error('--file and --body are alternatives: give one');
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

export interface SignedWebhook {
  path: string;
  scheme: string;
  headers: Record<string, string>;
  body: Buffer;
  /** The delivery id the receiver will use, when known here (else the 202 answer tells). */
  deliveryId?: string;
  /**
   * The id sent in an unsigned header (`X-GitHub-Delivery`, an hmac-sha256 id header): the receiver keeps
   * it for tracing only and deduplicates by the body's content id.
   */
  providerId?: string;
}

function sampleBody(scheme: string, event: string, id: string, nowSeconds: number): Buffer {
  const sample: Record<string, unknown> =
    scheme === 'github'
      ? {
          ref: 'refs/heads/main',
          // A push names its commit: distinct deliveries have distinct bodies (intake deduplicates by body).
          after: createHash('sha1').update(id).digest('hex'),
          repository: { full_name: 'octo/intake' },
          sender: { login: 'quickstart' },
        }
      : scheme === 'stripe'
        ? {
            id,
            object: 'event',
            type: event,
            created: nowSeconds,
            livemode: false,
            data: { object: { id: 'pi_quickstart', object: 'payment_intent', amount: 2000 } },
          }
        : {
            id,
            type: event,
            timestamp: new Date(nowSeconds * 1000).toISOString(),
            data: { hello: 'intake' },
          };
  return Buffer.from(JSON.stringify(sample), 'utf8');
}

const defaultEvents: Record<string, string> = {
  github: 'push',
  stripe: 'payment_intent.succeeded',
  standard: 'invoice.paid',
  'hmac-sha256': 'sample.created',
};

/**
 * Builds the signed request for `options.source` from the webhook configuration in `env` (the same
 * variables the receiver reads), signing with the source's first (current) secret. Throws an Error
 * naming the variable to set when the source has no local secret.
 */
export function buildSignedWebhook(
  options: Pick<SendWebhookOptions, 'source' | 'event' | 'body' | 'id'>,
  env: NodeJS.ProcessEnv,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): SignedWebhook {
  const source = loadWebhookSources(env).get(options.source);
  const suffix = sourceEnvSuffix(options.source);
  if (source?.secrets?.kind !== 'env' || source.secrets.secrets.length === 0) {
    throw new Error(
      `No local secret for source "${options.source}": set WEBHOOK_SECRET_${suffix} in the shell or in .env.local ` +
        '(see .env.example), the same value `npm start` runs with' +
        (source === undefined && !['github', 'stripe', 'standard'].includes(options.source)
          ? `, and WEBHOOK_SCHEME_${suffix}`
          : ''),
    );
  }
  const secret = source.secrets.secrets[0]!;
  const event = options.event ?? defaultEvents[source.scheme]!;
  const prefix = senders[source.scheme].idPrefix;
  const generatedId = `${prefix}quickstart_${randomUUID().replace(/-/g, '')}`;
  const id = options.id ?? generatedId;
  const body = options.body ?? sampleBody(source.scheme, event, id, nowSeconds);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  let deliveryId: string | undefined = id;
  let providerId: string | undefined;
  switch (source.scheme) {
    case 'github':
      // X-GitHub-Delivery is not signed: the receiver deduplicates by the body's content id.
      deliveryId = contentDeliveryId(options.source, body);
      providerId = id;
      Object.assign(headers, { 'x-github-event': event, 'x-github-delivery': id }, signGithub(secret, body));
      break;
    case 'stripe':
      // Stripe's delivery id is the event's `id` inside the body: known here only for the sample body.
      if (options.body !== undefined) deliveryId = undefined;
      Object.assign(headers, signStripe(secret, body, nowSeconds));
      break;
    case 'standard':
      Object.assign(headers, signStandard(secret, id, body, nowSeconds));
      break;
    case 'hmac-sha256':
      // Only the body is signed: the receiver deduplicates by its content id, whatever the id header says.
      deliveryId = contentDeliveryId(options.source, body);
      if (source.idHeader !== undefined) {
        headers[source.idHeader] = id;
        providerId = id;
      }
      if (source.eventHeader !== undefined) headers[source.eventHeader] = event;
      Object.assign(headers, signGenericHmac(secret, body, source.hmac!));
      break;
  }
  return {
    path: `/webhooks/${options.source}`,
    scheme: source.scheme,
    headers,
    body,
    ...(deliveryId !== undefined ? { deliveryId } : {}),
    ...(providerId !== undefined ? { providerId } : {}),
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

async function main(): Promise<void> {
  const options = parseSendWebhookArgs(process.argv.slice(2));
  const { env, file } = localStackEnvironment(process.env);
  const request = buildSignedWebhook(options, env);
  const url = `${baseUrl(options.url, env)}${request.path}`;
  console.log(
    `POST ${url} (${request.scheme} signature, secret from ${file === undefined ? 'the shell' : `the shell or ${file}`})`,
  );
  const sentAt = new Date();
  const response = await fetch(url, {
    method: 'POST',
    headers: request.headers,
    body: new Uint8Array(request.body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (response.status !== 202) {
    console.error(`${response.status} ${response.statusText}: ${text}`);
    process.exit(1);
  }
  const { id } = JSON.parse(text) as { id: string };
  const traced = request.providerId === undefined ? '' : ` (sent as ${request.providerId})`;
  console.log(`${response.status} Accepted: delivery ${id}${traced}`);
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
