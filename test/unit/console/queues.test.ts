import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { peekDeadLetters, queueDepths } from '../../../src/console/api/queues';

// Answers SQS may give that the emulator never does: attributes left out, a message without an id or body.
describe('queue views on sparse SQS answers', () => {
  const sqs = mockClient(SQSClient);
  afterEach(() => sqs.reset());
  const queue = { name: 'webhooks', queueUrl: 'https://sqs/q', dlqUrl: 'https://sqs/dlq' };

  it('counts missing or unreadable depths as 0', async () => {
    sqs.on(GetQueueAttributesCommand, { QueueUrl: 'https://sqs/q' }).resolves({});
    sqs.on(GetQueueAttributesCommand, { QueueUrl: 'https://sqs/dlq' }).resolves({
      Attributes: { ApproximateNumberOfMessages: 'x', ApproximateNumberOfMessagesNotVisible: '2' },
    });
    expect(await queueDepths(sqs as unknown as SQSClient, [queue])).toEqual({
      queues: [{ name: 'webhooks', visible: 0, inFlight: 0, deadLetters: 2 }],
    });
  });

  it('shows a dead letter without attributes or body by its id alone, and skips one without an id', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: 'm-1' }, { Body: 'no id' }] })
      .resolves({ Messages: [] });
    expect(await peekDeadLetters(sqs as unknown as SQSClient, queue, 10)).toEqual({
      queue: 'webhooks',
      messages: [{ messageId: 'm-1', preview: '' }],
    });
  });

  it('stops peeking once SQS answers nothing', async () => {
    sqs.on(ReceiveMessageCommand).resolves({});
    expect((await peekDeadLetters(sqs as unknown as SQSClient, queue, 50)).messages).toEqual([]);
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(1);
  });
});
