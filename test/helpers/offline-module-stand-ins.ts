import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModuleImporter } from '../../plugins/local-stack/upstream-internals';

/**
 * Stand-ins for the serverless-offline modules plugins/local-stack/upstream-internals.ts loads, with the
 * shapes it checks: jest cannot `import()` offline's ES modules. Each call gives fresh classes. (The real
 * modules are loaded by every `npm start` in test/e2e.)
 */
export const offlineModuleStandIns: ModuleImporter = async (url) => {
  const classes: Record<string, unknown> = {
    'LambdaFunctionPool.js': class LambdaFunctionPool {
      get(): unknown {
        return undefined;
      }
    },
    'LambdaFunction.js': class LambdaFunction {
      get status(): string {
        return 'IDLE';
      }
      setEvent(): void {}
      async runHandler(): Promise<unknown> {
        return undefined;
      }
      async cleanup(): Promise<void> {}
    },
    'LambdaProxyIntegrationEventV2.js': class LambdaProxyIntegrationEventV2 {
      create(): unknown {
        return {};
      }
    },
  };
  const found = classes[basename(fileURLToPath(url))];
  if (found === undefined) throw new Error(`no stand-in for ${url}`);
  return { default: found };
};
