/*
 * Jest's stand-in for the virtual module `intake:console-page` (jest.config.js maps it here): the page built
 * by the same function as the esbuild plugin of the function builds (serverless/console-page-build.js).
 */
const { buildConsolePage } = require('../../serverless/console-page-build');

const { html, scriptSha256, styleSha256 } = buildConsolePage();
module.exports = { consolePage: { html, scriptSha256, styleSha256 } };
