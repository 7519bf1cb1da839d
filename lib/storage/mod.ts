/**
 * The blob-store layer: the port, the local-disk and S3 backends, plus the free-space
 * helper.
 *
 * @module
 */
export type { BlobInfo, BlobStore, ByteRange, ServeOptions } from "./port.ts";
export { LocalBlobStore } from "./local/local_store.ts";
export {
  addS3Compat,
  S3BlobStore,
  type S3BlobStoreOptions,
  s3ClientConfig,
} from "./s3/s3_store.ts";
export { freeDiskBytes, removeAll } from "./disk.ts";
