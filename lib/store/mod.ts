/**
 * The store layer's public face: the ports (async interfaces every backend implements), the
 * embedded SQLite backend and the PostgreSQL one.
 *
 * @module
 */
export type * from "./ports.ts";
export { openSqliteStores } from "./sqlite/mod.ts";
export { openPostgresStores, type PostgresOptions } from "./postgres/mod.ts";
export {
  DELIVERY_LOG_KEEP,
  eventSnapshot,
  mayTransition,
  transitionEvents,
  VIDEO_EVENT_TYPES,
} from "./events.ts";
