// One emulator per child process, so `npm start` can stop (or a test can kill) each on its own and
// s3rver's --openssl-legacy-provider need not leak into serverless-offline.
// Usage: node run-emulator.mjs <s3|sqs|dynamodb> <port> [dataDir]   (port 0: the OS picks a free one)
// Prints one JSON line {"ready":true,"port":<bound port>,...} on stdout once listening, or {"error":...} and
// exits 1.
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const [kind, portArg, dataDir] = process.argv.slice(2);
const port = Number(portArg);
const host = '127.0.0.1';
let stopEmulator = async () => {};
let temporaryDirectory;

function report(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

// s3rver knows one access key (S3RVER) and checks no SigV4 signature: accept any key here, because the
// local stack's proxy in front of it (plugins/local-stack/s3-proxy) authenticates every request as AWS does
// before it gets this far.
function acceptAnyAccessKey() {
  const AWSAccount = require('s3rver/lib/models/account');
  const lookup = AWSAccount.registry.get.bind(AWSAccount.registry);
  AWSAccount.registry.get = (accessKeyId) => {
    if (!lookup(accessKeyId)) AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKeyId, accessKeyId);
    return lookup(accessKeyId);
  };
}

// s3rver formats a coloured access-log line (koa-logger + chalk) for every request even when silent: about a
// tenth of its CPU under load. Keep its winston logger (silent), drop the access log.
function skipAccessLog() {
  const path = require.resolve('s3rver/lib/middleware/logger');
  const original = require(path);
  require.cache[path].exports = (app, silent) => {
    original(app, silent);
    return (ctx, next) => next();
  };
}

// Without INTAKE_DATA_DIR objects live in memory: a tmpfs where there is one (s3rver stores files).
function memoryDirectory() {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

async function startS3() {
  skipAccessLog();
  const S3rver = require('s3rver');
  acceptAnyAccessKey();
  const directory = dataDir
    ? join(dataDir, 's3')
    : (temporaryDirectory = mkdtempSync(join(memoryDirectory(), 'intake-s3-')));
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({
    address: host,
    port,
    silent: true,
    directory,
    allowMismatchedSignatures: true,
  });
  const address = await server.run();
  server.on('event', (event) => report({ s3Event: event }));
  stopEmulator = () => server.close();
  return address.port;
}

async function startSqs() {
  const { buildApp } = await import('fauxqs');
  const app = buildApp({ logger: false });
  await app.listen({ port, host });
  stopEmulator = () => app.close();
  return app.server.address().port;
}

async function startDynamoDb() {
  const dynalite = require('dynalite');
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(dataDir ? { path: join(dataDir, 'dynamodb') } : {}),
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  stopEmulator = () => new Promise((resolve) => server.close(() => resolve()));
  return server.address().port;
}

const starters = { s3: startS3, sqs: startSqs, dynamodb: startDynamoDb };

async function shutdown() {
  try {
    await stopEmulator();
  } finally {
    if (temporaryDirectory) rmSync(temporaryDirectory, { recursive: true, force: true });
    process.exit(0);
  }
}

process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// The parent's death closes our stdin: never outlive the stack that started us.
process.stdin.on('end', shutdown);
process.stdin.resume();

function fail(error) {
  const inUse = error && error.code === 'EADDRINUSE';
  report({
    error: inUse ? `port ${port} is already in use` : String(error && error.message),
    code: error && error.code,
  });
  if (temporaryDirectory) rmSync(temporaryDirectory, { recursive: true, force: true });
  process.exit(1);
}

// s3rver reports a busy port as an 'error' event on its server, outside the run() promise.
process.on('uncaughtException', fail);

try {
  if (!starters[kind] || !Number.isInteger(port))
    throw new Error(`usage: run-emulator.mjs <s3|sqs|dynamodb> <port> [dataDir]`);
  const boundPort = await starters[kind]();
  report({ ready: true, kind, port: boundPort, endpoint: `http://${host}:${boundPort}` });
} catch (error) {
  fail(error);
}
