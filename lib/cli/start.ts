/**
 * `deno task start`: preflight (ffmpeg), build the islands when sources changed, then run
 * the server (or `--worker`: the job loop alone) with narrow permissions, forwarding
 * SIGINT/SIGTERM so it shuts down gracefully.
 *
 * Usage: `deno run -A lib/cli/start.ts [--worker]`
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { preflight } from "./preflight.ts";
import { serverPermissions } from "./permissions.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const worker = Deno.args.includes("--worker");

const missing = await preflight(false);
if (missing.length) {
  console.error(
    `Missing ${
      missing.join(", ")
    }. Install with:\n\n  sudo apt-get update && ` +
      `sudo apt-get install -y ${missing.join(" ")}\n`,
  );
  Deno.exit(1);
}

if (!worker) {
  const build = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(root, "dev.ts"), "build", "--if-needed"],
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!build.success) Deno.exit(build.code || 1);
}

const entry = join(root, worker ? "lib/cli/worker.ts" : "main.ts");
const child = new Deno.Command(Deno.execPath(), {
  args: ["run", ...serverPermissions(root), entry],
  cwd: root,
  stdin: "inherit",
  stdout: "inherit",
  stderr: "inherit",
}).spawn();

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(sig, () => {
    try {
      child.kill(sig);
    } catch { /* already gone */ }
  });
}
const status = await child.status;
Deno.exit(status.code);
