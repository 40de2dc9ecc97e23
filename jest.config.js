const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

/**
 * middy 7 publishes only an `import` condition, which a CommonJS `require` (what ts-jest makes of our
 * imports) cannot resolve: map each @middy package to the entry its own exports map names for `import`
 * (jest then transforms that ES module like the others in transformIgnorePatterns).
 */
function middyImportEntries() {
  const scope = join(__dirname, 'node_modules', '@middy');
  return Object.fromEntries(
    readdirSync(scope).map((name) => {
      const { exports } = JSON.parse(readFileSync(join(scope, name, 'package.json'), 'utf8'));
      return [`^@middy/${name}$`, join(scope, name, exports['.'].import.default)];
    }),
  );
}

/** Three suites: unit (no I/O), integration (in-process emulators over real sockets), e2e (the `npm start` stack). */
const base = {
  moduleNameMapper: {
    ...middyImportEntries(),
    // functions/console.ts imports the page the build makes; jest builds it the same way.
    '^intake:console-page$': '<rootDir>/test/helpers/console-page-module.js',
  },
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]sx?$': ['ts-jest', { tsconfig: { allowJs: true, rootDir: __dirname, isolatedModules: true } }],
  },
  transformIgnorePatterns: [
    '/node_modules/(?!(@middy|file-type|strtok3|token-types|peek-readable|@tokenizer|@borewit|uint8array-extras|fauxqs)/)',
  ],
  setupFiles: ['<rootDir>/test/helpers/quiet.ts'],
};

module.exports = {
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    { ...base, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
  // The console page (src/console/page/) runs in a browser, where jest's coverage cannot see it: its tests
  // are the browser tests (test/integration/console-page/).
  collectCoverageFrom: [
    'src/**/*.ts',
    '!src/console/page/**',
    '!src/**/*.d.ts',
    'functions/**/*.ts',
    'plugins/**/*.{ts,js,mjs}',
  ],
  coverageThreshold: { global: { lines: 85, branches: 85 } },
  coverageReporters: ['text-summary', 'json-summary', 'lcov'],
};
