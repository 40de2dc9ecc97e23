import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../bench/lib/serverless-package';

/**
 * `text` as `prettier --check` wants the file at `path` (the project's settings). Prettier's CLI in a child
 * process: its API loads plugins by dynamic import, which jest's module runtime refuses.
 */
export function formatLikeTheProject(text: string, path: string): string {
  const run = spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'prettier'), ['--stdin-filepath', path], {
    cwd: PROJECT_ROOT,
    input: text,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`prettier failed on ${path}: ${run.stderr}`);
  return run.stdout;
}
