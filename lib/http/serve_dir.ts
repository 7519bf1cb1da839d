/**
 * Serving a folder safely: URL paths are decoded segment by segment and resolved inside the
 * root, refusing `..`, encoded separators, NUL, absolute paths and symlinks that lead out.
 */
import path from "node:path";
import { openFile, type ServeFileOptions, serveOpened } from "./serve_file.ts";

const ROOT_TTL_MS = 60_000;
const roots = new Map<string, { real: string; at: number }>();

/** `Deno.realPath(root)`, cached for a minute: roots are few and hot (one per video). */
async function realRootOf(root: string): Promise<string> {
  const hit = roots.get(root);
  const now = Date.now();
  if (hit && now - hit.at < ROOT_TTL_MS) return hit.real;
  const real = await Deno.realPath(root);
  if (roots.size >= 4096) roots.clear();
  roots.set(root, { real, at: now });
  return real;
}

/**
 * Resolves a decoded, root-relative path inside `root` and returns its real path, or `null`
 * when it does not exist or would leave the root: `..`/`.` segments, backslashes, NUL,
 * absolute paths, or symlinks that point outside.
 *
 * @example await resolveConfined("/data/streams/abc", "720p/chunk-1.m4s")
 */
export async function resolveConfined(
  root: string,
  relPath: string,
): Promise<string | null> {
  const segments = confinedSegments(relPath);
  if (segments === null) return null;
  try {
    const realRoot = await realRootOf(root);
    const joined = path.join(realRoot, ...segments);
    if (segments.length === 1) {
      // A file directly in the (real) root: one lstat proves it is no symlink, which is
      // much cheaper than resolving every component of the path again.
      return Deno.lstatSync(joined).isSymlink
        ? await confinedReal(joined, realRoot)
        : joined;
    }
    return await confinedReal(joined, realRoot);
  } catch {
    return null;
  }
}

/**
 * The segments of a decoded, root-relative path (empty segments dropped), or `null` when
 * the path may not be served: `..`/`.` segments, backslashes, NUL, absolute paths, or
 * nothing left. The checks `resolveConfined` makes before touching the disk; a backend
 * without a disk (object storage) uses them to turn a URL path into a key.
 *
 * @example confinedSegments("720p//chunk-1.m4s") // ["720p", "chunk-1.m4s"]
 */
export function confinedSegments(relPath: string): string[] | null {
  if (
    relPath.includes("\0") || relPath.includes("\\") ||
    path.isAbsolute(relPath) || /^[a-zA-Z]:/.test(relPath)
  ) {
    return null;
  }
  const segments = relPath.split("/").filter((s) => s !== "");
  if (segments.length === 0) return null;
  if (segments.some((s) => s === "." || s === "..")) return null;
  return segments;
}

/** The real path of `p` when it lies inside `realRoot`, else null. */
async function confinedReal(
  p: string,
  realRoot: string,
): Promise<string | null> {
  const real = await Deno.realPath(p);
  const prefix = realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep;
  return real.startsWith(prefix) ? real : null;
}

/**
 * Serves `urlPath` (the raw, still percent-encoded path of a URL, relative to `root`) from
 * inside `root`. Returns `null` when the path is malformed, not allowed, missing or not a
 * regular file, so the caller picks its own 404.
 *
 * @example return await serveDir(req, "./static", url.pathname.slice("/static".length)) ??
 *   next();
 */
export async function serveDir(
  req: Request,
  root: string,
  urlPath: string,
  opts?: ServeFileOptions,
): Promise<Response | null> {
  // A URL path starts with one "/"; a second would make it absolute, which is refused.
  const rel = decodePath(urlPath.startsWith("/") ? urlPath.slice(1) : urlPath);
  if (rel === null) return null;
  const real = await resolveConfined(root, rel);
  if (real === null) return null;
  const opened = openFile(real);
  return opened ? await serveOpened(req, real, opened, opts) : null;
}

/**
 * Decodes each segment of a raw URL path alone so `%2F`, `%5C` and `%00` can never form
 * separators; `null` when a segment is malformed or decodes to one of them.
 */
export function decodePath(raw: string): string | null {
  const out: string[] = [];
  for (const segment of raw.split("/")) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return null;
    }
    if (/[/\\\0]/.test(decoded)) return null;
    out.push(decoded);
  }
  return out.join("/");
}
