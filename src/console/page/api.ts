/** Calls of the console API (`<page path>/api/*`, src/console/api-types.ts) with the admin token. */
import type { ErrorAnswer } from '../api-types';
import { storedToken } from './token';

/** No token, or the API refused it (401: not signed in; 403: not an admin). */
export class SignInNeeded extends Error {
  constructor(readonly status: number) {
    super(status === 403 ? 'this token has no admin scope' : 'no valid token');
    this.name = 'SignInNeeded';
  }
}

/** Any other failed call: the API's error code and message (and request id, to find it in the logs). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The API's base path beside the page: `/console` → `/console/api` (kept under any stage or base path). */
export function apiBase(): string {
  return `${location.pathname.replace(/\/+$/, '')}/api`;
}

/** `('deliveries', { source: 'github', status: undefined })` → `…/api/deliveries?source=github`. */
export function apiPath(path: string, query: Readonly<Record<string, string | undefined>> = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) search.set(name, value);
  const text = search.toString();
  return `${apiBase()}/${path}${text ? `?${text}` : ''}`;
}

/** One call; resolves with the parsed JSON answer, rejects with SignInNeeded or ApiError. */
export async function callApi<T>(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown): Promise<T> {
  const token = storedToken();
  if (!token) throw new SignInNeeded(401);
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    cache: 'no-store',
    credentials: 'omit',
  });
  if (response.status === 401 || response.status === 403) throw new SignInNeeded(response.status);
  const text = await response.text();
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    answer = undefined;
  }
  if (!response.ok || answer === undefined) {
    const error = (answer as Partial<ErrorAnswer> | undefined)?.error;
    throw new ApiError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? (text.slice(0, 200) || response.statusText),
      error?.requestId,
    );
  }
  return answer as T;
}

export const getJson = <T>(path: string, query?: Readonly<Record<string, string | undefined>>) =>
  callApi<T>('GET', apiPath(path, query));
export const postJson = <T>(path: string, body: unknown) => callApi<T>('POST', apiPath(path), body);
export const putJson = <T>(path: string, body: unknown) => callApi<T>('PUT', apiPath(path), body);
