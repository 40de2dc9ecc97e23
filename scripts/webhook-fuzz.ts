/**
 * Fuzz run (issue 4): random and mutated requests to webhook-receive over HTTP on 127.0.0.1 — sources,
 * methods, queries, headers, encodings, sizes, bodies, and signed requests and handshakes with one thing
 * changed — for every scheme of the registry (one source each, as .env.example configures it; each request
 * built by the scheme's sender). Passes when every answer is 2xx or 4xx (never 5xx, never a crash) and the
 * receiver still accepts a valid delivery of every scheme at the end.
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
import { createSigningKeyResolver, createSourceSettingResolver } from '../src/webhooks/signing-keys';
import { serveHttpHandler } from '../test/helpers/http-server';
import { exampleEnvironment } from '../test/helpers/webhook-fixtures';
import { writeBenchResult } from '../bench/lib/results';
import {
  buildDelivery,
  buildHandshake,
  loadLocalSources,
  sendingSourcePerScheme,
  type WebhookHttpRequest,
} from './lib/webhook-requests';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '42' },
    concurrency: { type: 'string', default: '16' },
  },
});
const total = Number(values.requests);
const maxBodyBytes = 64 * 1024;

// One source per scheme of the registry, configured as .env.example's examples configure them: a
// scheme added to the registry (with its example lines) is fuzzed with no change here.
const local = loadLocalSources(exampleEnvironment());
const sending = sendingSourcePerScheme(local);
const handshaking = sending.filter((source) => source.sender.handshake !== undefined);
const now = () => Math.floor(Date.now() / 1000);

interface FuzzRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const asFuzz = (request: WebhookHttpRequest): FuzzRequest => ({
  method: request.method,
  path: request.path,
  query: request.query,
  headers: { ...request.headers },
  ...(request.body === undefined ? {} : { body: Buffer.from(request.body) }),
});

/** A correctly signed delivery of a fuzzed body for one of the configured sources, built by its sender. */
const signedRequest = fc
  .record({
    source: fc.constantFrom(...sending),
    body: fc.oneof(
      fc.json(),
      fc.string({ unit: 'grapheme' }),
      fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    ),
  })
  .map(({ source, body }): FuzzRequest => {
    try {
      return asFuzz(buildDelivery(source, { body: Buffer.from(body, 'utf8'), nowSeconds: now() }));
    } catch {
      // A sender that cannot sign this body (a form scheme given non-form bytes): its own sample then.
      return asFuzz(buildDelivery(source, { nowSeconds: now() }));
    }
  });

/** A provider handshake with a fuzzed challenge, for the schemes that have one. */
const handshakeRequest =
  handshaking.length === 0
    ? signedRequest
    : fc
        .record({ source: fc.constantFrom(...handshaking), challenge: fc.string({ maxLength: 64 }) })
        .map(({ source, challenge }) => asFuzz(buildHandshake(source, { challenge, nowSeconds: now() })));

// The headers each scheme sends (from a sample of each), and some that no scheme sends.
const schemeHeaders = [
  ...new Set(
    sending.flatMap((source) => [
      ...Object.keys(buildDelivery(source, { nowSeconds: now() }).headers),
      ...(source.sender.handshake === undefined
        ? []
        : Object.keys(buildHandshake(source, { challenge: 'c', nowSeconds: now() }).headers)),
    ]),
  ),
];
const headerName = fc.oneof(
  fc.constantFrom(...schemeHeaders, 'svix-signature', 'content-encoding', 'authorization'),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
);
const headerValue = fc.oneof(
  fc.string({ maxLength: 120 }).map((text) => text.replace(/[^\t\x20-\x7e]/g, '')),
  fc.constantFrom(
    'sha256=',
    't=,v1=',
    'v1,',
    'v0=',
    'ts=;h1=',
    'Basic ',
    'Basic Og==',
    `t=${Math.floor(Date.now() / 1000)},v1=${'a'.repeat(64)}`,
    'sha256=' + 'g'.repeat(64),
    '-1',
    '1e9',
    ' '.repeat(10),
    'application/octet-stream',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'text/plain',
  ),
);
const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom('hub.mode=subscribe&hub.challenge=1&hub.verify_token=x', 'a=1&a=2', '%zz', '='),
  fc.string({ maxLength: 80 }).map((text) => encodeURIComponent(text)),
);

