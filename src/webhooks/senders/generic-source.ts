import type { SchemeSettings } from '../schemes/scheme';
import type { SchemeSender } from './sender';

/**
 * The sender of a source intake knows only by its settings (`hmac-sha256`, `api-key`): a generic JSON
 * event carrying its id and type, the id and event also in the headers the source names
 * (`WEBHOOK_ID_HEADER_`, `WEBHOOK_EVENT_HEADER_`), and what `authenticate` adds (a signature or a key).
 */
export function genericSourceSender(
  authenticate: (secret: string, body: Buffer, settings: SchemeSettings) => Record<string, string>,
): SchemeSender {
  return {
    defaultEvent: 'sample.created',
    idPrefix: '',
    contentType: 'application/json',
    signsTimestamp: false,
    sampleBody: (event, id, nowSeconds) =>
      Buffer.from(
        JSON.stringify({ id, type: event, timestamp: new Date(nowSeconds * 1000).toISOString(), data: {} }),
      ),
    sign: ({ secret, body, id, event, settings }) => ({
      headers: {
        ...(settings.idHeader === undefined ? {} : { [settings.idHeader]: id }),
        ...(settings.eventHeader === undefined ? {} : { [settings.eventHeader]: event }),
        ...authenticate(secret, body, settings),
      },
    }),
  };
}
