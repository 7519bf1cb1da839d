/**
 * Starts the real server (main.ts) or a worker (lib/cli/worker.ts) as a child process on a
 * free port with a temp DATA_DIR and the same narrow permissions as `deno task start`, for
 * integration tests and benchmarks.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serverPermissions } from "./permissions.ts";

/** Project root (this file is lib/cli/spawn_server.ts). */
export const ROOT: string = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
);

/** A running server. */
export interface TestServer {
  url: string;
  dataDir: string;
  pid: number;
  /** Everything the server printed so far. */
  output(): string;
  /** Graceful stop (SIGTERM) and wait. */
  stop(): Promise<void>;
  /** `kill -9`, and wait. */
  kill9(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options for {@link startServer}. */
export interface StartOptions {
  env?: Record<string, string>;
  /** Reuse a data directory (restart tests); default a new temp dir removed on dispose. */
  dataDir?: string;
  /** Entry file relative to the root; default main.ts (see {@link startWorker}). */
  entry?: string;
  /** Keep the data dir on dispose. */
  keepData?: boolean;
  /** Drop the log once started (load and benchmarks: the log would grow without bound). */
  discardOutput?: boolean;
}

/** Starts the server and resolves once it listens (a worker: once it has started). */
export async function startServer(
  opts: StartOptions = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ??
    await Deno.makeTempDir({ prefix: "reel-test-" });
  const env: Record<string, string> = {
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    LOG_LEVEL: "info",
    MIN_FREE_DISK_BYTES: "0",
    RATE_LIMIT_UPLOADS: "0",
    RATE_LIMIT_WRITES: "0",
    NO_COLOR: "1",
    ...opts.env,
  };
  const perms = serverPermissions(ROOT, { ...Deno.env.toObject(), ...env });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...perms, join(ROOT, opts.entry ?? "main.ts")],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  let out = "";
  let resolveUrl!: (url: string) => void;
  const urlPromise = new Promise<string>((r) => (resolveUrl = r));
  let ready = false;
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder();
    for await (const chunk of stream) {
      if (ready && opts.discardOutput) continue;
      out += dec.decode(chunk, { stream: true });
      if (ready) continue; // scan only until start-up (the log grows under load)
      const m = out.match(/"msg":"listening","url":"(http:[^"]+)"/);
      if (m) {
        ready = true;
        resolveUrl(m[1].replace("localhost", "127.0.0.1").replace(/\/$/, ""));
      } else if (out.includes('"msg":"worker.started"')) {
        ready = true;
        resolveUrl("worker:");
      }
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const exited = child.status.then((s) => {
    resolveUrl("");
    return s;
  });

  const timeout = setTimeout(() => resolveUrl(""), 30_000);
  const url = await urlPromise;
  clearTimeout(timeout);
  let stopped = false;
  const finish = async (signal: Deno.Signal) => {
    if (!stopped) {
      stopped = true;
      try {
        child.kill(signal);
      } catch { /* already exited */ }
    }
    const guard = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
    }, 15_000);
    await exited;
    clearTimeout(guard);
    await pumps;
  };
  const server: TestServer = {
    url,
    dataDir,
    pid: child.pid,
    output: () => out,
    stop: () => finish("SIGTERM"),
    kill9: () => finish("SIGKILL"),
    async [Symbol.asyncDispose]() {
      await finish("SIGTERM");
      if (!opts.keepData && !opts.dataDir) {
        await Deno.remove(dataDir, { recursive: true });
      }
    },
  };
  if (!url) {
    await finish("SIGKILL");
    throw new Error(`server did not start:\n${out}`);
  }
  return server;
}

/** Starts `deno task worker`'s entry (the job loop alone) on a data directory. */
export function startWorker(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<TestServer> {
  return startServer({ dataDir, env, entry: "lib/cli/worker.ts" });
}
