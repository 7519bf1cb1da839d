/**
 * Backend selection from the configuration: PostgreSQL when `DATABASE_URL` is set (any
 * number of processes on any number of machines), else the embedded SQLite file in
 * `DATA_DIR` (processes on one machine); S3-compatible storage when `S3_BUCKET` is set, else
 * files under `DATA_DIR`.
 *
 * @module
 */
import type { Config } from "./config.ts";
import {
  openPostgresStores,
  openSqliteStores,
  type Stores,
} from "../store/mod.ts";
import { type BlobStore, LocalBlobStore, S3BlobStore } from "../storage/mod.ts";

/** Opens (and migrates) the configured stores. Throws one sentence when unreachable. */
export async function openStores(
  config: Pick<Config, "databaseUrl" | "dataDir">,
): Promise<Stores> {
  if (config.databaseUrl) return await openPostgresStores(config.databaseUrl);
  return openSqliteStores(config.dataDir);
}

/** The blob store with its readiness check: S3 when `S3_BUCKET` is set, else `DATA_DIR`. */
export async function openBlobs(
  config: Pick<
    Config,
    "s3Bucket" | "s3Endpoint" | "s3Region" | "s3Prefix" | "dataDir"
  >,
): Promise<{ blobs: BlobStore; ping: (() => Promise<void>) | null }> {
  if (!config.s3Bucket) {
    return { blobs: new LocalBlobStore(config.dataDir), ping: null };
  }
  const s3 = await S3BlobStore.open({
    bucket: config.s3Bucket,
    endpoint: config.s3Endpoint,
    region: config.s3Region,
    prefix: config.s3Prefix,
  });
  return { blobs: s3, ping: () => s3.ping() };
}
