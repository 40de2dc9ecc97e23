import * as z from 'zod/mini';
import { PDF_ACTIVE_CONTENT_NAMES } from './documents/inspection/pdf-active-content';
import { ConfigError } from './errors';

const nonEmpty = () => z.string().check(z.trim(), z.minLength(1));
const httpUrl = () => z.url({ protocol: /^https?$/ });
/** 'true' or 'false' (exactly), as a boolean; `fallback` when unset. */
const booleanFlag = (fallback: boolean) =>
  z._default(
    z.pipe(
      z.enum(['true', 'false']),
      z.transform((value) => value === 'true'),
    ),
    fallback,
  );

/** AWS_ENDPOINT_URL_<SERVICE>: the SDK's own variable, set only where another endpoint stands in for AWS's. */
const serviceEndpoint = (service: string) => ({
  schema: z.optional(httpUrl()),
  expected: 'an http(s) URL',
  description: `${service} endpoint instead of AWS's (the local stack's); unset in AWS`,
});

const commaSeparated = () =>
  z.pipe(
    z.string(),
    z.transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    ),
  );

/**
 * Every environment variable intake reads, defined once: its schema, the shape it must have (for error
 * messages, which never echo a value: it may be a secret) and what it is for. Functions pick the
 * subset they use with `loadConfig`. An empty value counts as unset (serverless writes `''` for absent params).
 */
