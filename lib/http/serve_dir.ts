/**
 * Serving a folder safely: URL paths are decoded segment by segment and resolved inside the
 * root, refusing `..`, encoded separators, NUL, absolute paths and symlinks that lead out.
 */
import path from "node:path";
import { serveFile, type ServeFileOptions } from "./serve_file.ts";

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
  if (
    relPath.includes("\0") || relPath.includes("\\") ||
    path.isAbsolute(relPath) || /^[a-zA-Z]:/.test(relPath)
  ) {
    return null;
  }
  const segments = relPath.split("/").filter((s) => s !== "");
  if (segments.length === 0) return null;
  if (segments.some((s) => s === "." || s === "..")) return null;
  try {
    const realRoot = await Deno.realPath(root);
    const real = await Deno.realPath(path.join(realRoot, ...segments));
    const prefix = realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep;
    return real.startsWith(prefix) ? real : null;
  } catch {
    return null;
  }
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
  try {
    if (!(await Deno.stat(real)).isFile) return null;
  } catch {
    return null;
  }
  return await serveFile(req, real, opts);
}

/** Decodes each segment alone so `%2F`, `%5C` and `%00` can never form separators. */
function decodePath(raw: string): string | null {
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
