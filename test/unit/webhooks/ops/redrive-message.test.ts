import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { redriveDeadLetter } from '../../../../src/webhooks/ops/redrive-message';

// What the SQS emulator cannot be made to do: fail a visibility change, or always have more messages.
describe('redriveDeadLetter', () => {
  const sqs = mockClient(SQSClient);
  afterEach(() => sqs.reset());
  const target = {
    sqs: sqs as unknown as SQSClient,
    sourceQueueUrl: 'https://sqs/q',
    dlqUrl: 'https://sqs/dlq',
  };

  it('searches at most maxReceives batches, and still answers when making the searched messages visible fails', async () => {
    let received = 0;
    sqs.on(ReceiveMessageCommand).callsFake(async () => ({
      Messages: [{ MessageId: `m-${received++}`, ReceiptHandle: `h-${received}`, Body: 'b' }],
    }));
    sqs.on(ChangeMessageVisibilityBatchCommand).rejects(new Error('throttled'));
    expect(await redriveDeadLetter({ ...target, messageId: 'wanted', maxReceives: 3 })).toBe(false);
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(3);
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)).toHaveLength(1);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('moves the match with its attributes, and a match without body, attributes or handle as SQS gave it', async () => {
    const attributes = { 'intake-failure-code': { DataType: 'String', StringValue: 'INVALID_JSON' } };
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [{ MessageId: 'with', ReceiptHandle: 'h', Body: 'b', MessageAttributes: attributes }],
      })
      .resolvesOnce({ Messages: [{ MessageId: 'bare' }] });
    expect(await redriveDeadLetter({ ...target, messageId: 'with' })).toBe(true);
    expect(await redriveDeadLetter({ ...target, messageId: 'bare' })).toBe(true);
    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: 'https://sqs/q', MessageBody: 'b', MessageAttributes: attributes },
      { QueueUrl: 'https://sqs/q', MessageBody: '' },
    ]);
    expect(sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input.ReceiptHandle)).toEqual([
      'h',
      '',
    ]);
  });

  it('maps an SQS failure to a typed integration error', async () => {
    sqs.on(ReceiveMessageCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(redriveDeadLetter({ ...target, messageId: 'wanted' })).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      service: 'SQS',
    });
  });
});