export const variables = {
  AWS_REGION: {
    schema: z._default(nonEmpty(), 'us-east-1'),
    expected: 'a non-empty name',
    description: 'AWS region of every client (set by Lambda; us-east-1 locally)',
  },
  AWS_ENDPOINT_URL_S3: serviceEndpoint('S3'),
  AWS_ENDPOINT_URL_SQS: serviceEndpoint('SQS'),
  AWS_ENDPOINT_URL_DYNAMODB: serviceEndpoint('DynamoDB'),
  AWS_ENDPOINT_URL_LAMBDA: serviceEndpoint('Lambda invoke'),
  DOCUMENTS_BUCKET: {
    schema: nonEmpty(),
    expected: 'a non-empty name',
    description: 'S3 bucket holding uploads/, manifests/, quarantine/ and events/',
  },
  WEBHOOKS_QUEUE_URL: {
    schema: httpUrl(),
    expected: 'an http(s) URL',
    description: 'SQS queue URL of received webhooks awaiting processing',
  },
  WEBHOOKS_DLQ_URL: {
    schema: httpUrl(),
    expected: 'an http(s) URL',
    description: 'SQS dead-letter queue URL of webhooks that failed processing',
  },
  DOCUMENTS_QUEUE_URL: {
    schema: httpUrl(),
    expected: 'an http(s) URL',
    description: 'SQS queue URL receiving "document.processed" events',
  },
  DOCUMENTS_DLQ_URL: {
    schema: httpUrl(),
    expected: 'an http(s) URL',
    description: 'SQS dead-letter queue URL of the documents queue',
  },
  SCAN_RESULTS_QUEUE_URL: {
    schema: httpUrl(),
    expected: 'an http(s) URL',
    description: 'SQS queue URL of malware scan results awaiting document-scan-result',
  },
  SCAN_RESULTS_DLQ_URL: {
    schema: httpUrl(),
    expected: 'an http(s) URL',
    description: 'SQS dead-letter queue URL of malware scan results that cannot be applied',
  },
  DOCUMENT_PROCESS_FAILURES_QUEUE_URL: {
    schema: httpUrl(),
    expected: 'an http(s) URL',
    description: "SQS queue URL of document-process's on-failure destination",
  },
  IDEMPOTENCY_TABLE: {
    schema: nonEmpty(),
    expected: 'a non-empty name',
    description: 'DynamoDB table of Powertools idempotency records',
  },
  DELIVERIES_TABLE: {
    schema: nonEmpty(),
    expected: 'a non-empty name',
    description: 'DynamoDB table of the webhook delivery history (one record per receipt)',
  },
  WEBHOOKS_MAX_RECEIVE_COUNT: {
    schema: z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)),
    expected: 'an integer from 1 to 1000',
    description:
      "The webhooks queue's maxReceiveCount (its RedrivePolicy, serverless.yml custom.queues.webhooks): a failure on that receive is the last",
  },
  HEALTH_CHECK_TIMEOUT_MS: {
    schema: z._default(z.coerce.number().check(z.int(), z.gte(50), z.lte(30_000)), 2000),
    expected: 'an integer from 50 to 30000',
    description: 'Upper bound of each health check in milliseconds (default 2000)',
  },
  HEALTH_LAMBDA_FUNCTIONS: {
    schema: z._default(commaSeparated(), []),
    expected: 'comma-separated function names',
    description: 'Comma-separated Lambda function names health checks; empty → the Lambda check is omitted',
  },
  DOCUMENTS_MAX_UPLOAD_BYTES: {
    schema: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(5 * 1024 ** 3))),
    expected: 'an integer number of bytes from 1 to 5 GiB',
    description: 'Largest upload the documents API accepts (default 100 MB; S3 POST allows up to 5 GB)',
  },
  DOCUMENTS_ALLOWED_TYPES: {
    schema: z.optional(commaSeparated()),
    expected: 'comma-separated MIME types',
    description: 'MIME types clients may upload (default: PDF, images, Office, CSV, text, JSON)',
  },
  DOCUMENTS_INLINE_TYPES: {
    schema: z._default(commaSeparated(), []),
    expected:
      'comma-separated MIME types among image/png, image/jpeg, image/gif, image/webp, application/pdf',
    description:
      'Detected types whose download URL opens inline in the browser (default none: every download is an attachment)',
  },
  DOCUMENTS_UPLOAD_EXPIRY_SECONDS: {
    schema: z.optional(z.coerce.number().check(z.int(), z.gte(10), z.lte(3600))),
    expected: 'an integer from 10 to 3600',
    description: 'Seconds a presigned upload form stays valid (default 300)',
  },
  DOCUMENTS_DOWNLOAD_EXPIRY_SECONDS: {
    schema: z._default(z.coerce.number().check(z.int(), z.gte(10), z.lte(3600)), 300),
    expected: 'an integer from 10 to 3600',
    description: 'Seconds a presigned download URL stays valid (default 300)',
  },
  DOCUMENTS_ALLOW_TRAILING_DATA: {
    schema: booleanFlag(false),
    expected: 'true or false',
    description:
      'Keep files with data after their format end marker (PNG IEND, JPEG EOI, PDF %%EOF, zip end record…); default false quarantines them as TRAILING_DATA',
  },
  DOCUMENTS_QUARANTINE_PDF_ACTIVE_CONTENT: {
    schema: z.optional(
      z.pipe(
        commaSeparated(),
        z.pipe(
          z.array(z.enum([...PDF_ACTIVE_CONTENT_NAMES, 'none'])),
          z.transform((names) => names.filter((name) => name !== 'none')),
        ),
      ),
    ),
    expected: `comma-separated names among ${PDF_ACTIVE_CONTENT_NAMES.join(', ')}, or none`,
    description:
      'PDF active content that quarantines a file (default JavaScript,JS,Launch,RichMedia,XFA; none = list it in the manifest only)',
  },
  DOCUMENTS_MALWARE_SCANNING: {
    schema: booleanFlag(false),
    expected: "'true' or 'false'",
    description:
      "Malware scanning of uploads (stage param malwareScanning): 'true' holds each file `scanning` until its scan result (default false)",
  },
  DOCUMENTS_OWNER_CLAIM: {
    schema: z._default(z.string().check(z.regex(/^[A-Za-z0-9:_.\-/]{1,128}$/)), 'sub'),
    expected: 'a claim name (letters, digits, : _ . - /)',
    description:
      'Token claim whose value owns documents (default sub; a tenant claim such as custom:tenant or org_id shares them)',
  },
  WEBHOOK_CONTROLS_TABLE: {
    schema: nonEmpty(),
    expected: 'a non-empty name',
    description: "DynamoDB table of the operators' pauses of webhook sources and routed targets",
  },
  QUOTAS_TABLE: {
    schema: nonEmpty(),
    expected: 'a non-empty name',
    description: 'DynamoDB table of per-owner upload quotas',
  },
  DOCUMENTS_QUOTA_UPLOADS_PER_DAY: {
    schema: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1_000_000)), 1000),
    expected: 'an integer from 1 to 1000000',
    description: 'Upload forms one owner may request per UTC day (default 1000)',
  },
  DOCUMENTS_QUOTA_BYTES_PER_DAY: {
    schema: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(2 ** 50)), 10 * 1024 ** 3),
    expected: 'an integer number of bytes from 1 to 2^50',
    description: 'Bytes one owner may declare in upload forms per UTC day (default 10 GiB)',
  },
  HEALTH_CACHE_SECONDS: {
    schema: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(300)), 10),
    expected: 'an integer from 0 to 300',
    description: 'Seconds one integrations health report is reused (default 10; 0 = every call checks)',
  },
  WEBHOOK_MAX_BODY_BYTES: {
    schema: z._default(z.coerce.number().check(z.int(), z.gte(1024), z.lte(4 * 1024 * 1024)), 1024 * 1024),
    expected: 'an integer number of bytes from 1024 to 4 MiB',
    description: 'Largest webhook body accepted (default 1 MiB; API Gateway allows 10 MB, Lambda 6 MB)',
  },
  WEBHOOK_SECRET_CACHE_SECONDS: {
    schema: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(3600)), 300),
    expected: 'an integer from 0 to 3600',
    description:
      'Seconds a secret read from SSM / Secrets Manager is reused before it is read again (default 300)',
  },
  WEBHOOK_PAUSE_RECHECK_SECONDS: {
    schema: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(900)), 60),
    expected: 'an integer from 1 to 900 (SQS delays messages at most 15 minutes)',
    description:
      'Seconds a delivery held by a pause waits on the queue before the worker looks at the pauses again (default 60)',
  },
  WEBHOOK_CONTROLS_CACHE_SECONDS: {
    schema: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(300)), 5),
    expected: 'an integer from 0 to 300',
    description:
      'Seconds the worker reuses the pauses it read: a pause or resume takes effect within this time (default 5)',
  },
  WEBHOOK_HISTORY_TTL_DAYS: {
    schema: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(3650)), 30),
    expected: 'an integer from 1 to 3650',
    description: 'Days a delivery history record is kept after its last write (default 30; DynamoDB TTL)',
  },
  WEBHOOK_FUNCTION_PREFIX: {
    schema: z._default(z.string().check(z.regex(/^[A-Za-z0-9-_]*$/)), ''),
    expected: 'letters, digits, - and _ only',
    description: 'Prefix of downstream function names: route `function` keys are invoked as <prefix><key>',
  },
} as const;

