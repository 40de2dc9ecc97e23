/**
 * The page's only way to make DOM: elements with attributes and text children. Data always lands as text
 * nodes or attribute values (never parsed as HTML), so whatever a payload holds is shown, not run.
 */
export type Child = Node | string | number | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string | undefined>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes))
    if (value !== undefined) element.setAttribute(name, value);
  append(element, children);
  return element;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** A button that runs `action` on click, disabled while it runs. */
export function button(
  label: string,
  action: () => Promise<void> | void,
  attributes: Readonly<Record<string, string | undefined>> = {},
): HTMLButtonElement {
  const element = el('button', { type: 'button', ...attributes }, label);
  element.addEventListener('click', () => {
    element.disabled = true;
    void Promise.resolve()
      .then(action)
      .finally(() => {
        element.disabled = false;
      });
  });
  return element;
}

/** A table with a caption and column headers (`scope="col"`), one row per entry of `rows`. */
export function table(caption: string, headers: readonly string[], rows: readonly (readonly Child[])[]) {
  return el(
    'table',
    {},
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, ...headers.map((header) => el('th', { scope: 'col' }, header)))),
    el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map((cell) => el('td', {}, cell))))),
  );
}

/** A definition list of label → value (values absent or '' are left out). */
export function facts(entries: readonly (readonly [string, Child])[]): HTMLDListElement {
  const list = el('dl');
  for (const [label, value] of entries) {
    if (value === undefined || value === null || value === '') continue;
    append(list, [el('dt', {}, label), el('dd', {}, value)]);
  }
  return list;
}

/** A status word with the class that colours it (`status-failed`…). */
export function statusBadge(status: string): HTMLSpanElement {
  return el('span', { class: `status status-${status.replace(/[^a-z-]/gi, '')}` }, status);
}

/** A labelled text input (or select, when `options` are given) for a form. */
export function field(
  label: string,
  name: string,
  value: string,
  options?: readonly string[],
  type = 'text',
): HTMLLabelElement {
  const control = options
    ? el('select', { name }, ...options.map((option) => el('option', { value: option }, option || 'any')))
    : el('input', { name, type, value });
  if (control instanceof HTMLSelectElement) control.value = value;
  return el('label', {}, label, control);
}

/** The values of a form's named controls (empty ones left out). */
export function formValues(form: HTMLFormElement): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of new FormData(form))
    if (typeof value === 'string' && value.trim() !== '') values[name] = value.trim();
  return values;
}

/** A form whose submit runs `onSubmit` with its values (never a navigation: the CSP allows no form action). */
export function form(
  label: string,
  controls: readonly Child[],
  submitLabel: string,
  onSubmit: (values: Record<string, string>) => Promise<void> | void,
): HTMLFormElement {
  const element = el(
    'form',
    { 'aria-label': label },
    ...controls,
    el('button', { type: 'submit' }, submitLabel),
  );
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    void onSubmit(formValues(element));
  });
  return element;
}

/** A message line (`role=status`, or `alert` for an error) to put above a view. */
export function message(text: string, kind: 'info' | 'error' = 'info'): HTMLParagraphElement {
  return el('p', { class: `message ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** `2026-12-06T09:41:07.123Z` → `2026-12-06 09:41:07Z`; anything else as given. */
export function shortTime(iso: string | undefined): string {
  if (!iso) return '';
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(iso);
  return match ? `${match[1]} ${match[2]}Z` : iso;
}

/** Any JSON value pretty-printed as text (manifests, estimates). */
export function jsonBlock(value: unknown): HTMLPreElement {
  return el('pre', {}, JSON.stringify(value, null, 2) ?? String(value));
}
