import type { DocumentsAnswer } from '../../api-types';
import { getJson } from '../api';
import { button, el, field, form, jsonBlock, shortTime, statusBadge, table } from '../dom';
import { routeHash } from '../router';
import type { View } from './view';

type DocumentItem = DocumentsAnswer['items'][number];

function row(document: DocumentItem) {
  return [
    document.id,
    document.owner,
    statusBadge(document.status),
    document.type ?? '',
    document.filename ?? '',
    document.size === undefined ? '' : String(document.size),
    shortTime(document.createdAt),
    document.quarantineReason ?? '',
    el('details', {}, el('summary', {}, 'Manifest'), jsonBlock(document.manifest)),
  ];
}

/** Documents (every owner's manifests), filtered by owner and status. */
export const documentsView: View = async ({ route }) => {
  const filter = {
    owner: route.query.get('owner') ?? undefined,
    status: route.query.get('status') ?? undefined,
  };
  const page = await getJson<DocumentsAnswer>('documents', filter);
  const list = table(
    'Documents',
    [
      'Id',
      'Owner',
      'Status',
      'Type',
      'File name',
      'Size (bytes)',
      'Created',
      'Quarantine reason',
      'Manifest',
    ],
    page.items.map(row),
  );
  let cursor = page.cursor;
  const older = button('More', async () => {
    const next = await getJson<DocumentsAnswer>('documents', { ...filter, cursor });
    for (const item of next.items)
      list.tBodies[0]!.append(el('tr', {}, ...row(item).map((cell) => el('td', {}, cell))));
    cursor = next.cursor;
    older.hidden = cursor === undefined;
  });
  older.hidden = cursor === undefined;
  return [
    el('h2', {}, 'Documents'),
    form(
      'Filter documents',
      [field('Owner', 'owner', filter.owner ?? ''), field('Status', 'status', filter.status ?? '')],
      'Filter',
      (values) => {
        location.hash = routeHash('documents', undefined, values);
      },
    ),
    page.items.length === 0 ? el('p', { class: 'muted' }, 'No document matches.') : list,
    el('div', { class: 'actions' }, older),
  ];
};
