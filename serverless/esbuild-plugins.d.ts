// Types of serverless/esbuild-plugins.js (the esbuild plugins of every function build).

import type { Plugin } from 'esbuild';

declare const plugins: Plugin[];
export = plugins;
