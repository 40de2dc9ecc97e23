/**
 * The EICAR-only stand-in over real sockets (the emulator harness: authenticated s3rver, fauxqs): it reports exactly as GuardDuty does —
 * the `GuardDutyMalwareScanStatus` tag on the object (other tags kept) and the "Object Scan Result" event,
 * delivered through a template-style EventBridge rule to its queue — in the shape the shipped code parses.
 */
import {
  GetObjectTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { parseScanResultEvent } from '../../../src/documents/malware-scan/scan-result';
import { startEmulators, type Emulators } from '../../helpers/emulators';
import { silentLog } from '../../../plugins/local-stack/log';
import { EicarOnlyScanStandIn } from '../../../plugins/local-stack/malware-scan/eicar-scan-stand-in';
import { LocalEventBus } from '../../../plugins/local-stack/malware-scan/event-rules';

jest.setTimeout(60_000);

const bucket = 'intake-it-documents';
// Built from parts: the repository holds no EICAR file.
const EICAR = Buffer.from(
  ['X5O!P%@AP[4\\PZX54(P^)7CC)', '7}$EICAR-STANDARD-ANTIVIRUS-TEST', '-FILE!$H+H*'].join(''),
  'latin1',
);

let aws: Emulators;
let s3Client: S3Client;
let sqsClient: SQSClient;
let queueUrl: string;
let standIn: EicarOnlyScanStandIn;

beforeAll(async () => {
  aws = await startEmulators({ services: ['s3', 'sqs'] });
  await aws.provision({
    DocumentsBucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: bucket } },
    ScanResultsQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'scan-results' } },
  });
  ({ s3: s3Client, sqs: sqsClient } = aws);
  queueUrl = aws.queue('ScanResultsQueue').url;
  const bus = new LocalEventBus(
    [
      {
        logicalId: 'DocumentScanResultsRule',
        pattern: {
          source: ['aws.guardduty'],
          'detail-type': ['GuardDuty Malware Protection Object Scan Result'],
          detail: { s3ObjectDetails: { bucketName: [bucket] } },
        },
        queueUrls: [queueUrl],
      },
    ],
    sqsClient,
  );
  standIn = new EicarOnlyScanStandIn({
    s3: s3Client,
    plans: [
      {
        logicalId: 'Plan',
        arn: 'arn:aws:guardduty:us-east-1:000000000000:malware-protection-plan/plan',
        bucket,
        prefixes: ['uploads/'],
        tagging: true,
      },
    ],
    publish: (event) => bus.put(event),
    region: 'us-east-1',
    accountId: '000000000000',
    log: silentLog,
  });
});

afterAll(async () => {
  await aws?.stop();
});

async function put(key: string, body: Buffer): Promise<string> {
  const { ETag } = await s3Client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return ETag!.replace(/"/g, '');
}

async function scanResults() {
  const { Messages = [] } = await sqsClient.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  return Messages.map((message) => parseScanResultEvent(message.Body));
}

async function tags(key: string) {
  const { TagSet = [] } = await s3Client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
  return Object.fromEntries(TagSet.map((tag) => [tag.Key, tag.Value]));
}

describe('EICAR-only stand-in over s3rver and fauxqs', () => {
  it('tags an EICAR upload THREATS_FOUND (keeping its other tags) and routes a parseable result event', async () => {
    const key = 'uploads/YWxpY2U/3f2b8c1e-7d4a-4e6b-9c0d-1a2b3c4d5e6f/invoice.txt';
    const eTag = await put(key, Buffer.concat([Buffer.from('prefix '), EICAR, Buffer.from('\r\n')]));
    await s3Client.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: key,
        Tagging: { TagSet: [{ Key: 'team', Value: 'a' }] },
      }),
    );
    expect(standIn.onObjectChange({ eventName: 'ObjectCreated:Post', bucket, key })).toBe(true);
    await standIn.drain();

    expect(await tags(key)).toEqual({ team: 'a', GuardDutyMalwareScanStatus: 'THREATS_FOUND' });
    expect(await scanResults()).toEqual([
      {
        bucket,
        key,
        eTag,
        versionId: null,
        status: 'THREATS_FOUND',
        threats: ['EICAR-Test-File (not a virus)'],
      },
    ]);
  });

  it('reports any other upload NO_THREATS_FOUND, and leaves objects outside the plan unscanned', async () => {
    const key = 'uploads/YWxpY2U/4f2b8c1e-7d4a-4e6b-9c0d-1a2b3c4d5e6f/note.txt';
    const eTag = await put(key, Buffer.from(EICAR.subarray(0, 60)));
    standIn.onObjectChange({ eventName: 'ObjectCreated:Put', bucket, key });
    const outside = 'manifests/YWxpY2U/x.json';
    await put(outside, EICAR);
    expect(standIn.onObjectChange({ eventName: 'ObjectCreated:Put', bucket, key: outside })).toBe(false);
    expect(standIn.onObjectChange({ eventName: 'ObjectRemoved:Delete', bucket, key })).toBe(false);
    await standIn.drain();

    expect(await tags(key)).toEqual({ GuardDutyMalwareScanStatus: 'NO_THREATS_FOUND' });
    expect(await tags(outside)).toEqual({});
    expect(await scanResults()).toEqual([
      { bucket, key, eTag, versionId: null, status: 'NO_THREATS_FOUND', threats: [] },
    ]);
    const { Attributes } = await sqsClient.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
  });
});
