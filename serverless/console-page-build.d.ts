// Types of serverless/console-page-build.js for the tests that build the console page.

import type { BuiltConsolePage } from '../src/console/page-response';

export const CONSOLE_PAGE_MODULE: string;
export const ENTRY: string;
export function inlinePage(template: string, style: string, script: string): string;
export function buildConsolePage(): BuiltConsolePage & { inputs: string[] };
export function consolePageModuleSource(page: BuiltConsolePage): string;
