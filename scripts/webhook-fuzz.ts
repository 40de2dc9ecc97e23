/**
 * Fuzz run (issue 4): random and mutated requests to webhook-receive over HTTP on 127.0.0.1 — sources,
 * headers, encodings, sizes, bodies, and signed requests with one thing changed. Passes when every answer is
 * 2xx or 4xx (never 5xx, never a crash) and the receiver still accepts a valid delivery at the end.
 * The queue is in memory (this run is about input handling; the reliability run covers the queue).
 *
 *   npx tsx scripts/webhook-fuzz.ts [--requests 10000] [--seed 42] [--concurrency 16]
 *
 * Writes bench/results/webhook-fuzz.json; exit code 1 on any 5xx or crash.
 */
import '../test/helpers/middy-under-tsx';
import '../test/helpers/quiet';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { httpHandler } from '../src/middleware/http';
import { createWebhookReceiver } from '../src/webhooks/receiver';
import { signGenericHmac, signGithub, signStandard, signStripe } from '../src/webhooks/senders';
import { createSigningKeyResolver } from '../src/webhooks/signing-keys';
import { loadWebhookSources } from '../src/webhooks/sources';
import { serveHttpHandler } from '../test/helpers/http-server';
import { writeBenchResult } from '../bench/lib/results';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '42' },
    concurrency: { type: 'string', default: '16' },
  },
});
const total = Number(values.requests);
// Each at least 16 bytes: the receiver refuses shorter keys at init.
const secrets = {
  github: 'fuzz github secret',
  stripe: 'whsec_fuzz-stripe-secret',
  standard: `whsec_${Buffer.from('fuzz standard key').toString('base64')}`,
  acme: 'fuzz acme secret',
};
const acme = { header: 'x-acme-signature', encoding: 'base64', prefix: 'sha256=' } as const;
const maxBodyBytes = 64 * 1024;

