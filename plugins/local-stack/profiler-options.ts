/**
 * The `--cpu-prof*` flags of a NODE_OPTIONS value, and nothing else. A stack started with
 * `NODE_OPTIONS=--cpu-prof --cpu-prof-dir=<dir>` (bench/lib/cpu-profile.ts) passes them on to the
 * processes and threads that would not inherit them: the emulator children, whose NODE_OPTIONS is
 * otherwise cleared, and offline's worker threads, which take NODE_OPTIONS from the function's own
 * environment rather than from the process.
 */
export function profilerOptions(nodeOptions = ''): string[] {
  return nodeOptions.split(/\s+/).filter((option) => option.startsWith('--cpu-prof'));
}
