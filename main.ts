/**
 * The server: loads the configuration, builds the web process (stores, blob store, worker
 * unless TRANSCODE_CONCURRENCY=0) and serves the app. SIGINT/SIGTERM shut it down
 * gracefully: stop accepting, hand running jobs back to the queue, close the database.
 *
 * Run it through `deno task start` (builds assets, narrow permissions).
 */
import manifest from "./fresh.gen.ts";
import { createApp } from "./lib/fresh/mod.ts";
import { buildWeb, loadConfig } from "./lib/app/mod.ts";
import { log } from "./lib/core/log.ts";
import { withBaseHeaders } from "./lib/http/middlewares.ts";

let web: Awaited<ReturnType<typeof buildWeb>>;
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
  web = await buildWeb(config);
} catch (err) {
  // A bad setting: one sentence naming the variable, no stack trace.
  console.error((err as Error).message);
  Deno.exit(1);
}
const app = createApp({ manifest, use: [web.provide] });

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
  web.endStreams();
  await server.shutdown();
  await web.close();
  Deno.exit(0);
}
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(sig, () => void shutdown(sig));
}
