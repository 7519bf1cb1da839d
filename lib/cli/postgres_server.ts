/**
 * A throwaway PostgreSQL server for tests and benches: a temp cluster on a free loopback port, tuned to
 * start fast (no fsync, small buffers), stopped and removed by `stop()`. Installs the
 * `postgresql` Debian package when no `initdb` is found. PostgreSQL refuses to run as root,
 * so as root the server runs as the `postgres` system user (created when missing).
 *
 * TCP logins need a password (SCRAM-SHA-256): `url` carries the superuser's, and tests of a
 * refused login can use `withPassword()`.
 *
 * @module
 */
import { join } from "node:path";
import postgres from "postgres";

/** A running server. */
export interface PgServer {
  /** Superuser URL of the `reel` database, e.g. `postgres://reel:…@127.0.0.1:PORT/reel`. */
  url: string;
  port: number;
  /** Milliseconds from the call to a server accepting connections (install excluded). */
  startMs: number;
  /** The URL of database `name`, optionally as another user or with another password. */
  urlOf(name: string, user?: string, password?: string): string;
  /** Shuts the server down (fast mode) and removes its folder. */
  stop(): Promise<void>;
  /** The same, blocking (for an `unload` handler); does nothing once stopped. */
  stopSync(): void;
}

const SUPERUSER = "reel";
const OS_USER = "postgres";

async function run(
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string } = {},
): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    env: opts.env,
    cwd: opts.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (!out.success) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed (${out.code}): ${
        dec.decode(out.stderr)
      }${dec.decode(out.stdout)}`,
    );
  }
  return dec.decode(out.stdout);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The newest `/usr/lib/postgresql/<ver>/bin` with an initdb, or null. */
async function findBinDir(): Promise<string | null> {
  const base = "/usr/lib/postgresql";
  if (!(await exists(base))) return null;
  const versions: number[] = [];
  for await (const e of Deno.readDir(base)) {
    if (
      /^\d+$/.test(e.name) && await exists(join(base, e.name, "bin/initdb"))
    ) {
      versions.push(Number(e.name));
    }
  }
  if (versions.length === 0) return null;
  return join(base, String(Math.max(...versions)), "bin");
}

async function ensureBinDir(): Promise<string> {
  const found = await findBinDir();
  if (found) return found;
  const env = { ...Deno.env.toObject(), DEBIAN_FRONTEND: "noninteractive" };
  await run("apt-get", ["update", "-qq"], { env });
  await run("apt-get", ["install", "-y", "-qq", "postgresql"], { env });
  const installed = await findBinDir();
  if (!installed) throw new Error("postgresql installed but no initdb found");
  return installed;
}

/** As root: the uid/gid of the `postgres` user (created when missing); else null. */
async function serverUser(): Promise<{ uid: number; gid: number } | null> {
  if (Deno.uid() !== 0) return null;
  try {
    await run("id", ["-u", OS_USER]);
  } catch {
    await run("useradd", ["--system", "--no-create-home", OS_USER]);
  }
  const uid = Number((await run("id", ["-u", OS_USER])).trim());
  const gid = Number((await run("id", ["-g", OS_USER])).trim());
  return { uid, gid };
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return port;
}

/** Starts a fresh cluster; call `stop()` when done. */
export async function startPostgres(): Promise<PgServer> {
  const bin = await ensureBinDir();
  const owner = await serverUser();
  const t0 = performance.now();
  const dir = await Deno.makeTempDir({ prefix: "reel-pg-" });
  const data = join(dir, "data");
  const password = crypto.randomUUID().replaceAll("-", "");
  const pwfile = join(dir, "pw");
  await Deno.writeTextFile(pwfile, password + "\n", { mode: 0o600 });
  if (owner) {
    await Deno.chown(dir, owner.uid, owner.gid);
    await Deno.chown(pwfile, owner.uid, owner.gid);
  }
  /** Runs a server binary as the server's user. */
  const pg = (tool: string, args: string[]) =>
    owner
      ? run("runuser", ["-u", OS_USER, "--", join(bin, tool), ...args], {
        cwd: dir,
      })
      : run(join(bin, tool), args, { cwd: dir });

  await pg("initdb", [
    "-D",
    data,
    "-U",
    SUPERUSER,
    `--pwfile=${pwfile}`,
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    "-E",
    "UTF8",
    "--locale=C",
    "--no-sync",
    "--no-instructions",
  ]);
  await Deno.remove(pwfile);

  let port = 0;
  for (let attempt = 1;; attempt++) {
    port = freePort();
    const options = [
      `-c port=${port}`,
      "-c listen_addresses=127.0.0.1",
      `-c unix_socket_directories=${dir}`,
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c shared_buffers=16MB",
      "-c max_connections=200",
      "-c max_wal_size=256MB",
      "-c log_min_messages=warning",
    ].join(" ");
    try {
      await pg("pg_ctl", [
        "-D",
        data,
        "-l",
        join(dir, "server.log"),
        "-w",
        "-t",
        "60",
        "-o",
        options,
        "start",
      ]);
      break;
    } catch (err) {
      // Another process may have taken the port between freePort() and the start.
      if (attempt >= 3) {
        const logText = await Deno.readTextFile(join(dir, "server.log")).catch(
          () => "",
        );
        await Deno.remove(dir, { recursive: true }).catch(() => {});
        throw new Error(`${(err as Error).message}\n${logText}`);
      }
    }
  }
  const startMs = Math.round(performance.now() - t0);

  const urlOf = (name: string, user = SUPERUSER, pw = password) =>
    `postgres://${encodeURIComponent(user)}:${
      encodeURIComponent(pw)
    }@127.0.0.1:${port}/${name}`;
  // initdb makes `postgres`; the tests' admin database is `reel`.
  const admin = postgres(urlOf("postgres"), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${SUPERUSER}`);
  } finally {
    await admin.end();
  }

  const stopArgs = ["-D", data, "-m", "fast", "-w", "stop"];
  let stopped = false;
  return {
    url: urlOf(SUPERUSER),
    port,
    startMs,
    urlOf,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await pg("pg_ctl", stopArgs);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
    stopSync() {
      if (stopped) return;
      stopped = true;
      const [cmd, args] = owner
        ? ["runuser", ["-u", OS_USER, "--", join(bin, "pg_ctl"), ...stopArgs]]
        : [join(bin, "pg_ctl"), stopArgs];
      new Deno.Command(cmd, { args, stdout: "null", stderr: "null" })
        .outputSync();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

/** A database of its own on `server`: created empty, dropped by `drop()`. */
export interface PgDatabase {
  name: string;
  url: string;
  /** Drops the database, ending any session still connected to it. */
  drop(): Promise<void>;
}

/** Creates an empty database `t_<random>` on `server`. */
export async function createDatabase(server: PgServer): Promise<PgDatabase> {
  const name = `t_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  await admin(server, `CREATE DATABASE ${name}`);
  return {
    name,
    url: server.urlOf(name),
    drop: () => admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Runs one statement on the server's admin database. */
export async function admin(
  server: PgServer,
  statement: string,
): Promise<void> {
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(statement);
  } finally {
    await sql.end();
  }
}
