/**
 * The server: loads the configuration, opens the database, starts the transcode worker
 * (unless TRANSCODE_CONCURRENCY=0) and serves the app. SIGINT/SIGTERM shut it down
 * gracefully: stop accepting, hand running jobs back to the queue, close the database.
 *
 * Run it through `deno task start` (builds assets, narrow permissions).
 */
import manifest from "./fresh.gen.ts";
import { createApp } from "./lib/fresh/mod.ts";
import { loadConfig } from "./lib/config.ts";
import { closeServices, createServices, setServices } from "./lib/services.ts";
import { log } from "./lib/log.ts";
import { withBaseHeaders } from "./lib/http/middlewares.ts";

const config = loadConfig();
const services = await createServices(config);
setServices(services);
const app = createApp({ manifest });

const server = Deno.serve({
  port: config.port,
  hostname: config.host,
  onListen: ({ hostname, port }) => {
    const shown = hostname === "0.0.0.0" ? "localhost" : hostname;
    log.info("listening", {
      url: `http://${shown}:${port}/`,
      dataDir: config.dataDir,
    });
  },
}, withBaseHeaders(app.handler));

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info("shutdown", { signal });
  services.closing.abort();
  await server.shutdown();
  await closeServices(services);
  Deno.exit(0);
}
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(sig, () => void shutdown(sig));
}
