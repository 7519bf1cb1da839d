/**
 * The composition root of a worker process (`deno task worker`): the job loop alone, no
 * HTTP, against the same stores and blob store as the web process.
 *
 * @module
 */
import type { Config } from "./config.ts";
import {
  buildParts,
  closeParts,
  type Parts,
  type PartsOptions,
  startJobs,
} from "./parts.ts";

/** A running worker process. */
export interface WorkerApp {
  parts: Parts;
  /** This worker's holder name (in job leases and logs). */
  holder: string;
  /** Hands running jobs back to the queue and closes the stores. */
  close(): Promise<void>;
}

/** Builds and starts the worker; concurrency is at least 1 here. */
export async function buildWorker(
  config: Config,
  opts: Partial<PartsOptions> = {},
): Promise<WorkerApp> {
  const parts = await buildParts(
    {
      ...config,
      transcodeConcurrency: Math.max(1, config.transcodeConcurrency),
    },
    { ...opts, runJobs: true },
  );
  await startJobs(parts);
  return {
    parts,
    holder: parts.worker!.holder,
    close: () => closeParts(parts),
  };
}
