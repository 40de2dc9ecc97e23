/**
 * The console page: hash-routed views over the console API (src/console/api-types.ts), called with the
 * admin token the URL fragment brought (token.ts). Built into the HTML the `console` function serves by
 * serverless/console-page-build.js; everything it shows lands as text (dom.ts).
 */
import { ApiError, SignInNeeded } from './api';
import { el, form, field, message } from './dom';
import { currentRoute } from './router';
import { forgetToken, storedToken, storeToken, takeTokenFromFragment } from './token';
import { controlsView } from './views/controls';
import { costView } from './views/cost';
import { deliveriesView } from './views/deliveries';
import { deliveryView } from './views/delivery';
import { documentsView } from './views/documents';
import { healthView } from './views/health';
import { deadLettersView, queuesView } from './views/queues';
import type { View } from './views/view';

const views: Record<string, { view: View; nav: string }> = {
  deliveries: { view: deliveriesView, nav: 'deliveries' },
  delivery: { view: deliveryView, nav: 'deliveries' },
  queues: { view: queuesView, nav: 'queues' },
  queue: { view: deadLettersView, nav: 'queues' },
  documents: { view: documentsView, nav: 'documents' },
  health: { view: healthView, nav: 'health' },
  controls: { view: controlsView, nav: 'controls' },
  cost: { view: costView, nav: 'cost' },
};

const main = document.getElementById('view')!;

/** The paste-a-token box, with why it is shown. */
function signIn(reason: string): HTMLElement[] {
  return [
    el('h2', {}, 'Sign in with an admin token'),
    message(reason, 'error'),
    el(
      'p',
      {},
      'Locally, open the link npm start prints (or run npm run console). Elsewhere, paste an access token with the intake/admin scope.',
    ),
    form('Sign in', [field('Admin token', 'token', '', undefined, 'password')], 'Sign in', (values) => {
      if (values.token) storeToken(values.token);
      render();
    }),
  ];
}

function signInReason(error: SignInNeeded): string {
  return error.status === 403
    ? 'This token is not an admin token (the console API needs the intake/admin scope).'
    : 'The console API refused the token (missing, expired or not signed by the issuer).';
}

function failureText(error: unknown): string {
  if (error instanceof ApiError)
    return `The console API answered ${error.status} ${error.code}: ${error.message}${error.requestId ? ` (request ${error.requestId})` : ''}`;
  return `The console could not do that: ${(error as Error | undefined)?.message ?? String(error)}`;
}

let rendering = 0;

/** Renders the view of the current hash; `notice` (an action's outcome) goes above it. */
async function render(notice?: HTMLElement): Promise<void> {
  const ticket = ++rendering;
  const route = currentRoute();
  const entry = views[route.view] ?? views.deliveries!;
  for (const link of document.querySelectorAll('nav a'))
    if (link.getAttribute('href') === `#/${entry.nav}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  main.setAttribute('aria-busy', 'true');
  let content: (Node | string | number | null | undefined | false)[];
  if (!storedToken()) content = signIn('No token yet.');
  else {
    try {
      content = await entry.view({ route, refresh: (next) => void render(next) });
    } catch (error) {
      content =
        error instanceof SignInNeeded ? signIn(signInReason(error)) : [message(failureText(error), 'error')];
    }
  }
  if (ticket !== rendering) return; // a later navigation won
  main.replaceChildren();
  for (const node of [notice, ...content])
    if (node !== undefined && node !== null && node !== false)
      main.append(typeof node === 'object' ? node : String(node));
  main.removeAttribute('aria-busy');
}

takeTokenFromFragment();
document.getElementById('forget-token')!.addEventListener('click', () => {
  forgetToken();
  void render();
});
window.addEventListener('hashchange', () => void render());
// A button's or a form's action that failed: show why above the view (a refused token shows the sign-in).
window.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  void render(event.reason instanceof SignInNeeded ? undefined : message(failureText(event.reason), 'error'));
});
void render();
