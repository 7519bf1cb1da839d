/**
 * Bundles the client: the boot script and every module in `islands/` as entry points,
 * code-split (one shared Preact chunk), minified, with content-hashed file names.
 *
 * The bundle runs as `deno bundle` in a child process with a copy of the project's
 * deno.json whose JSX mode is `react-jsx`: the server's `precompile` JSX emits HTML
 * string templates that Preact cannot hydrate in the browser.
 */
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { listFiles, listModules } from "./manifest.ts";
import { islandName } from "./islands.ts";
import type { Assets } from "./render.ts";

/** Options of {@link buildIslands}. */
export interface BuildOptions {
  /** Project root (holds `islands/`). */
  root: string;
  /** Output folder (default `<root>/_fresh`); nothing is written when `write` is false. */
  outDir?: string;
  write?: boolean;
}

/** Built files (name → contents) and the asset map the renderer uses. */
export interface BuildResult {
  files: Map<string, Uint8Array>;
  assets: Assets;
}

/** URL prefix of built assets. */
export const ASSET_PREFIX = "/_fresh/js/";
/** The asset map written beside the bundles. */
export const ASSETS_FILE = "assets.json";

const BOOT = fileURLToPath(new URL("./client/boot.ts", import.meta.url));

/** Bundles the islands of the project at `root` and (by default) writes `_fresh/`. */
export async function buildIslands(opts: BuildOptions): Promise<BuildResult> {
  const root = resolve(opts.root);
  const islands = (await listModules(join(root, "islands"))).map((p) => ({
    path: join(root, "islands", p),
    name: islandName(`./islands/${p}`),
  }));
  const entries = [{ path: BOOT, name: "boot" }, ...islands];
  const tmp = await Deno.makeTempDir({ prefix: "fresh-build-" });
  const config = await clientConfig(root);
  try {
    const cmd = new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        `--config=${config}`,
        `--outdir=${tmp}`,
        "--platform=browser",
        "--format=esm",
        "--code-splitting",
        "--minify",
        ...entries.map((e) => e.path),
      ],
      stdout: "piped",
      stderr: "piped",
    });
    const out = await cmd.output();
    if (!out.success) {
      throw new Error(
        `Bundling islands failed:\n${new TextDecoder().decode(out.stderr)}`,
      );
    }
    const result = await collect(tmp, entries);
    if (opts.write !== false) {
      await writeBuild(opts.outDir ?? join(root, "_fresh"), result);
    }
    return result;
  } finally {
    await Deno.remove(config).catch(() => {});
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

/** Writes a copy of the nearest deno.json with `"jsx": "react-jsx"` next to it. */
async function clientConfig(root: string): Promise<string> {
  for (let dir = root;; dir = dirname(dir)) {
    for (const name of ["deno.json", "deno.jsonc"]) {
      let text: string;
      try {
        text = await Deno.readTextFile(join(dir, name));
      } catch {
        continue;
      }
      // Strip jsonc comments (whole-line and trailing) before parsing.
      const json = JSON.parse(text.replace(/^\s*\/\/.*$/gm, ""));
      json.compilerOptions = { ...json.compilerOptions, jsx: "react-jsx" };
      delete json.compilerOptions.jsxPrecompileSkipElements;
      // Beside the original, so node_modules and deno.lock resolve the same way.
      const path = join(dir, `.fresh-bundle-${crypto.randomUUID()}.json`);
      await Deno.writeTextFile(path, JSON.stringify(json));
      return path;
    }
    if (dirname(dir) === dir) {
      throw new Error(`No deno.json found above ${root}.`);
    }
  }
}

async function collect(
  tmp: string,
  entries: { path: string; name: string }[],
): Promise<BuildResult> {
  const outbase = commonDir(entries.map((e) => dirname(e.path)));
  const raw = new Map<string, string>();
  for (const rel of await listFiles(tmp)) {
    raw.set(rel, await Deno.readTextFile(join(tmp, rel)));
  }
  const files = new Map<string, Uint8Array>();
  const enc = new TextEncoder();
  const chunkDeps = new Map<string, string[]>();
  // Every output that is not an entry is a chunk: shared ones (chunk-*.js) and lazy ones
  // made by dynamic import() (named after the imported module, e.g. hls-<hash>.js).
  const entryRels = new Set(entries.map((e) => relOf(outbase, e.path)));
  const chunkNames = new Set<string>();
  for (const rel of raw.keys()) {
    if (!entryRels.has(rel)) chunkNames.add(rel.split("/").pop()!);
  }
  const flatten = (text: string) =>
    text.replace(
      ANY_REF,
      (m, q, name) => chunkNames.has(name) ? `${q}./${name}${q}` : m,
    );
  for (const [rel, text] of raw) {
    if (entryRels.has(rel)) continue;
    const name = rel.split("/").pop()!;
    const flat = flatten(text);
    files.set(name, enc.encode(flat));
    chunkDeps.set(name, staticRefs(flat));
  }
  const depsOf = (text: string): string[] => {
    const all = new Set<string>();
    const visit = (name: string): void => {
      if (all.has(name)) return;
      all.add(name);
      for (const d of chunkDeps.get(name) ?? []) visit(d);
    };
    for (const d of staticRefs(text)) visit(d);
    return [...all].sort().map((n) => ASSET_PREFIX + n);
  };

  const assets: Assets = { bootUrl: "", bootDeps: [], islands: {} };
  for (const { path, name } of entries) {
    const rel = relOf(outbase, path);
    const text = raw.get(rel);
    if (text === undefined) {
      throw new Error(`Bundle output for ${path} not found.`);
    }
    // Entries move to the output root, beside the chunks they import.
    const flat = flatten(text);
    const file = `${name}-${await hash(flat)}.js`;
    files.set(file, enc.encode(flat));
    if (path === BOOT) {
      assets.bootUrl = ASSET_PREFIX + file;
      assets.bootDeps = depsOf(flat);
    } else {
      assets.islands[name] = { url: ASSET_PREFIX + file, deps: depsOf(flat) };
    }
  }
  return { files, assets };
}

const ANY_REF = /(["'])(?:\.\.?\/)+([\w.-]+\.js)\1/g;

function relOf(outbase: string, path: string): string {
  return relative(outbase, path).split(sep).join("/").replace(
    /\.[jt]sx?$/,
    ".js",
  );
}

/** Chunks a module imports statically (preloaded); `import("…")` chunks load on demand. */
function staticRefs(text: string): string[] {
  return [
    ...text.matchAll(
      /(?:\bfrom|\bimport)\s*["'](?:\.\.?\/)+([\w.-]+\.js)["']/g,
    ),
  ]
    .map((m) => m[1]);
}

function commonDir(dirs: string[]): string {
  let common = dirs[0];
  for (const d of dirs) {
    while (d !== common && !d.startsWith(common + sep)) {
      common = dirname(common);
    }
  }
  return common;
}

async function hash(text: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return [...new Uint8Array(digest).slice(0, 6)].map((b) =>
    b.toString(16).padStart(2, "0")
  )
    .join("");
}

async function writeBuild(outDir: string, result: BuildResult): Promise<void> {
  const js = join(outDir, "js");
  await Deno.remove(js, { recursive: true }).catch(() => {});
  await Deno.mkdir(js, { recursive: true });
  for (const [name, bytes] of result.files) {
    await Deno.writeFile(join(js, name), bytes);
  }
  // Written last: its mtime marks a complete build for needsBuild().
  await Deno.writeTextFile(
    join(outDir, ASSETS_FILE),
    JSON.stringify(result.assets, null, 2),
  );
}

/** Reads the asset map of a previous build, or null when there is none. */
export async function loadAssets(outDir: string): Promise<Assets | null> {
  try {
    return JSON.parse(
      await Deno.readTextFile(join(outDir, ASSETS_FILE)),
    ) as Assets;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

/**
 * True when `outDir` (default `<root>/_fresh`) has no build or one older than any file in
 * islands/, components/, lib/, routes/, deno.json or deno.lock.
 */
export async function needsBuild(
  root: string,
  outDir?: string,
): Promise<boolean> {
  let built: number;
  try {
    built =
      (await Deno.stat(join(outDir ?? join(root, "_fresh"), ASSETS_FILE))).mtime
        ?.getTime() ?? 0;
  } catch {
    return true;
  }
  const paths = ["deno.json", "deno.lock"].map((f) => join(root, f));
  for (const dir of ["islands", "components", "lib", "routes"]) {
    for (const rel of await listFiles(join(root, dir))) {
      paths.push(join(root, dir, rel));
    }
  }
  paths.push(
    BOOT,
    fileURLToPath(new URL("./client/deserialize.ts", import.meta.url)),
  );
  for (const path of paths) {
    try {
      if (((await Deno.stat(path)).mtime?.getTime() ?? 0) > built) return true;
    } catch {
      // Missing optional files (deno.lock) do not force a build.
    }
  }
  return false;
}
