/**
 * A real S3 API for tests and benches: OpenStack Swift (Debian's packages) with the `s3api` middleware
 * and `tempauth`, one node, one replica, everything in a temp folder on free ports.
 *
 * `startSwift()` installs the packages when they are missing (root only), writes its own
 * configs and rings, starts memcached, the account/container/object servers and the proxy,
 * and waits until an S3 request succeeds. `stop()` ends every process and removes the
 * folder. Start one per test file (see `sharedSwift()`): it takes a few seconds.
 *
 * Swift reads `swift.conf` from the hard-coded `/etc/swift/swift.conf` (there is no env
 * variable; `swift_dir` only moves the rings), so the servers are started through a small
 * Python bootstrap that points `swift.common.utils.SWIFT_CONF_FILE` at our own file before
 * anything reads it. `workers = 0` keeps each server in one process (no forked workers).
 *
 * @module
 */
import { join } from "node:path";
import { HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";

/** A running Swift with S3 credentials for it. */
export interface Swift {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** The temp folder holding configs, devices and logs (removed by `stop`). */
  dir: string;
  /** How long start-up took, in milliseconds. */
  startMs: number;
  stop(): Promise<void>;
}

/**
 * The app's environment for `bucket` on this Swift: `S3_*` and the AWS SDK's variables.
 * With `sdkFilesDir`, the SDK's shared config files point at absent, readable paths there
 * (a process run with narrow permissions otherwise trips over `~/.aws`).
 */
export function s3Env(
  swift: Swift,
  bucket: string,
  sdkFilesDir?: string,
): Record<string, string> {
  return {
    S3_BUCKET: bucket,
    S3_ENDPOINT: swift.endpoint,
    AWS_ACCESS_KEY_ID: swift.accessKeyId,
    AWS_SECRET_ACCESS_KEY: swift.secretAccessKey,
    AWS_REGION: swift.region,
    ...(sdkFilesDir
      ? {
        AWS_CONFIG_FILE: join(sdkFilesDir, "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE: join(sdkFilesDir, "aws-credentials"),
      }
      : {}),
  };
}

const PACKAGES = [
  "swift-proxy",
  "swift-object",
  "swift-container",
  "swift-account",
  "memcached",
];
const BINARIES = [
  "/usr/bin/swift-proxy-server",
  "/usr/bin/swift-account-server",
  "/usr/bin/swift-container-server",
  "/usr/bin/swift-object-server",
  "/usr/bin/swift-ring-builder",
  "/usr/bin/memcached",
];
const SERVERS = ["account", "container", "object"] as const;
// Generous: on a loaded 2-core machine start-up was seen to take 30 s (3-5 s when idle).
const START_TIMEOUT_MS = 90_000;

const USER = "test";
const KEY_USER = "tester";
const SECRET = "testing";
const REGION = "us-east-1";

/** Points Swift at our swift.conf, then runs one server like its /usr/bin script. */
const BOOTSTRAP = `
import sys
import swift.common.utils as utils
kind, swift_conf, conf = sys.argv[1:4]
utils.SWIFT_CONF_FILE = swift_conf
from swift.common import constraints, storage_policy
constraints.reload_constraints()
storage_policy.reload_storage_policies()
from swift.common.wsgi import run_wsgi
kwargs = {"verbose": True}
if kind == "object-server":
    from swift.obj import server
    kwargs["global_conf_callback"] = server.global_conf_callback
sys.exit(run_wsgi(conf, kind, **kwargs))
`;

/** Starts a private Swift; see the module doc. */
export async function startSwift(): Promise<Swift> {
  const t0 = performance.now();
  await ensureInstalled();
  const dir = await Deno.makeTempDir({ prefix: "reel-swift-" });
  const procs: { name: string; child: Deno.ChildProcess }[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    removeEventListener("unload", stopSync);
    await Promise.all(procs.map(({ child }) => end(child)));
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  // Last resort when a test file ends without calling stop(): kill synchronously.
  const stopSync = () => {
    for (const { child } of procs) {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    }
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // Nothing to remove.
    }
  };
  addEventListener("unload", stopSync);

  try {
    const etc = join(dir, "etc");
    const devices = join(dir, "srv");
    const logs = join(dir, "log");
    await Deno.mkdir(etc);
    await Deno.mkdir(join(devices, "d1"), { recursive: true });
    await Deno.mkdir(logs);
    const [proxyPort, memcachePort, ...backendPorts] = freePorts(5);
    const ports = Object.fromEntries(
      SERVERS.map((s, i) => [s, backendPorts[i]]),
    ) as Record<typeof SERVERS[number], number>;

    const swiftConf = join(etc, "swift.conf");
    await Deno.writeTextFile(
      swiftConf,
      ini({
        "swift-hash": {
          swift_hash_path_suffix: crypto.randomUUID(),
          swift_hash_path_prefix: crypto.randomUUID(),
        },
        "storage-policy:0": { name: "Policy-0", default: "yes" },
      }),
    );
    const bootstrap = join(etc, "bootstrap.py");
    await Deno.writeTextFile(bootstrap, BOOTSTRAP);
    const common = {
      bind_ip: "127.0.0.1",
      workers: "0",
      user: currentUser(),
      swift_dir: etc,
      devices,
      mount_check: "false",
      log_level: "WARNING",
    };
    const confs: Record<string, string> = {};
    for (const s of SERVERS) {
      confs[s] = join(etc, `${s}-server.conf`);
      await Deno.writeTextFile(
        confs[s],
        ini({
          DEFAULT: { ...common, bind_port: String(ports[s]) },
          "pipeline:main": { pipeline: `${s}-server` },
          [`app:${s}-server`]: { use: `egg:swift#${s}` },
        }),
      );
    }
    confs.proxy = join(etc, "proxy-server.conf");
    await Deno.writeTextFile(
      confs.proxy,
      ini({
        DEFAULT: {
          bind_ip: "127.0.0.1",
          bind_port: String(proxyPort),
          workers: "0",
          user: currentUser(),
          swift_dir: etc,
          log_level: "WARNING",
        },
        "pipeline:main": {
          // s3api needs its auth (tempauth) right after it, and slo after that for
          // multipart uploads; bulk is not needed for multi-object delete.
          pipeline:
            "catch_errors healthcheck proxy-logging cache s3api tempauth slo proxy-logging proxy-server",
        },
        "app:proxy-server": {
          use: "egg:swift#proxy",
          account_autocreate: "true",
          // One node: never wait long for (or error-limit) a backend that is still starting.
          conn_timeout: "2",
          error_suppression_limit: "1000",
        },
        "filter:catch_errors": { use: "egg:swift#catch_errors" },
        "filter:healthcheck": { use: "egg:swift#healthcheck" },
        "filter:proxy-logging": { use: "egg:swift#proxy_logging" },
        "filter:cache": {
          use: "egg:swift#memcache",
          memcache_servers: `127.0.0.1:${memcachePort}`,
        },
        "filter:s3api": { use: "egg:swift#s3api", location: REGION },
        "filter:tempauth": {
          use: "egg:swift#tempauth",
          [`user_${USER}_${KEY_USER}`]: `${SECRET} .admin`,
        },
        "filter:slo": { use: "egg:swift#slo" },
      }),
    );

    const python = await interpreterOf("/usr/bin/swift-ring-builder");
    // Only the proxy reads the rings at start-up: build them while the backends start.
    const rings = buildRings(python, etc, ports);
    rings.catch(() => {}); // Awaited below; this only keeps an early failure handled.

    const spawn = async (name: string, cmd: string, args: string[]) => {
      const log = await Deno.open(join(logs, `${name}.log`), {
        write: true,
        create: true,
      });
      const child = new Deno.Command(cmd, {
        args,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // Both streams into one log file; the pumps end when the process does.
      const writer = log.writable.getWriter();
      const pump = async (s: ReadableStream<Uint8Array>) => {
        for await (const chunk of s) await writer.write(chunk);
      };
      Promise.all([pump(child.stdout), pump(child.stderr)])
        .catch(() => {})
        .finally(() => writer.close().catch(() => {}));
      procs.push({ name, child });
    };

    await spawn("memcached", "/usr/bin/memcached", [
      "-l",
      "127.0.0.1",
      "-p",
      String(memcachePort),
      "-U",
      "0",
      "-m",
      "16",
      "-u",
      currentUser(),
    ]);
    for (const s of SERVERS) {
      await spawn(`${s}-server`, python, [
        bootstrap,
        `${s}-server`,
        swiftConf,
        confs[s],
      ]);
    }
    await rings;
    await spawn("proxy-server", python, [
      bootstrap,
      "proxy-server",
      swiftConf,
      confs.proxy,
    ]);

    const endpoint = `http://127.0.0.1:${proxyPort}`;
    await waitReady(endpoint, ports, procs, logs);
    return {
      endpoint,
      accessKeyId: `${USER}:${KEY_USER}`,
      secretAccessKey: SECRET,
      region: REGION,
      dir,
      startMs: Math.round(performance.now() - t0),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

let shared: Promise<Swift> | null = null;

/** One Swift per test file, started on first use; stop it with `stopSharedSwift()`. */
export function sharedSwift(): Promise<Swift> {
  shared ??= startSwift();
  return shared;
}

/** Stops the shared Swift if one was started. */
export async function stopSharedSwift(): Promise<void> {
  const s = shared;
  shared = null;
  if (s) await (await s.catch(() => null))?.stop();
}

// ---------------------------------------------------------------------------------------

async function ensureInstalled(): Promise<void> {
  const missing = async () => {
    const out: string[] = [];
    for (const b of BINARIES) {
      try {
        await Deno.stat(b);
      } catch {
        out.push(b);
      }
    }
    return out;
  };
  const before = await missing();
  if (before.length === 0) return;
  if (Deno.uid() !== 0) {
    throw new Error(
      `Swift is not installed (missing ${
        before.join(", ")
      }) and this user cannot install it: run as root, or ` +
        `apt-get install ${PACKAGES.join(" ")}.`,
    );
  }
  const run = async (args: string[]) => {
    const out = await new Deno.Command(args[0], {
      args: args.slice(1),
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdin: "null",
    }).output();
    if (!out.success) {
      throw new Error(
        `${args.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`,
      );
    }
  };
  await run(["apt-get", "update", "-q"]);
  await run(["apt-get", "install", "-y", "-q", ...PACKAGES]);
  const after = await missing();
  if (after.length > 0) {
    throw new Error(
      `Installing ${PACKAGES.join(" ")} left ${after.join(", ")} missing.`,
    );
  }
  // The packages' own services are not wanted (and not started: no init in a container).
}

/**
 * Writes `<kind>.ring.gz` into `etc` for each server: part power 6, one replica, one
 * device. This is what `swift-ring-builder <f> create 6 1 1`, `add r1z1-…/d1 100` and
 * `rebalance` do, through the same library in ONE Python process: nine runs of the CLI
 * take about 6 s on two cores, this about 1 s.
 */
async function buildRings(
  python: string,
  etc: string,
  ports: Record<string, number>,
): Promise<void> {
  const out = await new Deno.Command(python, {
    args: ["-c", RING_SCRIPT, etc, ...Object.entries(ports).flat().map(String)],
    stdin: "null",
  }).output();
  if (!out.success) {
    throw new Error(
      `Building the Swift rings failed: ${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
}

const RING_SCRIPT = `
import sys
from swift.common.ring import RingBuilder
etc, rest = sys.argv[1], sys.argv[2:]
for kind, port in zip(rest[0::2], rest[1::2]):
    b = RingBuilder(6, 1, 1)
    b.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1",
               "port": int(port), "device": "d1", "weight": 100, "meta": ""})
    b.rebalance()
    b.save("%s/%s.builder" % (etc, kind))
    b.get_ring().save("%s/%s.ring.gz" % (etc, kind))
`;

async function waitReady(
  endpoint: string,
  ports: Record<string, number>,
  procs: { name: string; child: Deno.ChildProcess }[],
  logs: string,
): Promise<void> {
  const exited = new Map<string, Deno.CommandStatus>();
  for (const { name, child } of procs) {
    child.status.then((s) => exited.set(name, s));
  }
  const deadline = Date.now() + START_TIMEOUT_MS;
  const fail = async (why: string) => {
    let tail = "";
    for (const { name } of procs) {
      const text = await Deno.readTextFile(join(logs, `${name}.log`)).catch(
        () => "",
      );
      if (text.trim()) tail += `\n--- ${name}\n${text.slice(-2000)}`;
    }
    return new Error(`Swift did not start: ${why}${tail}`);
  };
  const until = async (what: string, ok: () => Promise<boolean>) => {
    while (true) {
      if (exited.size > 0) {
        const [name, s] = [...exited][0];
        throw await fail(`${name} exited with code ${s.code}`);
      }
      if (await ok().catch(() => false)) return;
      if (Date.now() > deadline) throw await fail(`${what} timed out`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  // Backends first: the proxy error-limits nodes that refuse connections.
  for (const [name, port] of Object.entries(ports)) {
    await until(`${name} server`, async () => {
      const res = await fetch(`http://127.0.0.1:${port}/healthcheck`);
      await res.body?.cancel();
      return true; // Any HTTP answer means it is listening.
    });
  }
  await until("proxy /healthcheck", async () => {
    const res = await fetch(`${endpoint}/healthcheck`);
    await res.body?.cancel();
    return res.ok;
  });
  // An authenticated S3 request proves s3api, tempauth and the account server together.
  const client = new S3Client({
    endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: {
      accessKeyId: `${USER}:${KEY_USER}`,
      secretAccessKey: SECRET,
    },
    maxAttempts: 1,
  });
  try {
    await until("an S3 request", async () => {
      try {
        await client.send(
          new HeadBucketCommand({ Bucket: "reel-ready-probe" }),
        );
      } catch (err) {
        // 404 is the expected answer: the bucket does not exist, but auth worked.
        return (err as { $metadata?: { httpStatusCode?: number } }).$metadata
          ?.httpStatusCode === 404;
      }
      return true;
    });
  } finally {
    client.destroy();
  }
}

async function end(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch {
    // Already gone.
  }
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }, 3000);
  await child.status;
  clearTimeout(timer);
}

/** `n` distinct free TCP ports on 127.0.0.1 (bound and released at once). */
function freePorts(n: number): number[] {
  const listeners = Array.from(
    { length: n },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((l) => (l.addr as Deno.NetAddr).port);
  for (const l of listeners) l.close();
  return ports;
}

/** The Python that Debian's Swift scripts run with (their `#!` line), not PATH's. */
async function interpreterOf(script: string): Promise<string> {
  const head = (await Deno.readTextFile(script)).split("\n", 1)[0];
  const m = /^#!\s*(\S+)/.exec(head);
  return m ? m[1] : "/usr/bin/python3";
}

function currentUser(): string {
  if (Deno.uid() === 0) return "root";
  return Deno.env.get("USER") ?? Deno.env.get("LOGNAME") ?? "root";
}

function ini(sections: Record<string, Record<string, string>>): string {
  return Object.entries(sections)
    .map(([name, kv]) =>
      `[${name}]\n${
        Object.entries(kv).map(([k, v]) => `${k} = ${v}`).join("\n")
      }\n`
    )
    .join("\n");
}
