import { consoleLink, servesConsole } from '../../../plugins/local-stack/console-link';

describe('servesConsole', () => {
  it('is true only when a function declares GET /console', () => {
    const route = (method: string, path: string) => ({
      name: 'fn',
      handler: 'h',
      events: [{ httpApi: { method, path, public: 'why' } }],
    });
    expect(servesConsole({ console: route('GET', '/console') })).toBe(true);
    expect(servesConsole({ health: route('GET', '/health'), api: route('GET', '/console/api/health') })).toBe(
      false,
    );
    expect(servesConsole({})).toBe(false);
  });
});

describe('consoleLink', () => {
  it('puts the token in the fragment of the page’s URL, URL-encoded', () => {
    expect(consoleLink('http://127.0.0.1:3000', 'a.b.c')).toBe('http://127.0.0.1:3000/console#token=a.b.c');
    expect(consoleLink('http://127.0.0.1:3000/', 'a b')).toBe('http://127.0.0.1:3000/console#token=a%20b');
  });
});
