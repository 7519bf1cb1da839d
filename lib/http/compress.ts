/**
 * Content negotiation and compression for text responses (br preferred, then gzip).
 *
 * `serveFile` uses it for static text files; {@link maybeCompress} is meant for a middleware
 * that compresses HTML pages and JSON API responses. Media and SSE streams are never touched.
 */

import zlib from "node:zlib";
import { promisify } from "node:util";

/** A content coding this server can produce. */
export type Encoding = "br" | "gzip";

/** How hard to compress: `fast` for per-request bodies, `best` for cached static files. */
export type CompressionLevel = "fast" | "best";

/** Bodies at or below this many bytes are not worth compressing. */
export const MIN_COMPRESS_BYTES = 1024;

/** {@link maybeCompress} buffers at most this much; a larger body passes through as is. */
export const MAX_DYNAMIC_COMPRESS_BYTES = 8 * 1024 * 1024;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

// Measured on an 800 KB JS bundle: br 5 ≈ 45 ms, br 9 ≈ 110 ms, br 11 ≈ 1.7 s (8% smaller,
// too slow even once); gzip 6 ≈ 14 ms.
const BROTLI_QUALITY: Record<CompressionLevel, number> = { fast: 5, best: 9 };
const GZIP_LEVEL: Record<CompressionLevel, number> = { fast: 6, best: 9 };

const COMPRESSIBLE_TYPES = new Set([
  "application/javascript",
  "application/x-javascript",
  "application/ecmascript",
  "application/json",
  "application/xml",
  "application/vnd.apple.mpegurl",
  "application/x-mpegurl",
  "audio/mpegurl",
  "audio/x-mpegurl",
]);

/**
 * Picks the coding to use from an `Accept-Encoding` header: the highest q-value among br and
 * gzip (`*` counts for both), br on a tie; `null` when neither is acceptable.
 *
 * @example negotiateEncoding("gzip, deflate, br") // "br"
 */
export function negotiateEncoding(
  acceptEncoding: string | null | undefined,
): Encoding | null {
  if (!acceptEncoding) return null;
  let br: number | undefined;
  let gz: number | undefined;
  let star: number | undefined;
  for (const part of acceptEncoding.split(",")) {
    const [rawName, ...params] = part.split(";");
    const name = rawName.trim().toLowerCase();
    if (!name) continue;
    let q = 1;
    for (const param of params) {
      const eq = param.indexOf("=");
      if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== "q") continue;
      const n = Number(param.slice(eq + 1).trim());
      q = Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
    }
    if (name === "br") br = Math.max(br ?? 0, q);
    else if (name === "gzip" || name === "x-gzip") gz = Math.max(gz ?? 0, q);
    else if (name === "*") star = q;
  }
  const qBr = br ?? star ?? 0;
  const qGz = gz ?? star ?? 0;
  if (qBr <= 0 && qGz <= 0) return null;
  return qBr >= qGz ? "br" : "gzip";
}

/**
 * Whether a content type is text worth compressing: `text/*` (except `text/event-stream`),
 * JSON, XML, SVG, JavaScript, HLS playlists and DASH manifests. Media never is.
 */
export function isCompressible(
  contentType: string | null | undefined,
): boolean {
  if (!contentType) return false;
  const base = contentType.split(";")[0].trim().toLowerCase();
  if (base === "text/event-stream") return false;
  if (base.startsWith("text/")) return true;
  if (COMPRESSIBLE_TYPES.has(base)) return true;
  return base.endsWith("+json") || base.endsWith("+xml");
}

/** Compresses bytes with the given coding (off the main thread where node:zlib allows). */
export async function compressBytes(
  data: Uint8Array,
  encoding: Encoding,
  level: CompressionLevel = "fast",
): Promise<Uint8Array<ArrayBuffer>> {
  if (encoding === "br") {
    const out = await brotli(data, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY[level],
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.byteLength,
      },
    });
    return new Uint8Array(
      out.buffer as ArrayBuffer,
      out.byteOffset,
      out.byteLength,
    );
  }
  const out = await gzip(data, { level: GZIP_LEVEL[level] });
  return new Uint8Array(
    out.buffer as ArrayBuffer,
    out.byteOffset,
    out.byteLength,
  );
}

