/**
 * The package entry: today the same as `ide-monitor/client` (the ingest client and its wire types).
 * Import `ide-monitor/client` to say so and stay light if this entry grows.
 */
export * from './client.js';
