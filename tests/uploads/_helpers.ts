/** Shared helpers for the upload tests: a real server on a free port and form builders. */

export interface TestServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves `handler` on 127.0.0.1 with a free port. */
export function serve(
  handler: (req: Request) => Response | Promise<Response>,
): TestServer {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    handler,
  );
  const port = server.addr.port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => server.shutdown(),
  };
}

/** Names of the entries in `dir` (empty when it does not exist). */
export async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) names.push(e.name);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return names.sort();
}

/** Polls until `check` is true or `ms` pass; returns the last result. */
export async function eventually(
  check: () => Promise<boolean>,
  ms = 3000,
): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return await check();
}

/** Deterministic pseudo-random bytes (fast, so tests can build large bodies). */
export function bytes(n: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export type Part =
  | { name: string; value: string }
  | { name: string; filename: string; data: Uint8Array; type?: string };

const enc = new TextEncoder();

/** A multipart/form-data body with parts in the given order (UTF-8 names sent raw, like browsers). */
export function formBody(
  parts: Part[],
  boundary = "----test" + crypto.randomUUID(),
): {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
} {
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    if ("filename" in p) {
      chunks.push(enc.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\n` +
          `Content-Type: ${p.type ?? "application/octet-stream"}\r\n\r\n`,
      ));
      chunks.push(p.data);
      chunks.push(enc.encode("\r\n"));
    } else {
      chunks.push(enc.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`,
      ));
    }
  }
  chunks.push(enc.encode(`--${boundary}--\r\n`));
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const body = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A body stream that sends `data` in chunks, without a Content-Length (chunked encoding). */
export function chunked(
  data: Uint8Array,
  chunkSize = 64 * 1024,
  delayMs = 0,
): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    async pull(c) {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      if (at >= data.byteLength) {
        c.close();
        return;
      }
      c.enqueue(data.slice(at, at + chunkSize));
      at += chunkSize;
    },
  });
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

export interface ErrorBody {
  error: { code: string; message: string };
}
