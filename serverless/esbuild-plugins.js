/*
 * esbuild plugins of every function build (custom.esbuild.plugins in serverless.yml): serverless-esbuild
 * passes them to `sls package` / `deploy` builds, and npm start's one local build (plugins/local-stack/
 * single-build.ts) passes the same list.
 */
const {
  CONSOLE_PAGE_MODULE,
  ENTRY,
  buildConsolePage,
  consolePageModuleSource,
} = require('./console-page-build');

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `import { consolePage } from 'intake:console-page'` (functions/console.ts) resolves to the page built by
 * serverless/console-page-build.js. The import resolves to the page's entry file, so the bundle's
 * metafile names src/console/page/main.ts as its input (shipped code), and the page's own files are
 * watched so that npm start rebuilds when they change.
 */
const consolePagePlugin = {
  name: 'intake-console-page',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^${escapeRegExp(CONSOLE_PAGE_MODULE)}$`) }, () => ({
      path: ENTRY,
      pluginData: { consolePage: true },
    }));
    build.onLoad({ filter: /[\\/]src[\\/]console[\\/]page[\\/]main\.ts$/ }, (args) => {
      if (!args.pluginData?.consolePage) return undefined;
      const page = buildConsolePage();
      return { contents: consolePageModuleSource(page), loader: 'js', watchFiles: page.inputs };
    });
  },
};

module.exports = [consolePagePlugin];
