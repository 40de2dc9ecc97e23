/** Between ISO-8601 instants (the API's) and a datetime-local input's value (the browser's local time). */

/** `2026-12-06T09:00:00.000Z` → `2026-12-06T10:00` in UTC+1; '' for nothing or an unreadable instant. */
export function toLocalInput(iso: string | undefined): string {
  const time = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(time)) return '';
  const local = new Date(time - new Date(time).getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** A datetime-local value (local time) → ISO-8601 UTC; the value itself when it cannot be read. */
export function fromLocalInput(value: string): string {
  const time = new Date(value).getTime();
  return Number.isNaN(time) ? value : new Date(time).toISOString();
}