/** Adds `token` to a comma-separated header such as `Vary`, unless already listed. */
export function appendVary(headers: Headers, token: string): void {
  const current = headers.get("vary");
  if (!current) {
    headers.set("vary", token);
    return;
  }
  const tokens = current.split(",").map((t) => t.trim().toLowerCase());
  if (tokens.includes("*") || tokens.includes(token.toLowerCase())) return;
  headers.set("vary", `${current}, ${token}`);
}

/** Marks an ETag as belonging to an encoded variant: `"abc"` → `"abc-br"` (weakness kept). */
export function encodedETag(etag: string, encoding: Encoding): string {
  const m = /^(W\/)?"(.*)"$/.exec(etag.trim());
  return m ? `${m[1] ?? ""}"${m[2]}-${encoding}"` : etag;
}

/**
 * Compresses a whole response body when the client accepts br or gzip, the type is
 * compressible, the body is not already encoded, not a stream of events, not a partial
 * response and over {@link MIN_COMPRESS_BYTES}. Status and headers are kept; `Vary:
 * Accept-Encoding` is added whenever the type is compressible.
 *
 * @example app.use(async (ctx) => maybeCompress(ctx.req, await ctx.next()));
 */
export async function maybeCompress(
  req: Request,
  res: Response,
): Promise<Response> {
  const type = res.headers.get("content-type");
  if (
    !isCompressible(type) || res.headers.has("content-encoding") ||
    res.status === 206 || res.status === 204 || res.status === 304 ||
    /\bno-transform\b/i.test(res.headers.get("cache-control") ?? "")
  ) {
    return res;
  }
  const encoding = negotiateEncoding(req.headers.get("accept-encoding"));
  const declared = Number(res.headers.get("content-length") ?? NaN);
  if (
    !res.body || req.method === "HEAD" || !encoding ||
    declared <= MIN_COMPRESS_BYTES || declared > MAX_DYNAMIC_COMPRESS_BYTES
  ) {
    return withVary(res, res.body);
  }

  const read = await readUpTo(res.body, MAX_DYNAMIC_COMPRESS_BYTES);
  if (read.rest) return withVary(res, read.rest);
  if (read.bytes.byteLength <= MIN_COMPRESS_BYTES) {
    return withVary(res, read.bytes);
  }

  const compressed = await compressBytes(read.bytes, encoding, "fast");
  const headers = new Headers(res.headers);
  appendVary(headers, "Accept-Encoding");
  headers.set("content-encoding", encoding);
  headers.set("content-length", String(compressed.byteLength));
  headers.delete("accept-ranges");
  const etag = headers.get("etag");
  if (etag) headers.set("etag", encodedETag(etag, encoding));
  return new Response(compressed, {
    status: res.status,
    statusText: res.statusText,
    headers,
  });
}

function withVary(res: Response, body: BodyInit | null): Response {
  const headers = new Headers(res.headers);
  appendVary(headers, "Accept-Encoding");
  return new Response(body, {
    status: res.status,
    statusText: res.statusText,
    headers,
  });
}

/**
 * Reads a stream into memory up to `limit` bytes. When it is longer, returns `rest`: a stream
 * that replays what was read and then the remainder, so nothing is lost or buffered twice.
 */
async function readUpTo(
  body: ReadableStream<Uint8Array>,
  limit: number,
): Promise<
  { bytes: Uint8Array<ArrayBuffer>; rest?: ReadableStream<Uint8Array> }
> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
    if (total > limit) {
      const rest = new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          const head = chunks.shift();
          if (head) return controller.enqueue(head);
          const next = await reader.read();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        },
        cancel: (reason) => reader.cancel(reason),
      });
      return { bytes: new Uint8Array(0), rest };
    }
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes };
}