export type VariableName = keyof typeof variables;
export type Config<K extends VariableName> = { [P in K]: z.output<(typeof variables)[P]['schema']> };

/**
 * Validates the variables `keys` from `env` and returns them typed, with defaults applied.
 * Throws a ConfigError whose message names every missing or invalid variable at once (not just the first).
 * Entry points call it at module scope, so a bad deployment fails at Lambda init, before any event.
 */
export function loadConfig<K extends VariableName>(
  keys: readonly K[],
  env: NodeJS.ProcessEnv = process.env,
): Config<K> {
  const values: Partial<Record<K, unknown>> = {};
  const problems: string[] = [];
  const failed: string[] = [];
  for (const key of keys) {
    const raw = env[key];
    const result = z.safeParse(variables[key].schema, raw === '' ? undefined : raw);
    if (result.success) {
      values[key] = result.data;
    } else {
      failed.push(key);
      problems.push(
        raw === undefined || raw === ''
          ? `${key} is missing (${variables[key].description})`
          : `${key} is invalid: expected ${variables[key].expected} (${variables[key].description})`,
      );
    }
  }
  if (failed.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`, failed);
  }
  return values as Config<K>;
}

/**
 * For scripts and CLIs: like `loadConfig`, but prints the ConfigError message to stderr and exits with
 * code 1 instead of throwing, so the user sees one readable message rather than a stack trace.
 */
export function loadConfigOrExit<K extends VariableName>(
  keys: readonly K[],
  env: NodeJS.ProcessEnv = process.env,
): Config<K> {
  try {
    return loadConfig(keys, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return process.exit(1);
  }
}
