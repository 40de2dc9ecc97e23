/**
 * The admin token. It arrives in the URL fragment (`/console#token=<jwt>`: a fragment never reaches a
 * server or a log), is kept in sessionStorage (this tab only, gone when it closes), and is removed from
 * the address bar and the history entry at once.
 */
const STORAGE_KEY = 'intake-console-token';

/** Moves `#token=…` from the URL into sessionStorage; leaves every other fragment alone. */
export function takeTokenFromFragment(): void {
  const match = /^#token=([^&]*)/.exec(location.hash);
  if (!match) return;
  const token = decodeURIComponent(match[1] ?? '').trim();
  if (token !== '') storeToken(token);
  history.replaceState(null, '', `${location.pathname}${location.search}#/deliveries`);
}

export function storedToken(): string | undefined {
  return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
}

export function storeToken(token: string): void {
  sessionStorage.setItem(STORAGE_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
