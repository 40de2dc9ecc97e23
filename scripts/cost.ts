/**
 * The monthly cost of intake, computed from the project itself (docs/cost.md):
 *   npm run cost -- --webhooks 1000000 --documents 100000 --document-mb 1
 *   npm run cost -- --actual --stage prod      (beside Cost Explorer's month-to-date and last month)
 *   npm run cost -- --write                    (regenerate src/cost/profile.generated.json and docs/cost.md)
 */
import { costExplorerClient } from './lib/actual-cost';
import { runCost } from './lib/cost-cli';

runCost(process.argv.slice(2), {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
  costExplorer: costExplorerClient,
  now: () => new Date(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
