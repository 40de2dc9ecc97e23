/** Hash routes: `#/<view>[/<parameter>][?<query>]`, e.g. `#/deliveries?status=failed`, `#/delivery/<receipt>`. */
export interface Route {
  readonly view: string;
  readonly parameter?: string;
  readonly query: URLSearchParams;
}

export function currentRoute(hash = location.hash): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const [view = '', ...rest] = path.split('/');
  const parameter = rest.length > 0 ? decodeURIComponent(rest.join('/')) : undefined;
  return {
    view: view || 'deliveries',
    ...(parameter ? { parameter } : {}),
    query: new URLSearchParams(search),
  };
}

/** The hash of a route: `routeHash('delivery', 'r 1')` → `#/delivery/r%201`. */
export function routeHash(
  view: string,
  parameter?: string,
  query?: Readonly<Record<string, string>>,
): string {
  const search = new URLSearchParams(query).toString();
  return `#/${view}${parameter === undefined ? '' : `/${encodeURIComponent(parameter)}`}${search ? `?${search}` : ''}`;
}
