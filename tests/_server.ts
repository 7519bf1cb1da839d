/**
 * The child-process server launcher for integration tests; it lives in
 * lib/cli/spawn_server.ts (benchmarks use it too).
 */
export * from "../lib/cli/spawn_server.ts";
