/**
 * The composition root: configuration, and the builders of the web and worker processes.
 * Only entry points (`main.ts`, `lib/cli/`) import this.
 *
 * @module
 */
export { type Config, loadConfig } from "./config.ts";
export { buildWeb, TUS_PATH, type WebApp } from "./web.ts";
export { buildWorker, type WorkerApp } from "./worker.ts";
export { buildParts, type Parts, type PartsOptions } from "./parts.ts";
