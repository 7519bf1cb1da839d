/** The PostgreSQL harness lives in lib/cli so that bench/ can use it too. */
export * from "../../lib/cli/postgres_server.ts";
