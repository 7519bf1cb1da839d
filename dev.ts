/**
 * Development and build entry point.
 *
 *   deno run -A dev.ts            regenerate fresh.gen.ts, build islands, run main.ts with
 *                                 live reload; restart on changes
 *   deno run -A dev.ts build      regenerate fresh.gen.ts and write production assets to _fresh/
 *                                 (`--if-needed`: only when sources are newer than _fresh/)
 *   deno run -A dev.ts manifest   regenerate fresh.gen.ts only
 *   deno run -A dev.ts --check    exit 1 when fresh.gen.ts is stale
 *
 * `--root=DIR` works on another project folder (tests use it).
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildIslands,
  isManifestCurrent,
  MANIFEST_FILE,
  needsBuild,
  writeManifest,
} from "./lib/fresh/mod.ts";

const rootArg = Deno.args.find((a) => a.startsWith("--root="));
const root = rootArg
  ? resolve(rootArg.slice("--root=".length))
  : dirname(fileURLToPath(import.meta.url));
const WATCHED = ["routes", "islands", "components", "lib", "static"];

async function build(): Promise<void> {
  if (await writeManifest(root)) console.log(`Wrote ${MANIFEST_FILE}.`);
  const { files } = await buildIslands({ root });
  console.log(`Built ${files.size} client files into _fresh/js/.`);
}

async function dev(): Promise<void> {
  let child: Deno.ChildProcess | null = null;
  const start = (): void => {
    child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts"],
      cwd: root,
      env: { FRESH_DEV: "1" },
    }).spawn();
  };
  const stop = async (): Promise<void> => {
    const c = child as Deno.ChildProcess | null;
    child = null;
    if (!c) return;
    try {
      c.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    await c.status;
  };
  const prepare = async (): Promise<void> => {
    try {
      await build();
    } catch (err) {
      console.error(err instanceof Error ? err.message : err);
    }
  };

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      stop().finally(() => Deno.exit(0));
    });
  }
  await prepare();
  start();

  const dirs = WATCHED.map((d) => join(root, d)).filter((d) => {
    try {
      return Deno.statSync(d).isDirectory;
    } catch {
      return false;
    }
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let busy = Promise.resolve();
  for await (const event of Deno.watchFs(dirs)) {
    if (event.paths.every((p) => p.endsWith(MANIFEST_FILE))) continue;
    clearTimeout(timer);
    timer = setTimeout(() => {
      busy = busy.then(async () => {
        console.log("Change detected; rebuilding and restarting.");
        await stop();
        await prepare();
        start();
      });
    }, 200);
  }
}

const args = Deno.args.filter((a) => !a.startsWith("--root="));
if (args.includes("--check")) {
  if (!(await isManifestCurrent(root))) {
    console.error(
      `${MANIFEST_FILE} is stale: routes/ or islands/ changed. ` +
        "Run `deno run -A dev.ts manifest` and commit the result.",
    );
    Deno.exit(1);
  }
  console.log(`${MANIFEST_FILE} is up to date.`);
} else if (args[0] === "build") {
  if (args.includes("--if-needed") && !(await needsBuild(root))) {
    console.log("_fresh/ is up to date.");
  } else {
    await build();
  }
} else if (args[0] === "manifest") {
  if (await writeManifest(root)) console.log(`Wrote ${MANIFEST_FILE}.`);
} else {
  await dev();
}
