/**
 * @module
 * Enforces the project's import layering (the rule set is documented in
 * docs/architecture.md). Every relative import in the app, lib, tests and benches is
 * checked against these rules:
 *
 * - `lib/` is made of ranked layer folders (core 0, http 1, fresh/store/storage/media 2,
 *   uploads 3, jobs 4, videos and webhooks 5, api 6, app 7, cli 8). A layer imports only its own folder
 *   and layers ranked strictly below it; `lib/cli` may import anything in `lib/`.
 * - Only `lib/cli` and entry points may import `lib/app`, and nothing in `lib/` imports
 *   routes, islands, components, `main.ts`, `dev.ts`, tests or benches.
 * - Browser code (`islands/`, `components/`, `lib/ui/`) imports only `lib/ui`, `lib/core`,
 *   the Fresh runtime (`lib/fresh/mod.ts`, `lib/fresh/client/`), components, islands and
 *   `import type` from `lib/api`.
 * - Routes use `lib/api`/`lib/videos` rather than `lib/app`, `lib/store`, `lib/storage`
 *   or `lib/jobs`; benches do not import tests.
 * - No file-level import cycles, and no imports of files that do not exist.
 *
 * Usage: `deno run -A lib/cli/check_layers.ts [root]` — exits 1 listing the problems.
 */

import * as path from "node:path";
import { existsSync, statSync } from "node:fs";

/** Where a file sits in the layering. `rank` is set for the ranked `lib/` folders. */
interface Layer {
  name: string;
  folder: string;
  rank?: number;
}

interface Import {
  target: string;
  typeOnly: boolean;
}

// deno-fmt-ignore
const ROOTS = ["main.ts", "dev.ts", "fresh.gen.ts", "routes", "islands", "components", "lib", "tests", "bench"];
const SKIP_DIRS = new Set(["node_modules", "_fresh", "data"]);
/** Ranked lib/ folders; a folder may import only folders with a strictly lower rank. */
// deno-fmt-ignore
const RANKS: Record<string, number> = {
  core: 0, http: 1, fresh: 2, store: 2, storage: 2, media: 2,
  uploads: 3, jobs: 4, videos: 5, webhooks: 5, api: 6, app: 7, cli: 8,
};
const TOP_FOLDERS = new Set("routes islands components tests bench".split(" "));
// deno-fmt-ignore
const FILES: Record<string, string> = { "main.ts": "entry", "dev.ts": "entry", "fresh.gen.ts": "manifest" };
const BROWSER = new Set(["islands", "components", "ui"]);
const OUTSIDE_LIB = "routes islands components entry tests bench".split(" ");

/** Returns the layer of a project-relative path (POSIX separators). */
export function layerOf(file: string): Layer {
  if (FILES[file]) return { name: FILES[file], folder: file };
  const parts = file.split("/");
  if (parts[0] === "lib") {
    if (parts.length === 2) return { name: "loose", folder: "lib/" };
    const folder = `lib/${parts[1]}`;
    if (parts[1] === "ui") return { name: "ui", folder };
    if (parts[1] in RANKS) {
      return { name: parts[1], folder, rank: RANKS[parts[1]] };
    }
    return { name: "unknown", folder };
  }
  if (parts.length > 1 && TOP_FOLDERS.has(parts[0])) {
    return { name: parts[0], folder: parts[0] };
  }
  return { name: "other", folder: parts[0] };
}

/** Removes `//` and block comments, leaving string and template literals intact. */
function stripComments(src: string): string {
  let out = "";
  let quote = "";
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      out += c;
      if (c === "\\") out += src[++i] ?? "";
      else if (c === quote || (c === "\n" && quote !== "`")) quote = "";
    } else if (c === "/" && src[i + 1] === "/") {
      while (i < src.length && src[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      i = end < 0 ? src.length : end + 1;
      out += " ";
    } else {
      if (c === '"' || c === "'" || c === "`") quote = c;
      out += c;
    }
  }
  return out;
}

