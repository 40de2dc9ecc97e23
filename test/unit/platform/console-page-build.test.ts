import { build } from 'esbuild';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { buildConsolePage, inlinePage } from '../../../serverless/console-page-build';
import esbuildPlugins from '../../../serverless/esbuild-plugins';

const ROOT = join(__dirname, '..', '..', '..');
const TEMPLATE = '<head><!--style--></head><body><!--script--></body>';

describe('inlinePage', () => {
  it('puts the style and the script in their slots, taking `$` patterns literally', () => {
    expect(inlinePage(TEMPLATE, 'p{}', 'x.replace(/a/, "$&$1")')).toBe(
      '<head><style>p{}</style></head><body><script>x.replace(/a/, "$&$1")</script></body>',
    );
  });

  it.each([
    ['a template without a script slot', '<!--style-->', 'p{}', 'go()', 'no <!--script--> slot'],
    ['a template without a style slot', '<!--script-->', 'p{}', 'go()', 'no <!--style--> slot'],
    ['a script that would close its element', TEMPLATE, 'p{}', 'a("</SCRIPT>")', 'contains "</script"'],
    ['a style that would close its element', TEMPLATE, 'p{}</style>', 'go()', 'contains "</style"'],
  ])('refuses %s', (_, template, style, script, problem) => {
    expect(() => inlinePage(template, style, script)).toThrow(problem);
  });
});

describe('the console page esbuild plugin (serverless/esbuild-plugins.js)', () => {
  const bundle = (contents: string) =>
    build({
      stdin: { contents, resolveDir: ROOT, sourcefile: 'functions/entry.ts', loader: 'ts' },
      absWorkingDir: ROOT,
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'cjs',
      plugins: esbuildPlugins,
      logLevel: 'silent',
    });

  it('resolves `intake:console-page` to the built page, named by the page’s entry (shipped code) in the metafile', async () => {
    const result = await bundle("export { consolePage } from 'intake:console-page';");
    const module = { exports: {} as { consolePage?: { html: string } } };
    runInNewContext(result.outputFiles[0]!.text, { module, exports: module.exports });
    const page = buildConsolePage();
    expect(module.exports.consolePage).toEqual({
      html: page.html,
      scriptSha256: page.scriptSha256,
      styleSha256: page.styleSha256,
    });
    expect(Object.keys(result.metafile.inputs)).toContain('src/console/page/main.ts');
  });

  it('leaves an ordinary import of the page’s entry file alone', async () => {
    const result = await bundle("import './src/console/page/main';");
    expect(result.outputFiles[0]!.text).not.toContain('consolePage =');
    expect(result.outputFiles[0]!.text).toContain('takeTokenFromFragment');
  });

  it('lists every file the page is built from, so that a watcher rebuilds when one changes', () => {
    const { inputs } = buildConsolePage();
    for (const file of ['index.html', 'console.css', 'main.ts', 'chart.ts', 'views/deliveries.ts'])
      expect(inputs).toContain(join(ROOT, 'src', 'console', 'page', file));
  });
});
