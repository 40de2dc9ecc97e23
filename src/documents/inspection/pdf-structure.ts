import { findPdfActiveContent, type PdfActiveContent } from './pdf-active-content';
import { PdfBudgetError, PdfParseBudget } from './pdf-budget';
import { recoverXref } from './pdf-recovery';
import {
  PdfEncryptedError,
  PdfStructureError,
  PdfTruncatedError,
  dictionaryAt,
  firstReference,
  readUntil,
  topLevel,
} from './pdf-syntax';
import { loadXrefSections, readStreamObject, type XrefEntry, type XrefSection } from './pdf-xref';
import { RangeSourceError, isReadLimit, type RangeReader } from './range-reader';

export { undoPngPredictor } from './pdf-xref';

/** What a PDF says about itself; `pages: null` with a `reason` when it cannot be told reliably. */
export interface PdfInfo {
  version: string | null;
  encrypted: boolean;
  pages: number | null;
  /** Set when the end of the file (startxref, %%EOF) is missing: an upload cut short. */
  truncated?: true;
  /** Set when the cross-reference was broken and the pages were counted from a scan for objects. */
  recovered?: true;
  /** Active-content names in the catalog and its /Names and /AcroForm dictionaries (compressed or not). */
  activeContent?: PdfActiveContent[];
  reason?: string;
}

interface PageCount {
  pages: number;
  activeContent: PdfActiveContent[];
}

/** Nodes of a page tree walked at most when its root has no usable /Count. */
const MAX_PAGE_TREE_NODES = 100_000;
/** Objects one object stream may hold (writers put ~100 in each), and bytes of its offset table. */
const MAX_OBJECTS_PER_STREAM = 100_000;
const MAX_OFFSET_TABLE_BYTES = 4 * 1024 * 1024;

/**
 * Reads a PDF's version, encryption flag and page count from its structure alone: the trailer and
 * cross-reference sections (classic tables and compressed xref streams, following /Prev), then
 * /Root → /Pages → /Count — a handful of ranged reads whatever the file size, never the whole file.
 * When the cross-reference is broken it repairs it as readers do, by scanning for `n g obj` objects
 * (pdf-recovery.ts), and says so (`recovered`). Every loop runs under `budget` (2 s of parsing, 64 MiB
 * inflated), so any file ends in bounded time and memory.
 * Never throws for a broken or hostile file: it answers `pages: null` and why. A failing reader
 * (RangeSourceError) propagates its cause, so a transient S3 error is retried rather than written into
 * a manifest.
 */
export async function readPdfInfo(source: RangeReader, budget = new PdfParseBudget()): Promise<PdfInfo> {
  const reader = budget.wrap(source);
  let version: string | null = null;
  let encrypted = false;
  try {
    const header = (await reader.read(0, 16)).toString('latin1');
    version = /^%PDF-(\d\.\d)/.exec(header)?.[1] ?? null;
    let sections: XrefSection[];
    try {
      sections = await loadXrefSections(reader, budget);
      encrypted = isEncrypted(sections);
      return { version, encrypted, ...(await countPages(reader, sections, encrypted, budget)) };
    } catch (error) {
      if (!isRepairable(error)) throw error;
      const recovered = await recoverOrExplain(reader, budget, error as Error);
      encrypted ||= isEncrypted([recovered]);
      const counted = await countPages(reader, [recovered], encrypted, budget).catch(
        (repairError: unknown) => {
          throw isRepairable(repairError) ? explain(error as Error, repairError as Error) : repairError;
        },
      );
      return {
        version,
        encrypted,
        ...counted,
        recovered: true,
        reason: `cross-reference repaired by scanning for objects (${(error as Error).message})`,
      };
    }
  } catch (error) {
    if (error instanceof RangeSourceError && !isReadLimit(error)) throw error.cause;
    return {
      version,
      encrypted,
      pages: null,
      ...(error instanceof PdfTruncatedError ? { truncated: true as const } : {}),
      reason: error instanceof Error ? error.message : String(error),
    };
  }
}

/** Errors a scan for objects may get past: broken structure or reads beyond what may be read. */
function isRepairable(error: unknown): boolean {
  if (
    error instanceof PdfTruncatedError ||
    error instanceof PdfEncryptedError ||
    error instanceof PdfBudgetError
  )
    return false;
  return error instanceof PdfStructureError || isReadLimit(error);
}

async function recoverOrExplain(
  reader: RangeReader,
  budget: PdfParseBudget,
  cause: Error,
): Promise<XrefSection> {
  try {
    return await recoverXref(reader, budget);
  } catch (repairError) {
    throw isRepairable(repairError) ? explain(cause, repairError as Error) : repairError;
  }
}

