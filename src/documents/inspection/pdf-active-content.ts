/** PDF names that mark active content: scripts, actions run on open or on events, launches, embedded files, Flash, XFA forms. */
export const PDF_ACTIVE_CONTENT_NAMES = [
  'JavaScript',
  'JS',
  'OpenAction',
  'AA',
  'Launch',
  'EmbeddedFile',
  'RichMedia',
  'XFA',
] as const;

export type PdfActiveContent = (typeof PDF_ACTIVE_CONTENT_NAMES)[number];

/**
 * Names quarantined by default: those that run code or other programs (/JavaScript, /JS, /Launch, Flash in
 * /RichMedia, XFA forms with their scripts). /OpenAction, /AA and /EmbeddedFile are listed in the manifest
 * but do not quarantine by default: LaTeX (hyperref) writes an /OpenAction for the initial view, form fields
 * use /AA, and e-invoices (Factur-X / ZUGFeRD, PDF/A-3) carry their XML as an /EmbeddedFile.
 */
export const DEFAULT_QUARANTINED_PDF_ACTIVE_CONTENT: readonly PdfActiveContent[] = [
  'JavaScript',
  'JS',
  'Launch',
  'RichMedia',
  'XFA',
];

const WANTED = new Map<string, PdfActiveContent>([
  ...PDF_ACTIVE_CONTENT_NAMES.map((name) => [name, name] as const),
  ['EmbeddedFiles', 'EmbeddedFile'], // the name tree in the catalog's /Names
]);
/** A PDF name token: `/` and regular characters (not whitespace or delimiters), `#xx` escapes included. */
const NAME = /\/([^\s/[\]<>(){}%\0]{1,127})/g;

/**
 * The active-content names among the PDF name tokens of `text` (latin1), `#xx` escapes decoded, so
 * `/J#61vaScript` counts as /JavaScript. Matches whole names only (`/JSON` is not `/JS`). A name inside a
 * compressed stream is not visible here: callers also read the catalog through the structure.
 */
export function findPdfActiveContent(text: string): Set<PdfActiveContent> {
  const found = new Set<PdfActiveContent>();
  for (const match of text.matchAll(NAME)) {
    const raw = match[1]!;
    const name = raw.includes('#')
      ? raw.replace(/#([0-9A-Fa-f]{2})/g, (_escape, hex: string) => String.fromCharCode(parseInt(hex, 16)))
      : raw;
    const wanted = WANTED.get(name);
    if (wanted) found.add(wanted);
  }
  return found;
}
