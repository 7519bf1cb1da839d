/**
 * A small HTTP client for the benchmark: streamed multipart and tus uploads (bodies come from
 * a file or a generator, never whole in memory), waiting for a video over SSE, and fetching
 * what a player fetches first.
 */

/** The Video JSON fields the benchmark reads. */
export interface Video {
  id: string;
  status: "queued" | "processing" | "ready" | "failed";
  /** Whether a player can start (the first rendition is published, or it is ready). */
  playable?: boolean;
  error: string | null;
  renditions: { width: number; height: number; bitrate: number }[];
  hlsUrl: string | null;
}

const enc = new TextEncoder();

/** Wraps `body` as the part `file` of a multipart form; the boundary goes in the type. */
export function multipartBody(
  body: ReadableStream<Uint8Array>,
  filename: string,
): {
  body: ReadableStream<Uint8Array>;
  contentType: string;
  /** Bytes of the form around the file's (add the file's size for Content-Length). */
  overhead: number;
} {
  const boundary = `----reel-bench-${crypto.randomUUID()}`;
  const head = enc.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nbench\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      `Content-Type: video/mp4\r\n\r\n`,
  );
  const tail = enc.encode(`\r\n--${boundary}--\r\n`);
  const reader = body.getReader();
  let state: "head" | "body" | "done" = "head";
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    overhead: head.byteLength + tail.byteLength,
    body: new ReadableStream<Uint8Array>({
      async pull(c) {
        if (state === "head") {
          state = "body";
          c.enqueue(head);
          return;
        }
        const { value, done } = await reader.read();
        if (!done) {
          c.enqueue(value);
        } else if (state === "body") {
          state = "done";
          c.enqueue(tail);
          c.close();
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    }),
  };
}

/** `size` bytes of incompressible-looking data in 1 MiB chunks, generated as they are read. */
export function generatedBytes(size: number): ReadableStream<Uint8Array> {
  const MIB = 1024 * 1024;
  const block = new Uint8Array(MIB);
  crypto.getRandomValues(block.subarray(0, 65536));
  for (let i = 65536; i < MIB; i++) block[i] = block[i % 65536] ^ (i >> 16);
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent >= size) {
        c.close();
        return;
      }
      const n = Math.min(MIB, size - sent);
      // A fresh copy: the stream may hold on to chunks it was given.
      c.enqueue(block.slice(0, n));
      sent += n;
    },
  });
}

/** A response read by {@link sendRequest}. */
export interface RawResponse {
  status: number;
  headers: Headers;
  body: string;
}

/**
 * Sends one HTTP/1.1 request with a streamed body of known length over a fresh connection,
 * as browsers send uploads (`Content-Length`, no chunked encoding: Deno's fetch chunks every
 * stream body), and reads the whole response.
 */
export async function sendRequest(
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body: ReadableStream<Uint8Array>;
    length: number;
  },
): Promise<RawResponse> {
  const u = new URL(url);
  const conn = await Deno.connect({
    hostname: u.hostname,
    port: Number(u.port || 80),
  });
  try {
    conn.setNoDelay(true);
    const head = [
      `${init.method} ${u.pathname}${u.search} HTTP/1.1`,
      `host: ${u.host}`,
      `content-length: ${init.length}`,
      "connection: close",
      ...Object.entries(init.headers).map(([k, v]) => `${k}: ${v}`),
      "",
      "",
    ].join("\r\n");
    await writeAll(conn, enc.encode(head));
    // The server may answer early (and close) when it refuses the body: stop sending then.
    const response = readAll(conn);
    let refused = false;
    response.then(() => (refused = true), () => (refused = true));
    for await (const chunk of init.body) {
      if (refused) break;
      await writeAll(conn, chunk).catch(() => (refused = true));
    }
    return parseResponse(await response);
  } finally {
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.byteLength) off += await conn.write(data.subarray(off));
}

async function readAll(conn: Deno.Conn): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const buf = new Uint8Array(64 * 1024);
  while (true) {
    const n = await conn.read(buf).catch(() => null);
    if (n === null) break;
    parts.push(buf.slice(0, n));
  }
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}

function parseResponse(raw: Uint8Array): RawResponse {
  const text = new TextDecoder().decode(raw);
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) throw new Error("the server closed without a full response");
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const headers = new Headers();
  for (const l of lines) {
    const i = l.indexOf(":");
    if (i > 0) headers.append(l.slice(0, i).trim(), l.slice(i + 1).trim());
  }
  let body = text.slice(end + 4);
  if (/chunked/i.test(headers.get("transfer-encoding") ?? "")) {
    let out = "";
    let rest = body;
    while (true) {
      const nl = rest.indexOf("\r\n");
      const size = parseInt(rest.slice(0, nl), 16);
      if (!size) break;
      out += rest.slice(nl + 2, nl + 2 + size);
      rest = rest.slice(nl + 2 + size + 2);
    }
    body = out;
  }
  return { status: Number(statusLine.split(" ")[1]), headers, body };
}

/**
 * POSTs a multipart upload of `size` bytes from `body` to `/api/videos`, with a
 * `Content-Length` like a browser's form upload (or `chunked: true`, Deno fetch's chunked
 * transfer encoding); resolves when the response has arrived.
 */
