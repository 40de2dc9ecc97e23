/**
 * package-lock.json serves every developer's machine, not only the one that wrote it. npm drops the
 * optional native variants of other platforms when a lock is regenerated over an existing node_modules
 * (jest's `unrs-resolver` once had only its Linux bindings, so `npm ci` on a Mac lacked its resolver).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface LockEntry {
  optionalDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
}

const lock = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};
const entries = lock.packages;

/** The platforms the team develops on, as `process.platform`-`process.arch`. */
const PLATFORMS = ['darwin-arm64', 'darwin-x64', 'win32-x64', 'linux-x64'] as const;

/** Where Node would find `name` from the package at `path`: its own node_modules, then each parent's. */
function resolveFrom(path: string, name: string): string | undefined {
  let base = path;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (entries[candidate]) return candidate;
    if (!base) return undefined;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent >= 0 ? base.slice(0, parent) : '';
  }
}

const fits = (entry: LockEntry, platform: string) => {
  const [os, cpu] = platform.split('-') as [string, string];
  return (!entry.os || entry.os.includes(os)) && (!entry.cpu || entry.cpu.includes(cpu));
};

/** Packages that ship per-platform native builds as OS-restricted optional dependencies. */
const nativeFamilies = Object.entries(entries)
  .map(([path, entry]) => ({
    path,
    variants: Object.keys(entry.optionalDependencies ?? {})
      .map((name) => resolveFrom(path, name))
      .filter((found): found is string => found !== undefined && entries[found]!.os !== undefined)
      .map((found) => entries[found]!),
  }))
  .filter((family) => family.variants.length >= 2);

describe('package-lock.json', () => {
  it('holds an entry for every optional dependency any package names', () => {
    const missing = Object.entries(entries).flatMap(([path, entry]) =>
      Object.keys(entry.optionalDependencies ?? {})
        .filter((name) => resolveFrom(path, name) === undefined)
        .map((name) => `${path || '(root)'} → ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('finds the native families it must check (esbuild, unrs-resolver)', () => {
    expect(nativeFamilies.map((family) => family.path)).toEqual(
      expect.arrayContaining(['node_modules/esbuild', 'node_modules/unrs-resolver']),
    );
  });

  it.each(PLATFORMS)('has a native variant of every such package for %s', (platform) => {
    const lacking = nativeFamilies
      .filter((family) => !family.variants.some((variant) => fits(variant, platform)))
      .map((family) => family.path);
    expect(lacking).toEqual([]);
  });
});
