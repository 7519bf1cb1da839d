/**
 * Builds and runs the project's Dockerfile without a Docker engine: buildah (chroot
 * isolation, host network) on a local `debian:bookworm-slim` made with debootstrap from the
 * Debian mirror the host's apt already uses. The base root file system is cached as a tarball
 * (`REEL_CONTAINER_CACHE`, default `~/.cache/reel-container`) and buildah keeps its layers,
 * so reruns are fast.
 */
import { join } from "node:path";
import {
  type DebianMirrors,
  debianMirrors,
  debianSourcesFile,
  hostAptSources,
} from "./_apt.ts";

/** The base image name the Dockerfile's `FROM debian:bookworm-slim` resolves to. */
export const BASE_IMAGE = "docker.io/library/debian:bookworm-slim";
const RELEASE = "bookworm";

/** Output of a finished command. */
export interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link exec}. */
export interface ExecOptions {
  env?: Record<string, string>;
  /** Resolve with a non-zero code instead of throwing. */
  allowFail?: boolean;
  /** Kill the command after this long (default 15 min). */
  timeoutMs?: number;
}

/** Runs `cmd` to completion; throws with the tail of its output when it fails. */
export async function exec(
  cmd: string,
  args: string[],
  opts: ExecOptions = {},
): Promise<Output> {
  const out = await new Deno.Command(cmd, {
    args,
    env: { DEBIAN_FRONTEND: "noninteractive", ...opts.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(opts.timeoutMs ?? 15 * 60_000),
  }).output();
  const dec = new TextDecoder();
  const res = {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
  if (res.code !== 0 && !opts.allowFail) {
    const tail = (res.stdout + res.stderr).trimEnd().split("\n").slice(-60)
      .join("\n");
    throw new Error(
      `\`${cmd} ${args.join(" ")}\` exited with ${res.code}:\n${tail}`,
    );
  }
  return res;
}

async function onPath(bin: string): Promise<boolean> {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    try {
      if ((await Deno.stat(join(dir, bin))).isFile) return true;
    } catch { /* not here */ }
  }
  return false;
}

/** Installs buildah, debootstrap and ffmpeg with apt-get when missing (needs root). */
export async function ensureTools(): Promise<void> {
  const needs = [
    ["buildah", "buildah"],
    ["debootstrap", "debootstrap"],
    ["ffmpeg", "ffmpeg"],
  ];
  const missing: string[] = [];
  for (const [bin, pkg] of needs) if (!(await onPath(bin))) missing.push(pkg);
  if (!missing.length) return;
  if (Deno.uid() !== 0) {
    throw new Error(
      `The container test needs root and ${missing.join(", ")}: ` +
        `sudo apt-get install -y ${missing.join(" ")}`,
    );
  }
  await aptGet(["update", "-qq"]);
  await aptGet(["install", "-y", "-qq", ...missing]);
}

/** apt-get that waits while another apt-get (another suite's preflight) holds a lock. */
async function aptGet(args: string[]): Promise<void> {
  for (let attempt = 1;; attempt++) {
    const res = await exec(
      "apt-get",
      ["-o", "DPkg::Lock::Timeout=300", ...args],
      { allowFail: true },
    );
    if (res.code === 0) return;
    if (!/lock/i.test(res.stderr) || attempt >= 20) {
      throw new Error(`apt-get ${args.join(" ")} failed:\n${res.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 5000));
  }
}

/** The cache folder for the base root file system tarball. */
export function cacheDir(): string {
  const explicit = Deno.env.get("REEL_CONTAINER_CACHE");
  if (explicit) return explicit;
  const base = Deno.env.get("XDG_CACHE_HOME") ??
    join(Deno.env.get("HOME") ?? "/root", ".cache");
  return join(base, "reel-container");
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether buildah's storage holds `image`. */
export async function hasImage(image: string): Promise<boolean> {
  const res = await exec("buildah", ["inspect", "--type", "image", image], {
    allowFail: true,
  });
  return res.code === 0;
}

async function mirrors(): Promise<DebianMirrors> {
  const archive = Deno.env.get("DEBIAN_MIRROR");
  if (archive) return { archive, security: null };
  const found = debianMirrors(await hostAptSources(), RELEASE);
  if (!found) {
    throw new Error(
      `No apt source for Debian ${RELEASE} in /etc/apt; set DEBIAN_MIRROR to a mirror URL.`,
    );
  }
  return found;
}

// What debian:bookworm-slim leaves out (its /etc/dpkg/dpkg.cfg.d/docker), its apt hygiene,
// and its dpkg speed-up (no fsync: a build layer is thrown away on failure anyway).
const DPKG_EXCLUDES = [
  "path-exclude /usr/share/doc/*",
  "path-include /usr/share/doc/*/copyright",
  "path-exclude /usr/share/man/*",
  "path-exclude /usr/share/groff/*",
  "path-exclude /usr/share/info/*",
  "path-exclude /usr/share/lintian/*",
  "path-exclude /usr/share/linda/*",
  "path-exclude /usr/share/locale/*",
  "path-include /usr/share/locale/locale.alias",
].join("\n") + "\n";
const APT_CLEAN = [
  'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };',
  'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };',
  'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";',
  'Acquire::GzipIndexes "true";',
].join("\n") + "\n";

/** debootstrap's minbase, trimmed like the official slim image, in `dir`. */
async function makeRootfs(dir: string): Promise<void> {
  const m = await mirrors();
  await exec("debootstrap", ["--variant=minbase", RELEASE, dir, m.archive]);
  const w = (path: string, text: string) =>
    Deno.writeTextFile(join(dir, path), text);
  await w("etc/dpkg/dpkg.cfg.d/docker", DPKG_EXCLUDES);
  await w("etc/dpkg/dpkg.cfg.d/docker-apt-speedup", "force-unsafe-io\n");
  await w("etc/apt/apt.conf.d/docker-clean", APT_CLEAN);
  await w(
    "etc/apt/apt.conf.d/docker-no-languages",
    'Acquire::Languages "none";\n',
  );
  await w(
    "etc/apt/sources.list.d/debian.sources",
    debianSourcesFile(m, RELEASE),
  );
  await w("etc/hostname", "localhost\n");
  await Deno.remove(join(dir, "etc/apt/sources.list"));
  await Deno.remove(join(dir, "etc/resolv.conf")).catch(() => {});
  // Files excluded from now on, and caches, go now.
  await exec("sh", [
    "-c",
    `cd "$1" && rm -rf var/lib/apt/lists/* var/cache/apt/* var/log/*.log var/log/apt/* ` +
    `usr/share/man/* usr/share/groff/* usr/share/info/* usr/share/lintian/* ` +
    `&& find usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete ` +
    `&& find usr/share/locale -mindepth 1 -maxdepth 1 -not -name locale.alias ` +
    `-exec rm -rf {} +`,
    "sh",
    dir,
  ]);
}

/**
 * Makes `debian:bookworm-slim` in buildah's storage unless it is there: from the cached
 * tarball, or debootstrap (about a minute) whose result is cached. Returns what it did.
 */
export async function ensureBaseImage(): Promise<
  "present" | "cached" | "built"
> {
  if (await hasImage(BASE_IMAGE)) return "present";
  const cache = cacheDir();
  const tarball = join(cache, `debian-${RELEASE}-slim-rootfs.tar`);
  let made: "cached" | "built" = "cached";
  if (!(await exists(tarball))) {
    made = "built";
    await Deno.mkdir(cache, { recursive: true });
    const dir = await Deno.makeTempDir({ prefix: "reel-rootfs-" });
    try {
      await makeRootfs(dir);
      await exec("tar", [
        "-C",
        dir,
        "--numeric-owner",
        "-cf",
        `${tarball}.tmp`,
        ".",
      ]);
      await Deno.rename(`${tarball}.tmp`, tarball);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  const ctr = (await exec("buildah", ["from", "scratch"])).stdout.trim();
  try {
    const mnt = (await exec("buildah", ["mount", ctr])).stdout.trim();
    await exec("tar", [
      "-C",
      mnt,
      "--numeric-owner",
      "--same-permissions",
      "-xf",
      tarball,
    ]);
    await exec("buildah", ["umount", ctr]);
    await exec("buildah", [
      "config",
      "--env",
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "--cmd",
      "bash",
      ctr,
    ]);
    await exec("buildah", ["commit", "--format", "docker", ctr, BASE_IMAGE]);
  } finally {
    await exec("buildah", ["rm", ctr], { allowFail: true });
  }
  return made;
}

/** The host's CA bundle: the build stage trusts what the host trusts (TLS proxies). */
const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/**
 * Builds `root`'s Dockerfile as `tag`: Docker format (OCI drops HEALTHCHECK), cached layers,
 * both stages at once, the host's network and, as the `ca_bundle` secret, its CA bundle.
 */
export async function buildImage(root: string, tag: string): Promise<void> {
  const secret = await exists(CA_BUNDLE)
    ? ["--secret", `id=ca_bundle,src=${CA_BUNDLE}`]
    : [];
  await exec("buildah", [
    "build",
    "--isolation",
    "chroot",
    "--network",
    "host",
    "--pull=never",
    "--format",
    "docker",
    "--layers",
    "--jobs",
    "2",
    ...secret,
    "-t",
    tag,
    "-f",
    join(root, "Dockerfile"),
    root,
  ]);
}

/** The parts of a Docker image config the tests look at. */
export interface ImageConfig {
  user: string;
  workingDir: string;
  env: string[];
  cmd: string[];
  entrypoint: string[];
  exposedPorts: string[];
  volumes: string[];
  healthcheck: string[] | null;
  /** As buildah shows it, e.g. "671 MB". */
  size: string;
}

/** Reads `image`'s config and size from buildah. */
export async function inspectImage(image: string): Promise<ImageConfig> {
  const info = JSON.parse(
    (await exec("buildah", ["inspect", "--type", "image", image])).stdout,
  );
  const c = info.Docker?.config ?? {};
  const list = await exec("buildah", ["images", "--json", image]);
  const size = String(JSON.parse(list.stdout)[0]?.size ?? "?");
  return {
    user: c.User ?? "",
    workingDir: c.WorkingDir ?? "",
    env: c.Env ?? [],
    cmd: c.Cmd ?? [],
    entrypoint: c.Entrypoint ?? [],
    exposedPorts: Object.keys(c.ExposedPorts ?? {}),
    volumes: Object.keys(c.Volumes ?? {}),
    healthcheck: c.Healthcheck?.Test ?? null,
    size,
  };
}
