import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Node globals for plain JS files (the `globals` package is not a dependency; this list is what we use). */
const nodeGlobals = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'URLSearchParams',
    'AbortController',
    'AbortSignal',
    'fetch',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'clearImmediate',
    'TextEncoder',
    'TextDecoder',
    'structuredClone',
    'queueMicrotask',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  // scratch/ is git-ignored personal space; generated output and results are not source.
  {
    ignores: [
      'node_modules/',
      '.esbuild/',
      '.serverless/',
      '.intake/',
      'coverage/',
      'scratch/',
      'bench/results/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        ...nodeGlobals,
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        __filename: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: nodeGlobals },
  },
  {
    // The wall between what ships and the rest: a Lambda bundle may hold only functions/, src/ and
    // run-time packages (test/integration/platform/bundle-inputs.test.ts proves it on the real build).
    files: ['functions/**', 'src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/plugins/**', '**/test/**', '**/scripts/**', '**/bench/**', '**/serverless/**'],
              message:
                'Shipped code (functions/, src/) never imports the local stack, tests, scripts, benchmarks or serverless/.',
            },
            {
              group: [
                's3rver',
                'fauxqs',
                'dynalite',
                'serverless',
                'serverless-*',
                'osls',
                'esbuild',
                'jest',
                '@jest/*',
                'fast-check',
                'tsx',
              ],
              message: 'Shipped code never depends on an emulator, the framework or a test tool.',
            },
          ],
        },
      ],
    },
  },
  {
    // CLIs, benchmarks, tests and the local plugin talk to a terminal.
    files: ['bench/**', 'scripts/**', 'test/**', 'plugins/**'],
    rules: { 'no-console': 'off' },
  },
);
