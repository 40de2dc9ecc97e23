/*
 * Import first in a script that tsx runs and that runs intake's middy stacks in-process (benchmarks, the
 * webhook fuzz and reliability runs). middy 7 publishes only an `import` condition; tsx turns imports
 * into CommonJS `require`s, which resolve with `require` and fail (ERR_PACKAGE_PATH_NOT_EXPORTED). This
 * resolve hook (Node's public `module.registerHooks`) adds `import` for @middy/* specifiers only; Node
 * 22.15+ (the first 22 with registerHooks) then requires those ES modules as they are. Lambda bundles need none of it: esbuild resolves
 * `import` statements with the `import` condition, and jest maps @middy in jest.config.js.
 */
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (!specifier.startsWith('@middy/')) return nextResolve(specifier, context);
    return nextResolve(specifier, { ...context, conditions: [...context.conditions, 'import'] });
  },
});
