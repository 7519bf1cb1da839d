/**
 * `deno task worker`: the job loop alone, without HTTP, against the same `DATA_DIR` as the
 * web process. Run any number of them; each job runs exactly once. SIGINT/SIGTERM hand
 * running jobs back to the queue before exiting.
 *
 * @module
 */
import { buildWorker, loadConfig } from "../app/mod.ts";
import { log } from "../core/log.ts";

let config: ReturnType<typeof loadConfig>;
let worker: Awaited<ReturnType<typeof buildWorker>>;
try {
  config = loadConfig();
  worker = await buildWorker(config);
} catch (err) {
  console.error((err as Error).message);
  Deno.exit(1);
}
log.info("worker.started", {
  holder: worker.holder,
  concurrency: Math.max(1, config.transcodeConcurrency),
  dataDir: config.dataDir,
});

let stopping = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(sig, async () => {
    if (stopping) return;
    stopping = true;
    log.info("shutdown", { signal: sig });
    await worker.close();
    Deno.exit(0);
  });
}
