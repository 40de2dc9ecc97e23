import {
  cutUtf8,
  payloadView,
  REDACTED,
  redactedText,
  redactJson,
} from '../../../src/console/api/archived-payload';
import type { WebhookArchive } from '../../../src/webhooks/archive';

function archive(overrides: Partial<WebhookArchive> = {}): WebhookArchive {
  return {
    source: 'github',
    type: 'push',
    id: 'd-1',
    receivedAt: '2026-12-06T09:00:00.000Z',
    archivedAt: '2026-12-06T09:00:01.000Z',
    headers: { 'content-type': 'application/json', 'user-agent': 'GitHub-Hookshot' },
    encoding: 'utf8',
    body: '{"ref":"main","api_key":"sk_live_1","nested":[{"password":"p","ok":1}]}',
    ...overrides,
  };
}

describe('payloadView', () => {
  it('pretty-prints a JSON body with every credential-like value hidden, and keeps the archived headers', () => {
    const view = payloadView(archive());
    expect(view).toEqual({
      contentType: 'application/json',
      headers: { 'content-type': 'application/json', 'user-agent': 'GitHub-Hookshot' },
      encoding: 'utf8',
      truncated: false,
      text: JSON.stringify(
        { ref: 'main', api_key: REDACTED, nested: [{ password: REDACTED, ok: 1 }] },
        null,
        2,
      ),
    });
    expect(view.text).not.toContain('sk_live_1');
  });

  it('hides credential-like fields of a form body (Slack sends a token field) and leaves the others', () => {
    const view = payloadView(
      archive({
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'token=xoxb-secret&command=%2Fdeploy&text=now',
      }),
    );
    expect(new URLSearchParams(view.text).get('token')).toBe(REDACTED);
    expect(new URLSearchParams(view.text).get('command')).toBe('/deploy');
    expect(view.text).not.toContain('xoxb');
  });

  it('shows other text as it is, and omits the content type when none was archived', () => {
    const view = payloadView(archive({ headers: {}, body: 'plain words' }));
    expect(view).toEqual({ headers: {}, encoding: 'utf8', truncated: false, text: 'plain words' });
  });

  it('decodes a base64-archived body that is UTF-8 and treats it as text', () => {
    const body = Buffer.from('{"secret":"s","a":1}').toString('base64');
    const view = payloadView(archive({ encoding: 'base64', body }));
    expect(view.encoding).toBe('utf8');
    expect(JSON.parse(view.text)).toEqual({ secret: REDACTED, a: 1 });
  });

  it('shows bytes that are not UTF-8 as base64, cut on a whole 4-character group', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07]);
    const view = payloadView(archive({ encoding: 'base64', body: bytes.toString('base64') }), 10);
    expect(view.encoding).toBe('base64');
    expect(view.truncated).toBe(true);
    expect(view.text).toBe(bytes.toString('base64').slice(0, 8));
    const whole = payloadView(archive({ encoding: 'base64', body: bytes.toString('base64') }));
    expect(whole).toMatchObject({ encoding: 'base64', truncated: false, text: bytes.toString('base64') });
  });

  it('cuts a long text at the limit and says so', () => {
    const view = payloadView(archive({ headers: {}, body: 'x'.repeat(300_000) }));
    expect(view.truncated).toBe(true);
    expect(Buffer.byteLength(view.text)).toBe(256 * 1024);
  });
});

describe('cutUtf8', () => {
  it('never splits a character: the cut backs up to the last whole one', () => {
    expect(cutUtf8('aé€', 4)).toEqual({ text: 'aé', truncated: true });
    expect(cutUtf8('aé€', 6)).toEqual({ text: 'aé€', truncated: false });
    expect(cutUtf8('€', 2)).toEqual({ text: '', truncated: true });
  });
});

describe('redactJson and redactedText', () => {
  it('hide values at any depth by their key, whatever the value is', () => {
    expect(redactJson({ Authorization: { a: 1 }, list: [{ cookie: 'c' }, 2], n: null })).toEqual({
      Authorization: REDACTED,
      list: [{ cookie: REDACTED }, 2],
      n: null,
    });
  });

  it('know the spellings of credentials in bodies, with underscores as well as hyphens', () => {
    const keys = ['api_key', 'apiKey', 'x-api-key', 'private_key', 'aws_access_key', 'passwd', 'credentials'];
    expect(redactJson(Object.fromEntries(keys.map((key) => [key, 'v'])))).toEqual(
      Object.fromEntries(keys.map((key) => [key, REDACTED])),
    );
    expect(redactJson({ keyboard: 'k', monkey: 'm', passage: 'p' })).toEqual({
      keyboard: 'k',
      monkey: 'm',
      passage: 'p',
    });
  });

  it('hide credentials inside a JSON document carried in a form field (GitHub and Slack send payload=<json>)', () => {
    const form = new URLSearchParams({
      payload: JSON.stringify({ token: 'xoxb-verification', user: { id: 'U1' }, actions: [{ secret: 's' }] }),
      team: 'T1',
    }).toString();
    const shown = new URLSearchParams(redactedText(form, 'application/x-www-form-urlencoded'));
    expect(JSON.parse(shown.get('payload')!)).toEqual({
      token: REDACTED,
      user: { id: 'U1' },
      actions: [{ secret: REDACTED }],
    });
    expect(shown.get('team')).toBe('T1');
    expect(shown.toString()).not.toContain('xoxb-verification');
  });

  it('hide credentials inside a JSON document carried as a string value (the Message of an SNS envelope)', () => {
    const body = JSON.stringify({ Type: 'Notification', Message: JSON.stringify({ password: 'p', n: 1 }) });
    const shown = JSON.parse(redactedText(body, 'application/json')) as { Message: string };
    expect(JSON.parse(shown.Message)).toEqual({ password: REDACTED, n: 1 });
    expect(redactJson({ note: '{not json', list: '[1,2]' })).toEqual({ note: '{not json', list: '[1,2]' });
  });

  it('leave a body that is neither JSON nor a form unchanged', () => {
    expect(redactedText('token=abc', 'text/plain')).toBe('token=abc');
    expect(redactedText('token=abc', undefined)).toBe('token=abc');
  });
});