function explain(cause: Error, repairError: Error): PdfStructureError {
  return new PdfStructureError(`${cause.message}; repair by scanning failed: ${repairError.message}`);
}

function isEncrypted(sections: readonly XrefSection[]): boolean {
  return sections.some((section) => /\/Encrypt\b/.test(section.trailer));
}

async function countPages(
  reader: RangeReader,
  sections: XrefSection[],
  encrypted: boolean,
  budget: PdfParseBudget,
): Promise<PageCount> {
  const rootRef = firstReference(
    sections.map((section) => section.trailer),
    'Root',
  );
  if (rootRef === undefined) throw new PdfStructureError('no /Root in the trailer');
  const objects = new ObjectReader(reader, sections, encrypted, budget);
  const catalogText = await objects.rawDictionary(rootRef);
  const catalog = topLevel(catalogText);
  const activeContent = await catalogActiveContent(objects, catalogText);
  const pagesRef = /\/Pages\s+(\d+)\s+\d+\s+R/.exec(catalog)?.[1];
  if (pagesRef === undefined) throw new PdfStructureError('the catalog has no /Pages');
  const pagesTree = await objects.dictionary(Number(pagesRef));
  const count = /\/Count\s+(\d+)(\s+\d+\s+R)?/.exec(pagesTree);
  if (!count) return { pages: await walkPageTree(objects, Number(pagesRef), budget), activeContent };
  const pages = count[2] ? Number((await objects.body(Number(count[1]))).trim()) : Number(count[1]);
  if (!Number.isInteger(pages)) throw new PdfStructureError('the page count is not a number');
  return { pages, activeContent };
}

/**
 * Active content named by the catalog (/OpenAction, /AA) and by the dictionaries it points at that hold
 * scripts, attachments and forms (/Names → /JavaScript, /EmbeddedFiles; /AcroForm → /XFA), read through
 * the structure so that a catalog inside a compressed object stream is seen too. An unreadable /Names or
 * /AcroForm adds nothing.
 */
async function catalogActiveContent(objects: ObjectReader, catalogText: string): Promise<PdfActiveContent[]> {
  const found = findPdfActiveContent(catalogText);
  const own = topLevel(catalogText);
  for (const key of ['Names', 'AcroForm']) {
    const ref = new RegExp(`/${key}\\s+(\\d+)\\s+\\d+\\s+R`).exec(own)?.[1];
    if (ref === undefined) continue;
    try {
      for (const name of findPdfActiveContent(await objects.body(Number(ref)))) found.add(name);
    } catch (error) {
      if (!(error instanceof PdfStructureError) && !isReadLimit(error)) throw error;
    }
  }
  return [...found];
}

/**
 * Counts the leaves of a page tree whose root has no /Count, as readers do. A node met twice (a cycle,
 * or a kid shared by two parents) is refused, and at most 100,000 nodes are visited.
 */
async function walkPageTree(objects: ObjectReader, root: number, budget: PdfParseBudget): Promise<number> {
  const visited = new Set<number>();
  const pending = [root];
  let pages = 0;
  while (pending.length > 0) {
    budget.check();
    const node = pending.pop()!;
    if (visited.has(node))
      throw new PdfStructureError(`the page tree reaches object ${node} twice (a cycle)`);
    visited.add(node);
    if (visited.size > MAX_PAGE_TREE_NODES)
      throw new PdfStructureError(`the page tree has more than ${MAX_PAGE_TREE_NODES} nodes`);
    const dictionary = await objects.dictionary(node);
    if (/\/Type\s*\/Page\b/.test(dictionary)) {
      pages++;
      continue;
    }
    const kids = /\/Kids\s*\[([^\]]*)\]/.exec(dictionary);
    if (!kids) throw new PdfStructureError(`page tree node ${node} has neither /Count nor /Kids`);
    for (const kid of kids[1]!.matchAll(/(\d+)\s+\d+\s+R/g)) pending.push(Number(kid[1]));
  }
  return pages;
}

class ObjectReader {
  private readonly objectStreams = new Map<number, Promise<Map<number, string>>>();

  constructor(
    private readonly reader: RangeReader,
    private readonly sections: XrefSection[],
    private readonly encrypted: boolean,
    private readonly budget: PdfParseBudget,
  ) {}

  /** The dictionary of an object, as text, nested dictionaries blanked out. */
  async dictionary(objectNumber: number): Promise<string> {
    return topLevel(await this.rawDictionary(objectNumber));
  }

