/**
 * The console page, built at bundle time (serverless/console-page-build.js): the esbuild plugin of every
 * function build supplies this module (serverless/esbuild-plugins.js), jest maps it to the same build
 * (test/helpers/console-page-module.js).
 */
declare module 'intake:console-page' {
  // An ambient module cannot import by a relative path: import() is the only way to name the type.
  // eslint-disable-next-line @typescript-eslint/consistent-type-imports
  export const consolePage: import('./page-response').BuiltConsolePage;
}
