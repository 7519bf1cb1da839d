/**
 * Runs a built image's `CMD` (or another command, e.g. the worker's) with `buildah run`
 * (chroot isolation, host network) and a host folder as its `/data` volume, and finds the
 * process it started so the test can check its user and stop it gracefully.
 */
import { exec, type ImageConfig, type Output } from "./_buildah.ts";

/** A running container. */
export interface Container {
  /** Base URL of the server, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** The buildah working container's name. */
  name: string;
  /** Pid (host view) of the server (or worker) process inside the container. */
  serverPid: number;
  /** Everything the container printed so far. */
  output(): string;
  /** Runs a command in the same container (image user, env and working dir). */
  run(cmd: string[], env?: Record<string, string>): Promise<number>;
  /** SIGTERM to the server; resolves with its exit code. */
  stop(): Promise<number>;
  /** Stops (if needed) and removes the working container. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** A TCP port nobody listens on right now. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

function parentOf(pid: number): number | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

function commandLine(pid: number): string[] {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0")
      .filter(Boolean);
  } catch {
    return [];
  }
}

/** Pids below `root` in the process tree (buildah → chroot runtime → exec → deno). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const e of Deno.readDirSync("/proc")) {
    const pid = Number(e.name);
    if (!Number.isInteger(pid)) continue;
    const ppid = parentOf(pid);
    if (ppid !== null) children.set(ppid, [...children.get(ppid) ?? [], pid]);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    for (const c of children.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

/** The real user id of `pid` (from `/proc/<pid>/status`). */
export function processUid(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const m = status.match(/^Uid:\s+(\d+)/m);
  if (!m) throw new Error(`no Uid line for pid ${pid}`);
  return Number(m[1]);
}

/** The user id the image runs as (`id -u` in a container of it). */
export async function imageUid(image: string): Promise<number> {
  const name = (await exec("buildah", ["from", "--pull=never", image])).stdout
    .trim();
  try {
    const out = await exec("buildah", [
      "run",
      "--isolation",
      "chroot",
      name,
      "--",
      "id",
      "-u",
    ]);
    return Number(out.stdout.trim());
  } finally {
    await exec("buildah", ["rm", name], { allowFail: true });
  }
}

/** Options of {@link startContainer}. */
export interface StartOptions {
  /** Host folder mounted at `/data`. */
  dataDir: string;
  env?: Record<string, string>;
  /** The command instead of the image's `ENTRYPOINT` + `CMD` (e.g. compose's worker). */
  cmd?: string[];
  /**
   * Started when `/healthz` answers (default), or when the output matches this (a worker
   * serves no HTTP).
   */
  readyWhen?: RegExp;
  /** How long to wait until started (default 60 s). */
  timeoutMs?: number;
}

/** A working container of `image` and the `buildah run` arguments for a command in it. */
async function workingContainer(
  image: string,
  dataDir: string,
): Promise<{
  name: string;
  runArgs: (env: Record<string, string>, cmd: string[]) => string[];
  remove: () => Promise<Output>;
}> {
  const name = (await exec("buildah", ["from", "--pull=never", image])).stdout
    .trim();
  // buildah 1.28's chroot isolation mounts the image's declared VOLUME over a `-v` bind of
  // the same path; drop the declaration from this working container (the image keeps it).
  await exec("buildah", ["config", "--volume", "/data-", name]);
  const envArgs = (env: Record<string, string>) =>
    Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  const runArgs = (env: Record<string, string>, cmd: string[]) => [
    "run",
    "--isolation",
    "chroot",
    "--network",
    "host",
    "-v",
    `${dataDir}:/data`,
    ...envArgs(env),
    name,
    "--",
    ...cmd,
  ];
  const remove = () => exec("buildah", ["rm", name], { allowFail: true });
  return { name, runArgs, remove };
}

/**
 * Runs `cmd` (default: the image's `ENTRYPOINT` + `CMD`) in a fresh container of `image` to
 * its end, e.g. a start-up that must fail, and removes the container.
 */
export async function runContainer(
  image: string,
  config: ImageConfig,
  opts: Omit<StartOptions, "readyWhen">,
): Promise<Output> {
  const { runArgs, remove } = await workingContainer(image, opts.dataDir);
  try {
    return await exec(
      "buildah",
      runArgs(
        { PORT: String(freePort()), HOST: "127.0.0.1", ...opts.env },
        opts.cmd ?? [...config.entrypoint, ...config.cmd],
      ),
      { allowFail: true, timeoutMs: opts.timeoutMs ?? 120_000 },
    );
  } finally {
    await remove();
  }
}

/**
 * Starts the image's `CMD` (or `opts.cmd`) with the host folder as `/data` and `PORT` a
 * free port on 127.0.0.1, and resolves once `/healthz` answers (or the output matches
 * `opts.readyWhen`).
 */
export async function startContainer(
  image: string,
  config: ImageConfig,
  opts: StartOptions,
): Promise<Container> {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const { name, runArgs, remove } = await workingContainer(
    image,
    opts.dataDir,
  );
  const cmd = opts.cmd ?? [...config.entrypoint, ...config.cmd];
  const entry = cmd.at(-1)!;
  const env = { PORT: String(port), HOST: "127.0.0.1", ...opts.env };
  const child = new Deno.Command("buildah", {
    args: runArgs(env, cmd),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder();
    for await (const chunk of stream) {
      out += dec.decode(chunk, { stream: true });
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });

  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let healthy = false;
  while (!exited && Date.now() < deadline) {
    if (opts.readyWhen) {
      if (opts.readyWhen.test(out)) {
        healthy = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    try {
      const res = await fetch(`${url}/healthz`);
      await res.body?.cancel();
      if (res.ok) {
        healthy = true;
        break;
      }
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  const serverPid = descendants(child.pid).find((pid) => {
    const argv = commandLine(pid);
    return /(^|\/)deno$/.test(argv[0] ?? "") && argv.includes(entry);
  });
  if (!healthy || serverPid === undefined) {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
    await status;
    await pumps;
    await remove();
    throw new Error(
      `the container (${entry}) did not start${
        opts.readyWhen ? "" : ` and become healthy on ${url}`
      }:\n${out.slice(-4000)}`,
    );
  }

  let stopped: Promise<number> | null = null;
  const stop = (): Promise<number> =>
    stopped ??= (async () => {
      // buildah answers SIGTERM by killing its child outright; signal the server itself
      // so its graceful shutdown runs, as `docker stop` would.
      try {
        Deno.kill(serverPid, "SIGTERM");
      } catch { /* already gone */ }
      const guard = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }, 20_000);
      const s = await status;
      clearTimeout(guard);
      await pumps;
      return s.code;
    })();

  return {
    url,
    port,
    name,
    serverPid,
    output: () => out,
    async run(cmd, extraEnv = {}) {
      const res = await exec("buildah", runArgs({ ...env, ...extraEnv }, cmd), {
        allowFail: true,
        timeoutMs: 60_000,
      });
      return res.code;
    },
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
      await remove();
    },
  };
}
