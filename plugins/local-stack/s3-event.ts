import { randomBytes } from 'node:crypto';
import type { S3Event, S3EventRecord } from 'aws-lambda';

/**
 * One S3 → Lambda notification resolved to a local bucket name: a function's `s3` event from serverless.yml,
 * or a LambdaConfiguration of a bucket's NotificationConfiguration (plugins/local-stack/bucket-notifications.ts).
 */
export interface S3Subscription {
  functionKey: string;
  functionName: string;
  bucket: string;
  /** The event's `s3.configurationId`: the configuration's Id (default `<functionKey>-s3`). */
  configurationId?: string;
  /** Event name patterns such as `s3:ObjectCreated:*`. */
  events: string[];
  prefix?: string;
  suffix?: string;
}

/** What s3rver reports for one object change (its own event, key not encoded). */
export interface S3ObjectChange {
  eventName: string;
  bucket: string;
  key: string;
  size?: number;
  eTag?: string;
  sourceIPAddress?: string;
}

/**
 * Encodes an object key the way S3 writes it into event notifications: percent-encoded UTF-8 with
 * spaces as `+` and `/` kept, so `decodeURIComponent(key.replace(/\+/g, ' '))` gives the key back.
 */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()~]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/')
    .replace(/%20/g, '+');
}

/** True when `eventName` (e.g. `ObjectCreated:Put`) matches a pattern such as `s3:ObjectCreated:*`. */
export function matchesEventPattern(eventName: string, pattern: string): boolean {
  const full = `s3:${eventName}`;
  if (!pattern.endsWith('*')) return full === pattern;
  return full.startsWith(pattern.slice(0, -1));
}

/** True when the change is one this subscription delivers: same bucket, event, prefix and suffix. */
export function subscriptionMatches(subscription: S3Subscription, change: S3ObjectChange): boolean {
  return (
    subscription.bucket === change.bucket &&
    subscription.events.some((pattern) => matchesEventPattern(change.eventName, pattern)) &&
    change.key.startsWith(subscription.prefix ?? '') &&
    change.key.endsWith(subscription.suffix ?? '')
  );
}

let lastSequencer = 0n;

/** A hexadecimal sequencer that grows with every call, as S3's does for changes to one key. */
export function nextSequencer(now = Date.now()): string {
  const candidate = BigInt(now) * 1_000_000n;
  lastSequencer = candidate > lastSequencer ? candidate : lastSequencer + 1n;
  return lastSequencer.toString(16).toUpperCase().padStart(18, '0');
}

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex').toUpperCase();
}

/** Builds the S3Event (eventVersion 2.1) AWS would deliver for `change`. */
export function buildS3Event(change: S3ObjectChange, region: string, configurationId: string): S3Event {
  const record: S3EventRecord = {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: region,
    eventTime: new Date().toISOString(),
    eventName: change.eventName,
    userIdentity: { principalId: 'AWS:LOCAL' },
    requestParameters: { sourceIPAddress: change.sourceIPAddress ?? '127.0.0.1' },
    responseElements: { 'x-amz-request-id': randomHex(8), 'x-amz-id-2': randomBytes(48).toString('base64') },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId,
      bucket: {
        name: change.bucket,
        ownerIdentity: { principalId: 'LOCAL' },
        arn: `arn:aws:s3:::${change.bucket}`,
      },
      object: {
        key: encodeS3EventKey(change.key),
        size: change.size ?? 0,
        eTag: change.eTag ?? '',
        sequencer: nextSequencer(),
      },
    },
  };
  if (change.eventName.startsWith('ObjectRemoved')) {
    delete (record.s3.object as Partial<S3EventRecord['s3']['object']>).size;
    delete (record.s3.object as Partial<S3EventRecord['s3']['object']>).eTag;
  }
  return { Records: [record] };
}

/**
 * Reads the change out of one s3rver `event` message (its own S3-like event, key NOT encoded).
 * Returns undefined for anything that is not an object change.
 */
export function changeFromS3rverEvent(message: unknown): S3ObjectChange | undefined {
  const record = (message as { Records?: Partial<S3EventRecord>[] } | undefined)?.Records?.[0];
  const bucket = record?.s3?.bucket?.name;
  const object = record?.s3?.object as Partial<S3EventRecord['s3']['object']> | undefined;
  if (!record?.eventName || !bucket || typeof object?.key !== 'string') return undefined;
  return {
    eventName: record.eventName,
    bucket,
    key: object.key,
    ...(typeof object.size === 'number' ? { size: object.size } : {}),
    ...(object.eTag ? { eTag: object.eTag.replace(/"/g, '') } : {}),
    ...(record.requestParameters?.sourceIPAddress
      ? { sourceIPAddress: record.requestParameters.sourceIPAddress }
      : {}),
  };
}
