import { parseArgs } from 'node:util';
import type { RouteTargetSettings } from '../../src/webhooks/routes';
import type { Pause, PauseScope, WebhookControls } from '../../src/webhooks/controls/webhook-controls';

export const webhooksUsage = `Usage: npm run webhooks -- <command> [options]

  pauses                                     list the paused sources and targets
  pause  --source <s> [--target <fn>] [--reason <text>]
                                             hold a source's deliveries (or its deliveries to one routed
                                             target; --source '*' with --target: every source's) on the queue
  resume --source <s> [--target <fn>]        let them through again (within a few seconds)
  targets                                    the routed targets and their concurrency caps

  --stage <stage>   local (default: the running npm start stack) or a deployed stage`;

/** What a command prints, and its exit code. */
export interface CommandResult {
  readonly lines: readonly string[];
  readonly exitCode: number;
}

const describeScope = ({ source, target }: PauseScope) =>
  target === undefined
    ? `source ${source}`
    : `target ${target} for ${source === '*' ? 'every source' : `source ${source}`}`;

const pauseLine = (pause: Pause) =>
  `${describeScope(pause).padEnd(48)} paused ${pause.pausedAt} by ${pause.pausedBy}${pause.reason ? ` (${pause.reason})` : ''}`;

/**
 * Runs one `npm run webhooks` command against `controls`. Argument errors print the usage and exit 2; a
 * refused scope (400) prints why and exits 1.
 */
export async function runWebhooksCommand(
  argv: readonly string[],
  deps: {
    readonly controls: () => WebhookControls;
    readonly targets: readonly RouteTargetSettings[];
    readonly by: string;
  },
): Promise<CommandResult> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        source: { type: 'string' },
        target: { type: 'string' },
        reason: { type: 'string' },
        stage: { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    return { lines: [(error as Error).message, webhooksUsage], exitCode: 2 };
  }
  const { values, positionals } = parsed;
  const [command, ...extra] = positionals;
  if (values.help) return { lines: [webhooksUsage], exitCode: 0 };
  if (command === undefined || extra.length > 0) return { lines: [webhooksUsage], exitCode: 2 };
  const scope = (): PauseScope | undefined =>
    values.source === undefined
      ? undefined
      : { source: values.source, ...(values.target === undefined ? {} : { target: values.target }) };
  try {
    switch (command) {
      case 'pauses': {
        const pauses = await deps.controls().listPauses();
        return { lines: pauses.length === 0 ? ['Nothing is paused.'] : pauses.map(pauseLine), exitCode: 0 };
      }
      case 'pause': {
        const given = scope();
        if (given === undefined) return { lines: ['pause needs --source', webhooksUsage], exitCode: 2 };
        const pause = await deps.controls().pause(given, deps.by, values.reason);
        return {
          lines: [
            `Paused: ${pauseLine(pause)}.`,
            'Its deliveries wait on the queue (nothing is dropped) until `npm run webhooks -- resume` with the same options.',
          ],
          exitCode: 0,
        };
      }
      case 'resume': {
        const given = scope();
        if (given === undefined) return { lines: ['resume needs --source', webhooksUsage], exitCode: 2 };
        const wasPaused = await deps.controls().resume(given);
        return {
          lines: [wasPaused ? `Resumed ${describeScope(given)}.` : `${describeScope(given)} was not paused.`],
          exitCode: 0,
        };
      }
      case 'targets':
        return {
          lines: deps.targets.map(
            ({ name, maxConcurrency }) =>
              `${name.padEnd(40)} ${maxConcurrency === null ? 'uncapped' : `at most ${maxConcurrency} at once`}`,
          ),
          exitCode: 0,
        };
      default:
        return { lines: [`Unknown command "${command}".`, webhooksUsage], exitCode: 2 };
    }
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 400)
      return { lines: [(error as Error).message], exitCode: 1 };
    throw error;
  }
}