interface FuzzRequest {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** A correctly signed request for one of the configured sources. */
const signedRequest = fc
  .record({
    scheme: fc.constantFrom('github', 'stripe', 'standard', 'acme'),
    body: fc.oneof(
      fc.json(),
      fc.string({ unit: 'grapheme' }),
      fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    ),
  })
  .map(({ scheme, body }): FuzzRequest => {
    const now = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (scheme === 'github')
      Object.assign(
        headers,
        { 'x-github-event': 'push', 'x-github-delivery': 'fuzz-1' },
        signGithub(secrets.github, body),
      );
    if (scheme === 'stripe') Object.assign(headers, signStripe(secrets.stripe, body, now));
    if (scheme === 'standard') Object.assign(headers, signStandard(secrets.standard, 'msg_fuzz', body, now));
    if (scheme === 'acme') Object.assign(headers, signGenericHmac(secrets.acme, body, acme));
    return { path: `/webhooks/${scheme}`, headers, body: Buffer.from(body, 'utf8') };
  });

const headerName = fc.oneof(
  fc.constantFrom(
    'x-hub-signature-256',
    'stripe-signature',
    'webhook-id',
    'webhook-timestamp',
    'webhook-signature',
    'svix-signature',
    'x-github-delivery',
    'x-github-event',
    'x-acme-signature',
    'content-type',
    'content-encoding',
  ),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
);
const headerValue = fc.oneof(
  fc.string({ maxLength: 120 }).map((text) => text.replace(/[^\t\x20-\x7e]/g, '')),
  fc.constantFrom(
    'sha256=',
    't=,v1=',
    'v1,',
    `t=${Math.floor(Date.now() / 1000)},v1=${'a'.repeat(64)}`,
    'sha256=' + 'g'.repeat(64),
    '-1',
    '1e9',
    ' '.repeat(10),
    'application/octet-stream',
    'multipart/form-data; boundary=x',
    'text/plain',
  ),
);

/** One change to a signed request: body byte, header value, header removed, header case, source case, path. */
const mutated = fc
  .tuple(
    signedRequest,
    fc.nat(),
    fc.nat(),
    headerName,
    headerValue,
    fc.constantFrom('flip', 'truncate', 'set-header', 'drop-header', 'source-case', 'source-bad', 'append'),
  )
  .map(([request, a, b, name, value, how]): FuzzRequest => {
    const copy: FuzzRequest = {
      path: request.path,
      headers: { ...request.headers },
      body: Buffer.from(request.body),
    };
    if (how === 'flip' && copy.body.length > 0)
      copy.body[a % copy.body.length] = (copy.body[a % copy.body.length]! + 1 + (b % 255)) % 256;
    if (how === 'truncate') copy.body = copy.body.subarray(0, a % (copy.body.length + 1));
    if (how === 'set-header') copy.headers[name] = value;
    if (how === 'drop-header')
      delete copy.headers[Object.keys(copy.headers)[a % Object.keys(copy.headers).length]!];
    if (how === 'source-case') copy.path = copy.path.toUpperCase().replace('/WEBHOOKS/', '/webhooks/');
    if (how === 'source-bad')
      copy.path = `/webhooks/${['..%2F', '%00', 'a'.repeat(200), 'ünï', 'git_hub', '%20'][a % 6]}`;
    if (how === 'append') copy.body = Buffer.concat([copy.body, Buffer.from(value)]);
    return copy;
  });

/** Entirely random requests, including oversized bodies and random content types. */
const random = fc.record({
  path: fc.oneof(
    fc.constantFrom(
      '/webhooks/github',
      '/webhooks/stripe',
      '/webhooks/standard',
      '/webhooks/acme',
      '/webhooks/unknown',
    ),
    fc.stringMatching(/^[a-zA-Z0-9-]{1,30}$/).map((source) => `/webhooks/${source}`),
  ),
  headers: fc.dictionary(headerName, headerValue, { maxKeys: 8 }),
  body: fc.oneof(
    fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
    fc.string({ unit: 'grapheme', maxLength: 500 }).map((text) => Buffer.from(text)),
    fc.integer({ min: maxBodyBytes - 16, max: maxBodyBytes * 3 }).map((size) => Buffer.alloc(size, 0x61)),
  ),
});

async function main(): Promise<void> {
  const queued: string[] = [];
  const receiver = httpHandler(
    createWebhookReceiver({
      sources: loadWebhookSources({
        WEBHOOK_SECRET_GITHUB: secrets.github,
        WEBHOOK_SECRET_STRIPE: secrets.stripe,
        WEBHOOK_SECRET_STANDARD: secrets.standard,
        WEBHOOK_SECRET_ACME: secrets.acme,
        WEBHOOK_SCHEME_ACME: 'hmac-sha256',
        WEBHOOK_SIGNATURE_HEADER_ACME: acme.header,
        WEBHOOK_SIGNATURE_ENCODING_ACME: acme.encoding,
        WEBHOOK_SIGNATURE_PREFIX_ACME: acme.prefix,
      }),
      signingKeys: createSigningKeyResolver(),
      nowMs: Date.now,
      maxBodyBytes,
      sendMessage: async (text) => {
        queued.push(text.slice(0, 0));
      },
      storeClaim: async () => undefined,
    }),
  );
  const http = await serveHttpHandler(receiver);
  const requests = fc.sample(
    fc.oneof(
      { arbitrary: mutated, weight: 6 },
      { arbitrary: random, weight: 3 },
      { arbitrary: signedRequest, weight: 1 },
    ),
    { numRuns: total, seed: Number(values.seed) },
  );
  const statuses = new Map<number, number>();
  let unsendable = 0;
  let next = 0;
  const started = Date.now();
  const worker = async () => {
    while (next < requests.length) {
      const request = requests[next++]!;
      try {
        const response = await fetch(`${http.url}${request.path}`, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      } catch {
        // The HTTP client refused to send it (e.g. an invalid header): nothing reached the receiver.
        unsendable++;
      }
    }
  };
  await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
  const seconds = (Date.now() - started) / 1000;

  // Still healthy: a valid delivery is accepted after the storm.
  const [probe] = fc.sample(signedRequest, { numRuns: 1, seed: 7 });
  const healthy = await fetch(`${http.url}${probe!.path}`, {
    method: 'POST',
    headers: probe!.headers,
    body: probe!.body,
  }).then((response) => response.status);
  await http.close();

  const count = (predicate: (status: number) => boolean) =>
    [...statuses].filter(([status]) => predicate(status)).reduce((sum, [, n]) => sum + n, 0);
  const figures = {
    requests: total,
    sent: total - unsendable,
    unsendable,
    answered2xx: count((status) => status >= 200 && status < 300),
    answered4xx: count((status) => status >= 400 && status < 500),
    answered5xx: count((status) => status >= 500),
    statuses: JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b))),
    healthyAfter: healthy,
    requestsPerSecond: Math.round((total - unsendable) / seconds),
  };
  const pass =
    figures.answered5xx === 0 &&
    figures.answered2xx + figures.answered4xx === figures.sent &&
    healthy === 202;
  writeBenchResult(
    'webhook-fuzz',
    figures,
    { answered5xx: '= 0', healthyAfter: '= 202' },
    pass,
    `${figures.sent} fuzzed requests: ${figures.statuses}, ${unsendable} unsendable by the client; receiver healthy after: ${healthy === 202}`,
  );
  process.exitCode = pass ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
