/**
 * The blob-store layer: the port and the local-disk backend, plus the free-space helper.
 *
 * @module
 */
export type { BlobInfo, BlobStore, ByteRange, ServeOptions } from "./port.ts";
export { LocalBlobStore } from "./local/local_store.ts";
export { freeDiskBytes, removeAll } from "./disk.ts";
