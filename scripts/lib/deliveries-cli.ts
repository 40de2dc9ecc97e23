import {
  deliveryStatuses,
  type DeliveryFilter,
  type DeliveryRecord,
  type DeliveryStatus,
} from '../../src/webhooks/history/delivery-history';

/** What `npm run deliveries` was asked: a listing (filter + page) or one receipt. */
export type DeliveriesRequest =
  | {
      readonly kind: 'list';
      readonly filter: DeliveryFilter;
      readonly limit: number;
      readonly cursor?: string;
    }
  | { readonly kind: 'one'; readonly receipt: string };

export interface DeliveriesArguments {
  readonly source?: string | undefined;
  readonly type?: string | undefined;
  readonly status?: string | undefined;
  readonly since?: string | undefined;
  readonly until?: string | undefined;
  readonly receipt?: string | undefined;
  readonly limit?: string | undefined;
  readonly cursor?: string | undefined;
}

function time(name: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const value = new Date(text);
  if (Number.isNaN(value.getTime()))
    throw new Error(`--${name} must be an ISO-8601 date or time, e.g. 2026-12-06T09:00:00Z`);
  return value;
}

/** The request the command-line options make; throws an Error with a readable message for a bad one. */
export function deliveriesRequest(args: DeliveriesArguments): DeliveriesRequest {
  if (args.receipt !== undefined) return { kind: 'one', receipt: args.receipt };
  if (args.status !== undefined && !(deliveryStatuses as readonly string[]).includes(args.status))
    throw new Error(`--status must be one of ${deliveryStatuses.join(', ')}`);
  const limit = args.limit === undefined ? 20 : Number(args.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new Error('--limit must be 1 to 100');
  const since = time('since', args.since);
  const until = time('until', args.until);
  return {
    kind: 'list',
    filter: {
      ...(args.source === undefined ? {} : { source: args.source }),
      ...(args.type === undefined ? {} : { type: args.type }),
      ...(args.status === undefined ? {} : { status: args.status as DeliveryStatus }),
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
    },
    limit,
    ...(args.cursor === undefined ? {} : { cursor: args.cursor }),
  };
}

const targetsText = (record: DeliveryRecord) =>
  Object.entries(record.targets)
    .map(([target, outcome]) => `${target}:${outcome}`)
    .join(',') || '-';

/** One line per record, newest first: time, status, source, type, attempts, targets, id, receipt. */
export function deliveryLines(records: readonly DeliveryRecord[]): string[] {
  return records.map((record) =>
    [
      record.receivedAt,
      record.status.padEnd(13),
      record.source,
      record.type,
      `attempts=${record.attempts.length}`,
      `targets=${targetsText(record)}`,
      `id=${record.id}`,
      `receipt=${record.receipt}`,
      ...(record.replay === undefined ? [] : [`replay=${record.replay}`]),
    ].join('  '),
  );
}

/** One record in full: its facts, then one line per attempt. */
export function deliveryDetail(record: DeliveryRecord): string[] {
  return [
    `receipt     ${record.receipt}`,
    `delivery    ${record.source} ${record.type} ${record.id}${record.providerId ? ` (provider id ${record.providerId})` : ''}`,
    `received    ${record.receivedAt}${record.replay ? ` (replay ${record.replay})` : ''}`,
    `status      ${record.status} (updated ${record.updatedAt})`,
    `targets     ${targetsText(record)}`,
    `archive     ${record.archiveKey ?? '-'}`,
    `attempts    ${record.attempts.length}`,
    ...record.attempts.map(
      (attempt, index) =>
        `  ${index + 1}. ${attempt.at}  ${attempt.outcome}  ${attempt.durationMs} ms` +
        `${attempt.receiveCount === undefined ? '' : `  receive ${attempt.receiveCount}`}` +
        `${attempt.errorCode === undefined ? '' : `  ${attempt.errorCode}`}`,
    ),
  ];
}
