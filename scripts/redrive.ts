/**
 * Moves the webhooks DLQ's messages back to the webhooks queue, then prints how many moved.
 *
 *   npm run redrive                          # the local stack started with `npm start`
 *   npm run redrive -- --stage dev           # AWS: SQS StartMessageMoveTask on intake-dev-webhooks-dlq
 *   npm run redrive -- --mode send-then-delete   # receive → send → delete (what emulators need)
 *
 * Options: --queue webhooks (the only redrivable queue so far), --stage <stage> (default local),
 * --mode auto|move-task|send-then-delete (auto: send-then-delete locally, move-task in AWS), --limit <n>
 * (send-then-delete mode). Either way the messages leave the DLQ.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { createSqsClient } from '../src/aws/clients';
import { clientEnvironment, clientOverrides, progressLine } from './lib/ops-cli';
import {
  queueUrlByName,
  redriveDeadLetters,
  REDRIVE_MODES,
  type RedriveMode,
} from '../src/webhooks/ops/redrive';
import { resolveOpsTarget } from './lib/ops-target';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      queue: { type: 'string', default: 'webhooks' },
      stage: { type: 'string', default: 'local' },
      mode: { type: 'string', default: 'auto' },
      limit: { type: 'string' },
    },
  });
  if (values.queue !== 'webhooks')
    throw new Error(`Unknown queue "${values.queue}": only "webhooks" can be redriven`);
  if (values.mode !== 'auto' && !(REDRIVE_MODES as readonly string[]).includes(values.mode))
    throw new Error(`--mode must be auto, ${REDRIVE_MODES.join(' or ')}, not "${values.mode}"`);
  const target = resolveOpsTarget(values.stage, process.env, join(__dirname, '..'));
  const sqs = createSqsClient(clientOverrides(target), clientEnvironment(target, process.env));
  const [sourceQueueUrl, dlqUrl] = await Promise.all([
    target.queueUrl ?? queueUrlByName(sqs, target.queueName),
    target.dlqUrl ?? queueUrlByName(sqs, target.dlqName),
  ]);
  const mode: RedriveMode =
    values.mode === 'auto'
      ? target.endpoints
        ? 'send-then-delete'
        : 'move-task'
      : (values.mode as RedriveMode);
  const progress = progressLine();
  const moved = await redriveDeadLetters({
    sqs,
    sourceQueueUrl,
    dlqUrl,
    mode,
    ...(values.limit ? { limit: Number(values.limit) } : {}),
    onProgress: (count) => progress.update(`redrive ${target.dlqName} → ${target.queueName}: ${count} moved`),
  });
  progress.done();
  console.log(
    `Redrove ${moved} message${moved === 1 ? '' : 's'} from ${target.dlqName} to ${target.queueName} (${mode}).`,
  );
  sqs.destroy();
}

main().catch((error: unknown) => {
  console.error(`redrive failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
