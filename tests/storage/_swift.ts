/** The Swift (S3) harness lives in lib/cli so that bench/ can use it too. */
export * from "../../lib/cli/swift_server.ts";
