/**
 * The store layer's public face: the ports (async interfaces every backend implements) and
 * the embedded SQLite backend.
 *
 * @module
 */
export type * from "./ports.ts";
export { openSqliteStores } from "./sqlite/mod.ts";