/** One change to a signed request or handshake: body byte, header, case, source, path, method, query. */
const mutated = fc
  .tuple(
    fc.oneof({ arbitrary: signedRequest, weight: 4 }, { arbitrary: handshakeRequest, weight: 1 }),
    fc.nat(),
    fc.nat(),
    headerName,
    headerValue,
    query,
    fc.constantFrom(
      'flip',
      'truncate',
      'set-header',
      'drop-header',
      'source-case',
      'source-bad',
      'append',
      'method',
      'query',
    ),
  )
  .map(([request, a, b, name, value, newQuery, how]): FuzzRequest => {
    const copy: FuzzRequest = {
      ...request,
      headers: { ...request.headers },
      ...(request.body === undefined ? {} : { body: Buffer.from(request.body) }),
    };
    const body = copy.body ?? Buffer.alloc(0);
    if (how === 'flip' && body.length > 0)
      body[a % body.length] = (body[a % body.length]! + 1 + (b % 255)) % 256;
    if (how === 'truncate') copy.body = body.subarray(0, a % (body.length + 1));
    if (how === 'set-header') copy.headers[name] = value;
    const names = Object.keys(copy.headers);
    if (how === 'drop-header' && names.length > 0) delete copy.headers[names[a % names.length]!];
    if (how === 'source-case') copy.path = copy.path.toUpperCase().replace('/WEBHOOKS/', '/webhooks/');
    if (how === 'source-bad')
      copy.path = `/webhooks/${['..%2F', '%00', 'a'.repeat(200), 'ünï', 'git_hub', '%20'][a % 6]}`;
    if (how === 'append') copy.body = Buffer.concat([body, Buffer.from(value)]);
    if (how === 'method') {
      copy.method = copy.method === 'GET' ? 'POST' : 'GET';
      if (copy.method === 'GET') delete copy.body;
    }
    if (how === 'query') copy.query = newQuery;
    return copy;
  });

/** Entirely random requests, including oversized bodies and random content types. */
const random = fc
  .record({
    method: fc.constantFrom('POST', 'POST', 'GET'),
    path: fc.oneof(
      fc.constantFrom(...sending.map((source) => `/webhooks/${source.source.name}`), '/webhooks/unknown'),
      fc.stringMatching(/^[a-zA-Z0-9-]{1,30}$/).map((source) => `/webhooks/${source}`),
    ),
    query,
    headers: fc.dictionary(headerName, headerValue, { maxKeys: 8 }),
    body: fc.oneof(
      fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
      fc.string({ unit: 'grapheme', maxLength: 500 }).map((text) => Buffer.from(text)),
      fc.integer({ min: maxBodyBytes - 16, max: maxBodyBytes * 3 }).map((size) => Buffer.alloc(size, 0x61)),
    ),
  })
  .map((request): FuzzRequest => (request.method === 'GET' ? { ...request, body: undefined } : request));

const send = (base: string, request: FuzzRequest) =>
  fetch(`${base}${request.path}${request.query === '' ? '' : `?${request.query}`}`, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: new Uint8Array(request.body) }),
  });

async function main(): Promise<void> {
  const queued: string[] = [];
  const receiver = httpHandler(
    createWebhookReceiver({
      sources: local.sources,
      signingKeys: createSigningKeyResolver(),
      sourceSetting: createSourceSettingResolver(),
      nowMs: Date.now,
      maxBodyBytes,
      sendMessage: async (text) => {
        queued.push(text.slice(0, 0));
      },
      storeClaim: async () => undefined,
      history: { recordReceived: async () => undefined },
    }),
  );
  const http = await serveHttpHandler(receiver);
  const requests = fc.sample(
    fc.oneof(
      { arbitrary: mutated, weight: 6 },
      { arbitrary: random, weight: 3 },
      { arbitrary: signedRequest, weight: 1 },
      { arbitrary: handshakeRequest, weight: 1 },
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
        const response = await send(http.url, request);
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

  // Still healthy: a valid delivery of every scheme is accepted after the storm.
  const healthyStatuses: number[] = [];
  for (const source of sending) {
    const response = await send(http.url, asFuzz(buildDelivery(source, { nowSeconds: now() })));
    await response.arrayBuffer();
    healthyStatuses.push(response.status);
  }
  const healthy = healthyStatuses.every((status) => status === 202) ? 202 : Math.max(...healthyStatuses);
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
    schemes: sending.map((source) => source.source.scheme).join(','),
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
    `${figures.sent} fuzzed requests over ${sending.length} schemes (${figures.schemes}): ${figures.statuses}, ${unsendable} unsendable by the client; receiver healthy after (a valid delivery of each scheme): ${healthy === 202}`,
  );
  process.exitCode = pass ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