const FROM_RE = /\b(?:import|export)\b[^;'"`]*?\bfrom\s*["']([^"']+)["']/g;
const BARE_RE = /\bimport\s*["']([^"']+)["']/g;
const DYNAMIC_RE = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** The relative imports of `file` (project-relative), resolved against the project root. */
export function parseImports(file: string, src: string): Import[] {
  const text = stripComments(src);
  const found = new Map<string, boolean>();
  const add = (spec: string, typeOnly: boolean) => {
    if (!spec.startsWith("./") && !spec.startsWith("../")) return;
    const target = path.posix.join(
      path.posix.dirname(file),
      spec.replace(/[?#].*$/, ""),
    );
    found.set(target, (found.get(target) ?? true) && typeOnly);
  };
  for (const m of text.matchAll(FROM_RE)) {
    add(m[1], /^(?:import|export)\s+type\b/.test(m[0]));
  }
  for (const m of text.matchAll(BARE_RE)) add(m[1], false);
  for (const m of text.matchAll(DYNAMIC_RE)) add(m[1], false);
  return [...found].map(([target, typeOnly]) => ({ target, typeOnly }));
}

const BROWSER_RULE =
  "browser code may import only lib/ui, lib/core, the runtime and lib/api types.";
const STRAY_RULE =
  "the target is not in a lib/ layer folder; import it from its layer.";
const OUTSIDE_RULE =
  "nothing in lib/ may import routes, islands, components, main.ts, dev.ts, tests or benches; pass it in instead.";

/** Rule 3: islands, components and lib/ui run in the browser. */
function browserRule(
  from: Layer,
  to: Layer,
  target: string,
  typeOnly: boolean,
) {
  const ok = to.name === "ui" || to.name === "core" ||
    target === "lib/fresh/mod.ts" || target.startsWith("lib/fresh/client/") ||
    (to.name === "api" && typeOnly) ||
    (from.name !== "ui" && (to.name === "islands" || to.name === "components"));
  return ok ? null : BROWSER_RULE;
}

/** Rule 4: routes reach the app through lib/api and lib/videos. */
function routesRule(to: Layer): string | null {
  if (to.name === "loose" || to.name === "unknown") return STRAY_RULE;
  if (to.name === "app") {
    return "routes must not import lib/app; the composition root is for entry points.";
  }
  if (["store", "storage", "jobs"].includes(to.name)) {
    return `routes must not import ${to.folder} directly; go through lib/api or lib/videos.`;
  }
  if (to.folder.startsWith("lib/")) return null;
  if (["routes", "islands", "components"].includes(to.name)) return null;
  return "routes may import only lib/ layers (not lib/app, lib/store, lib/storage, lib/jobs), islands and components.";
}

/** Rules 1 and 2: a ranked lib/ folder imports only its own folder and lower ranks. */
function libRule(from: Layer, rank: number, to: Layer): string | null {
  if (OUTSIDE_LIB.includes(to.name)) return OUTSIDE_RULE;
  if (!to.folder.startsWith("lib/") || from.name === "cli") return null;
  if (to.name === "loose" || to.name === "unknown") return STRAY_RULE;
  if (to.folder === from.folder || to.name === "core") return null;
  if (to.name === "app") {
    return "only lib/cli and entry points may import lib/app (the composition root).";
  }
  if (to.rank !== undefined && to.rank < rank) return null;
  if (rank === 0) {
    return "lib/core (layer 0) is the bottom layer and may import only lib/core; pass what it needs in as a parameter.";
  }
  const below = Object.keys(RANKS).filter((n) => RANKS[n] < rank);
  return `${from.folder} (layer ${rank}) may import only ${
    below.map((n) => `lib/${n}`).join(", ")
  } (layers below it); move the shared piece down or pass it in as a parameter.`;
}

/** The rule sentence an import of `target` from `file` breaks, or null when it is allowed. */
export function ruleBroken(
  file: string,
  target: string,
  typeOnly: boolean,
): string | null {
  const from = layerOf(file);
  const to = layerOf(target);
  if (from.name === "bench") {
    return to.name === "tests"
      ? "bench/ must not import tests/; move the shared helper into bench/ or lib/."
      : null;
  }
  if (BROWSER.has(from.name)) return browserRule(from, to, target, typeOnly);
  if (from.name === "routes") return routesRule(to);
  if (from.rank !== undefined) return libRule(from, from.rank, to);
  // tests, entry points and the manifest may import anything; lib/ strays are reported once.
  return null;
}

async function walk(root: string, rel: string, out: string[]): Promise<void> {
  if (rel === "tests/fixtures") return;
  for await (const entry of Deno.readDir(path.join(root, rel))) {
    const child = `${rel}/${entry.name}`;
    if (entry.isDirectory && !SKIP_DIRS.has(entry.name)) {
      await walk(root, child, out);
    } else if (entry.isFile && /\.tsx?$/.test(entry.name)) out.push(child);
  }
}

/** Every elementary cycle needed to cover the strongly connected components of `graph`. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const cycleThrough = (start: string, scc: Set<string>): string[] | null => {
    const prev = new Map<string, string>();
    const queue = [start];
    for (let i = 0; i < queue.length; i++) {
      for (const next of graph.get(queue[i]) ?? []) {
        if (!scc.has(next)) continue;
        if (next === start) {
          const middle: string[] = [];
          for (let n = queue[i]; n !== start; n = prev.get(n)!) {
            middle.unshift(n);
          }
          return [start, ...middle, start];
        }
        if (!prev.has(next)) {
          prev.set(next, queue[i]);
          queue.push(next);
        }
      }
    }
    return null;
  };
  const connect = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) connect(w);
      if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, low.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc = new Set<string>();
    while (!scc.has(v)) {
      const w = stack.pop()!;
      onStack.delete(w);
      scc.add(w);
    }
    const covered = new Set<string>();
    for (const start of [...scc].sort()) {
      if (covered.has(start)) continue;
      const cycle = cycleThrough(start, scc);
      if (!cycle) continue;
      cycle.forEach((n) => covered.add(n));
      const body = cycle.slice(0, -1);
      const first = body.indexOf([...body].sort()[0]);
      const key = [...body.slice(first), ...body.slice(0, first)].join("\0");
      if (!seen.has(key)) {
        seen.add(key);
        cycles.push(cycle);
      }
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);
  return cycles;
}

/** Checks the project at `root`; returns one line per problem plus file and import counts. */
export async function checkLayers(
  root: string,
): Promise<{ problems: string[]; files: number; imports: number }> {
  const files: string[] = [];
  for (const r of ROOTS) {
    if (!existsSync(path.join(root, r))) continue;
    if (statSync(path.join(root, r)).isDirectory()) await walk(root, r, files);
    else files.push(r);
  }
  files.sort();
  const problems: string[] = [];
  const graph = new Map<string, string[]>();
  const exists = (p: string) =>
    statSync(path.join(root, p), { throwIfNoEntry: false })?.isFile() ?? false;
  let imports = 0;
  for (const file of files) {
    const layer = layerOf(file);
    if (layer.name === "loose") {
      problems.push(
        `${file}: files directly in lib/ belong in a layer folder.`,
      );
    } else if (layer.name === "unknown") {
      problems.push(`${file}: ${layer.folder}/ is not a layer folder.`);
    }
    const src = await Deno.readTextFile(path.join(root, file));
    const found = parseImports(file, src);
    graph.set(file, found.map((i) => i.target));
    imports += found.length;
    for (const { target, typeOnly } of found) {
      const rule = exists(target)
        ? ruleBroken(file, target, typeOnly)
        : "the file does not exist.";
      if (rule) problems.push(`${file}: imports ${target} — ${rule}`);
    }
  }
  for (const cycle of findCycles(graph)) {
    problems.push(`cycle: ${cycle.join(" → ")}`);
  }
  return { problems, files: files.length, imports };
}

if (import.meta.main) {
  const root = path.resolve(
    Deno.args[0] ?? path.join(import.meta.dirname!, "../.."),
  );
  const { problems, files, imports } = await checkLayers(root);
  for (const p of problems) console.log(p);
  if (problems.length) {
    console.log(`layering: ${problems.length} problem(s)`);
    Deno.exit(1);
  }
  console.log(`layering: ok (${files} files, ${imports} imports)`);
}