  /** The dictionary of an object, as text, nested dictionaries included. */
  async rawDictionary(objectNumber: number): Promise<string> {
    const body = await this.body(objectNumber);
    const at = body.indexOf('<<');
    if (at < 0) throw new PdfStructureError(`object ${objectNumber} is not a dictionary`);
    return dictionaryAt(body, at);
  }

  /** The text of an object (after `n g obj`), wherever it is stored. */
  async body(objectNumber: number): Promise<string> {
    this.budget.check();
    const entry = await this.locate(objectNumber);
    if (entry.kind === 1) {
      const text = await readUntil(this.reader, entry.offset, 'endobj');
      const head = new RegExp(`^\\s*${objectNumber}\\s+\\d+\\s+obj`).exec(text);
      if (!head) throw new PdfStructureError(`object ${objectNumber} is not at the offset its xref gives`);
      const end = text.indexOf('endobj', head[0].length);
      return text.slice(head[0].length, end < 0 ? undefined : end);
    }
    if (this.encrypted) throw new PdfEncryptedError('encrypted PDF with compressed object streams');
    const objects = await this.objectStream(entry.stream);
    const text = objects.get(objectNumber);
    if (text === undefined)
      throw new PdfStructureError(`object ${objectNumber} missing from its object stream`);
    return text;
  }

  /**
   * Where an object is: its entry in the newest section listing it, else (in a section rebuilt by a scan)
   * the object stream that holds it.
   */
  private async locate(objectNumber: number): Promise<XrefEntry> {
    const listed = await this.locateListed(objectNumber);
    if (listed) return listed;
    for (const section of this.sections) {
      for (const stream of section.objectStreams ?? []) {
        if (stream === objectNumber || this.encrypted) continue;
        const objects = await this.objectStream(stream).catch((error: unknown) => {
          if (error instanceof PdfStructureError) return undefined;
          throw error;
        });
        if (objects?.has(objectNumber)) return { kind: 2, offset: 0, stream, index: 0 };
      }
    }
    throw new PdfStructureError(`object ${objectNumber} is not in the cross-reference table`);
  }

  private async locateListed(objectNumber: number): Promise<XrefEntry | undefined> {
    for (const section of this.sections) {
      const entry = await section.lookup(objectNumber);
      if (entry === 'free') return undefined;
      if (entry) return entry;
    }
    return undefined;
  }

  private objectStream(streamNumber: number): Promise<Map<number, string>> {
    let loaded = this.objectStreams.get(streamNumber);
    if (!loaded) {
      loaded = this.loadObjectStream(streamNumber);
      this.objectStreams.set(streamNumber, loaded);
    }
    return loaded;
  }

  /**
   * An object stream's objects by number. The stream itself is only ever found by its own entry (never
   * inside another object stream), so object streams cannot form a cycle; /N is capped by the offsets
   * the stream actually lists.
   */
  private async loadObjectStream(streamNumber: number): Promise<Map<number, string>> {
    const entry = await this.locateListed(streamNumber);
    if (!entry)
      throw new PdfStructureError(`object stream ${streamNumber} is not in the cross-reference table`);
    if (entry.kind !== 1) throw new PdfStructureError('object stream inside an object stream');
    const { dictionary, data } = await readStreamObject(this.reader, entry.offset, this.budget);
    const count = Number(/\/N\s+(\d+)/.exec(dictionary)?.[1]);
    const first = Number(/\/First\s+(\d+)/.exec(dictionary)?.[1]);
    if (!Number.isInteger(count) || !Number.isInteger(first) || first > data.length)
      throw new PdfStructureError('bad object stream');
    if (first > MAX_OFFSET_TABLE_BYTES)
      throw new PdfStructureError(`object stream offset table of ${first} bytes is too large to read`);
    const text = data.toString('latin1');
    const pairs = text.slice(0, first).trim().split(/\s+/).map(Number);
    if (count > Math.floor(pairs.length / 2))
      throw new PdfStructureError(
        `object stream declares ${count} objects but lists ${Math.floor(pairs.length / 2)}`,
      );
    if (count > MAX_OBJECTS_PER_STREAM)
      throw new PdfStructureError(`object stream of ${count} objects is too large to read`);
    const objects = new Map<number, string>();
    for (let i = 0; i < count; i++) {
      if (i % 4096 === 0) this.budget.check();
      const start = first + pairs[2 * i + 1]!;
      const end = i + 1 < count ? first + pairs[2 * i + 3]! : text.length;
      objects.set(pairs[2 * i]!, text.slice(start, end));
    }
    return objects;
  }
}
