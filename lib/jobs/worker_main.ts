/**
 * `deno task worker`: the transcode job loop alone, without HTTP, against the same
 * `DATA_DIR` as the web process. Run any number of them; each job runs exactly once.
 * SIGINT/SIGTERM hand running jobs back to the queue before exiting.
 */
import { loadConfig } from "../config.ts";
import { closeServices, createServices } from "../services.ts";
import { log } from "../log.ts";

const config = loadConfig();
const concurrency = config.transcodeConcurrency > 0
  ? config.transcodeConcurrency
  : 1;
const services = await createServices({
  ...config,
  transcodeConcurrency: concurrency,
});
log.info("worker.started", {
  holder: services.worker?.holder,
  concurrency,
  dataDir: config.dataDir,
});

let stopping = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(sig, async () => {
    if (stopping) return;
    stopping = true;
    log.info("shutdown", { signal: sig });
    await closeServices(services);
    Deno.exit(0);
  });
}
