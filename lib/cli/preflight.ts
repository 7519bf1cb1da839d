/**
 * Preflight for `deno task start` and `deno task test`: finds ffmpeg and ffprobe (and
 * Chromium for tests). When one is missing and we run as root on Debian/Ubuntu, installs it
 * with apt-get; otherwise stops with the exact command to run.
 *
 * Usage: `deno run -A lib/cli/preflight.ts [--test]`
 */

/** A program the app needs and the Debian package that provides it. */
interface Need {
  bin: string;
  pkg: string;
}

async function which(bin: string): Promise<string | null> {
  if (bin.includes("/")) {
    try {
      return (await Deno.stat(bin)).isFile ? bin : null;
    } catch {
      return null;
    }
  }
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    try {
      const p = `${dir}/${bin}`;
      if ((await Deno.stat(p)).isFile) return p;
    } catch { /* not here */ }
  }
  return null;
}

async function run(
  cmd: string,
  args: string[],
  env?: Record<string, string>,
): Promise<boolean> {
  const out = await new Deno.Command(cmd, {
    args,
    env,
    stdout: "inherit",
    stderr: "inherit",
  })
    .output();
  return out.success;
}

/** Returns the packages still missing after trying to install them. */
export async function preflight(withBrowser: boolean): Promise<string[]> {
  const needs: Need[] = [
    { bin: Deno.env.get("FFMPEG_PATH") || "ffmpeg", pkg: "ffmpeg" },
    { bin: Deno.env.get("FFPROBE_PATH") || "ffprobe", pkg: "ffmpeg" },
  ];
  if (withBrowser) needs.push({ bin: "/usr/bin/chromium", pkg: "chromium" });
  const missing = new Set<string>();
  for (const n of needs) if (!(await which(n.bin))) missing.add(n.pkg);
  if (missing.size === 0) return [];

  const pkgs = [...missing];
  const isRoot = Deno.uid?.() === 0;
  const hasApt = (await which("apt-get")) !== null;
  if (isRoot && hasApt) {
    console.error(`preflight: installing ${pkgs.join(" ")} with apt-get …`);
    const env = { DEBIAN_FRONTEND: "noninteractive" };
    if (
      await run("apt-get", ["update", "-qq"], env) &&
      await run("apt-get", [
        "install",
        "-y",
        "-qq",
        "--no-install-recommends",
        ...pkgs,
      ], env)
    ) {
      const still = [];
      for (const n of needs) if (!(await which(n.bin))) still.push(n.pkg);
      return [...new Set(still)];
    }
  }
  return pkgs;
}

if (import.meta.main) {
  const missing = await preflight(Deno.args.includes("--test"));
  if (missing.length) {
    console.error(
      `preflight: missing ${missing.join(", ")}. Install with:\n\n` +
        `  sudo apt-get update && sudo apt-get install -y ${
          missing.join(" ")
        }\n`,
    );
    Deno.exit(1);
  }
}