export async function postMultipart(
  base: string,
  body: ReadableStream<Uint8Array>,
  size: number,
  filename: string,
  opts: { chunked?: boolean } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const form = multipartBody(body, filename);
  if (opts.chunked) {
    const res = await fetch(`${base}/api/videos`, {
      method: "POST",
      headers: { "content-type": form.contentType },
      body: form.body,
    });
    return { status: res.status, json: await res.json() };
  }
  const res = await sendRequest(`${base}/api/videos`, {
    method: "POST",
    headers: { "content-type": form.contentType },
    body: form.body,
    length: size + form.overhead,
  });
  return { status: res.status, json: JSON.parse(res.body || "{}") };
}

/** Uploads the file at `path` through multipart; throws unless the server answers 202. */
export async function uploadFile(base: string, path: string): Promise<Video> {
  const file = await Deno.open(path);
  const { status, json } = await postMultipart(
    base,
    file.readable,
    (await file.stat()).size,
    path.split("/").pop()!,
  );
  if (status !== 202) {
    throw new Error(`upload of ${path}: ${status} ${JSON.stringify(json)}`);
  }
  return json as unknown as Video;
}

/**
 * Uploads `size` bytes through tus 1.0: one creation POST, then PATCHes of `chunkSize` bytes
 * (the app's own browser client sends 16 MiB). Returns the final PATCH's status.
 */
export async function uploadTus(
  base: string,
  size: number,
  chunkSize: number,
  filename: string,
): Promise<number> {
  const meta = `filename ${btoa(filename)}`;
  const created = await fetch(`${base}/api/uploads`, {
    method: "POST",
    headers: {
      "tus-resumable": "1.0.0",
      "upload-length": String(size),
      "upload-metadata": meta,
    },
  });
  await created.body?.cancel();
  const location = created.headers.get("location");
  if (created.status !== 201 || !location) {
    throw new Error(`tus creation: ${created.status}`);
  }
  const url = new URL(location, base).href;
  let offset = 0;
  let status = 0;
  while (offset < size) {
    const n = Math.min(chunkSize, size - offset);
    const res = await sendRequest(url, {
      method: "PATCH",
      headers: {
        "tus-resumable": "1.0.0",
        "upload-offset": String(offset),
        "content-type": "application/offset+octet-stream",
      },
      body: generatedBytes(n),
      length: n,
    });
    status = res.status;
    if (offset + n < size && status !== 204) {
      throw new Error(`tus PATCH at ${offset}: ${status}`);
    }
    offset += n;
  }
  return status;
}

/**
 * Waits on the video's SSE stream until it is `ready` or `failed`; resolves with the last
 * Video and the `performance.now()` at which that event arrived. `onVideo` sees every
 * Video event as it arrives.
 */
export async function waitFinished(
  base: string,
  id: string,
  onVideo?: (video: Video) => void,
): Promise<{ video: Video; at: number }> {
  const res = await fetch(`${base}/api/videos/${id}/events`);
  if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
  const dec = new TextDecoder();
  let buf = "";
  for await (const chunk of res.body) {
    buf += dec.decode(chunk, { stream: true });
    let end: number;
    while ((end = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      const data = block.split("\n").filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).trim()).join("\n");
      if (!/^event: ?video$/m.test(block) || !data) continue;
      const video = JSON.parse(data) as Video;
      onVideo?.(video);
      if (video.status === "ready" || video.status === "failed") {
        const at = performance.now();
        await res.body.cancel().catch(() => {});
        return { video, at };
      }
    }
  }
  throw new Error(`events for ${id} ended before ready`);
}

/**
 * Fetches what hls.js fetches before it can show the first frame: the master playlist, the
 * first variant's media playlist, its init segment and first media segment. Returns bytes.
 */
export async function fetchFirstSegment(
  base: string,
  hlsUrl: string,
): Promise<number> {
  const get = async (url: string): Promise<Uint8Array> => {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
  const dec = new TextDecoder();
  const masterUrl = new URL(hlsUrl, base);
  const master = dec.decode(await get(masterUrl.href));
  const variant = master.split("\n").find((l) => l && !l.startsWith("#"));
  if (!variant) throw new Error("master playlist lists no variant");
  const mediaUrl = new URL(variant.trim(), masterUrl);
  const media = dec.decode(await get(mediaUrl.href));
  const init = media.match(/#EXT-X-MAP:URI="([^"]+)"/)?.[1];
  const first = media.split("\n").find((l) => l && !l.startsWith("#"));
  if (!first) throw new Error("media playlist lists no segment");
  let bytes = 0;
  if (init) bytes += (await get(new URL(init, mediaUrl).href)).byteLength;
  bytes += (await get(new URL(first.trim(), mediaUrl).href)).byteLength;
  return bytes;
}

/** Deletes a video (its record, original and streams); throws unless the server agrees. */
export async function deleteVideo(base: string, id: string): Promise<void> {
  const res = await fetch(`${base}/api/videos/${id}`, { method: "DELETE" });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`DELETE video ${id}: ${res.status}`);
}
