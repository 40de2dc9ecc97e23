/**
 * What a Lambda bundle may contain: the house's walls, checked on esbuild's metafile of each function.
 * A bundle holds only shipped code (`functions/`, `src/`) and packages the project depends on at run
 * time; never the local stack (`plugins/`), tests, scripts, benchmarks, nor a dev-only package
 * (package-lock.json marks those `"dev": true`: emulators, the framework, test tools).
 */

/** The part of an esbuild metafile this check reads. */
export interface BundleMetafile {
  readonly inputs: Record<string, unknown>;
}

/** package-lock.json v3: each installed package by its `node_modules/...` path. */
export interface PackageLock {
  readonly packages: Record<string, { readonly dev?: boolean; readonly devOptional?: boolean }>;
}

const SHIPPED_FOLDERS = ['functions/', 'src/'];

/** `node_modules/@scope/name/lib/x.js` → `node_modules/@scope/name` (the innermost nested package). */
export function packagePathOf(input: string): string | undefined {
  const parts = input.split('/');
  const last = parts.lastIndexOf('node_modules');
  if (last === -1) return undefined;
  const name = parts[last + 1]?.startsWith('@')
    ? parts.slice(last + 1, last + 3)
    : parts.slice(last + 1, last + 2);
  return [...parts.slice(0, last + 1), ...name].join('/');
}

/** One line per input that must not ship, naming the input and why. Empty when the bundle is clean. */
export function bundleInputViolations(metafile: BundleMetafile, lock: PackageLock): string[] {
  const violations: string[] = [];
  for (const input of Object.keys(metafile.inputs)) {
    const packagePath = packagePathOf(input);
    if (packagePath === undefined) {
      if (!SHIPPED_FOLDERS.some((folder) => input.startsWith(folder)))
        violations.push(`${input}: outside functions/ and src/`);
      continue;
    }
    const entry = lock.packages[packagePath];
    if (entry === undefined) violations.push(`${input}: ${packagePath} is not in package-lock.json`);
    else if (entry.dev === true || entry.devOptional === true)
      violations.push(`${input}: ${packagePath} is a development dependency`);
  }
  return violations;
}
