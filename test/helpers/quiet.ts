/*
 * Powertools outside Lambda: no log lines, no EMF on stdout, no X-Ray. Jest loads it before every test
 * file (setupFiles); scripts and benchmarks import it first, before Powertools loads.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
export {};
