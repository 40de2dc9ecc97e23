/*
 * The one place intake imports middy's ES modules. This CommonJS project loads them through esbuild (Lambda
 * bundles), ts-jest (tests) and tsx, which all accept it, but TypeScript's `module: node16` rejects value
 * imports of ESM from CommonJS (TS1479; `node20` allows them): the directives below silence only that.
 */
import type { MiddlewareObj, MiddyfiedHandler } from '@middy/core' with { 'resolution-mode': 'import' };
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-ignore TS1479 under module node16, fine under node20
import middyCore from '@middy/core';
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-ignore TS1479 under module node16, fine under node20
import httpJsonBodyParserMiddleware from '@middy/http-json-body-parser';

export type { MiddlewareObj, MiddyfiedHandler };
export const middy = middyCore;
export const httpJsonBodyParser = httpJsonBodyParserMiddleware;
