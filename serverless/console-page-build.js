/*
 * Builds the console's web page (src/console/page/) into one self-contained HTML document: the page's
 * TypeScript bundled for the browser by the project's esbuild and its CSS, both inlined, plus the SHA-256
 * of each inline block for the Content-Security-Policy (script-src and style-src by hash, nothing else
 * may run). The one build of the page: the esbuild plugin (serverless/esbuild-plugins.js) calls it for
 * `sls package` and `npm start`, and jest's stand-in for the virtual module (test/helpers/console-page-module.js)
 * calls it for the tests, so every one of them serves the same bytes.
 */
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/** The specifier functions/console.ts imports; it names no file, the build supplies it. */
const CONSOLE_PAGE_MODULE = 'intake:console-page';
const ROOT = join(__dirname, '..');
const PAGE_DIR = join(ROOT, 'src', 'console', 'page');
const ENTRY = join(PAGE_DIR, 'main.ts');
const TEMPLATE = join(PAGE_DIR, 'index.html');
const STYLESHEET = join(PAGE_DIR, 'console.css');

const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('base64');

/**
 * The template with `style` and `script` in its <!--style--> and <!--script--> slots. Throws when a slot
 * is missing, or when a block would end its own <script>/<style> element early.
 */
function inlinePage(template, style, script) {
  if (/<\/script/i.test(script))
    throw new Error('the console script contains "</script": it cannot be inlined');
  if (/<\/style/i.test(style)) throw new Error('console.css contains "</style": it cannot be inlined');
  for (const slot of ['<!--style-->', '<!--script-->'])
    if (!template.includes(slot)) throw new Error(`src/console/page/index.html has no ${slot} slot`);
  // Functions as replacements: a `$` in the script must not be read as a replacement pattern.
  return template
    .replace('<!--style-->', () => `<style>${style}</style>`)
    .replace('<!--script-->', () => `<script>${script}</script>`);
}

/**
 * Builds the page synchronously (esbuild's buildSync: jest's module mapping cannot wait).
 * Returns `{ html, scriptSha256, styleSha256, inputs }`; `inputs` are the files read (for watchers).
 */
function buildConsolePage() {
  const esbuild = require('esbuild');
  const result = esbuild.buildSync({
    entryPoints: [ENTRY],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    metafile: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome120', 'firefox120', 'safari17'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  });
  const script = result.outputFiles[0].text.trimEnd();
  const style = readFileSync(STYLESHEET, 'utf8').trim();
  const html = inlinePage(readFileSync(TEMPLATE, 'utf8'), style, script);
  return {
    html,
    scriptSha256: sha256(script),
    styleSha256: sha256(style),
    inputs: [TEMPLATE, STYLESHEET, ...Object.keys(result.metafile.inputs).map((input) => join(ROOT, input))],
  };
}

/** The built page as the source of an ES module (what the virtual import resolves to). */
function consolePageModuleSource(page) {
  const { html, scriptSha256, styleSha256 } = page;
  return `export const consolePage = ${JSON.stringify({ html, scriptSha256, styleSha256 })};\n`;
}

module.exports = { CONSOLE_PAGE_MODULE, ENTRY, buildConsolePage, consolePageModuleSource, inlinePage };
