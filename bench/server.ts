/**
 * Starts the real server (main.ts) the way tests/_server.ts does (same narrow permissions,
 * free port, temp DATA_DIR, same env), but drains its log without keeping it: the test
 * harness appends every log line to one string and rescans it, which under a load test costs
 * the bench most of a core that the server then lacks on a 2-core machine.
 */
import { join } from "node:path";
import { serverPermissions } from "../lib/cli/permissions.ts";
import { ROOT } from "../tests/_server.ts";

/** A running server. */
export interface BenchServer {
  url: string;
  pid: number;
  dataDir: string;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts the server with `env` on top of the test defaults; resolves once it listens. */
export async function startBenchServer(
  env: Record<string, string> = {},
): Promise<BenchServer> {
  const dataDir = await Deno.makeTempDir({ prefix: "reel-bench-data-" });
  const fullEnv: Record<string, string> = {
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    LOG_LEVEL: "info",
    MIN_FREE_DISK_BYTES: "0",
    RATE_LIMIT_UPLOADS: "0",
    RATE_LIMIT_WRITES: "0",
    NO_COLOR: "1",
    ...env,
  };
  const perms = serverPermissions(ROOT, { ...Deno.env.toObject(), ...fullEnv });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...perms, join(ROOT, "main.ts")],
    cwd: ROOT,
    env: fullEnv,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let tail = "";
  let resolveUrl!: (url: string) => void;
  const listening = new Promise<string>((r) => (resolveUrl = r));
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder();
    let found = false;
    for await (const chunk of stream) {
      if (found) continue; // drain, keep nothing
      tail = (tail + dec.decode(chunk, { stream: true })).slice(-65536);
      const m = tail.match(/"msg":"listening","url":"(http:[^"]+)"/);
      if (m) {
        found = true;
        resolveUrl(m[1].replace("localhost", "127.0.0.1").replace(/\/$/, ""));
      }
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  child.status.then(() => resolveUrl(""));
  const timer = setTimeout(() => resolveUrl(""), 30_000);
  const url = await listening;
  clearTimeout(timer);
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    const guard = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
    }, 15_000);
    await child.status;
    clearTimeout(guard);
    await pumps;
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  };
  if (!url) {
    await stop();
    throw new Error(`server did not start:\n${tail}`);
  }
  return { url, pid: child.pid, dataDir, [Symbol.asyncDispose]: stop };
}
