/**
 * Streams 256 MiB (generated on the fly, never held in memory) through both upload paths of
 * a server in a child process, and checks that the server's RSS stays flat. Prints MB/s.
 * UPLOAD_BENCH_MIB sets the size; UPLOAD_BENCH=0 skips it.
 */
import assert from "node:assert/strict";

const MIB = 1024 * 1024;
const SIZE = Number(Deno.env.get("UPLOAD_BENCH_MIB") ?? 256) * MIB;
const MAX_RSS_GROWTH = 100 * 1000 * 1000;

const enc = new TextEncoder();

interface RawResponse {
  status: number;
  headers: Headers;
  body: string;
}

/**
 * Sends one HTTP/1.1 request over a plain TCP connection: `bodyHead`, then `SIZE` generated
 * bytes in 1 MiB writes, then `bodyTail`. (Deno's fetch with a stream body tops out far below
 * the server's speed, so it would measure the client.)
 */
async function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  bodyHead = new Uint8Array(),
  bodyTail = new Uint8Array(),
): Promise<RawResponse> {
  const block = new Uint8Array(MIB);
  crypto.getRandomValues(block.subarray(0, 65536));
  for (let i = 65536; i < MIB; i++) block[i] = block[i % 65536] ^ (i >> 16);
  const length = bodyHead.byteLength + SIZE + bodyTail.byteLength;
  const head =
    `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n` +
    Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("") +
    `Content-Length: ${length}\r\n\r\n`;
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const writeAll = async (buf: Uint8Array) => {
    for (let off = 0; off < buf.byteLength;) {
      off += await conn.write(buf.subarray(off));
    }
  };
  await writeAll(enc.encode(head));
  await writeAll(bodyHead);
  for (let sent = 0; sent < SIZE; sent += MIB) {
    await writeAll(block.subarray(0, Math.min(MIB, SIZE - sent)));
  }
  await writeAll(bodyTail);
  const raw = await new Response(conn.readable).text();
  const [top, ...rest] = raw.split("\r\n\r\n");
  const [statusLine, ...lines] = top.split("\r\n");
  const h = new Headers();
  for (const line of lines) {
    const i = line.indexOf(":");
    h.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return {
    status: Number(statusLine.split(" ")[1]),
    headers: h,
    body: rest.join("\r\n\r\n"),
  };
}

interface Stats {
  rss: number;
  peak: number;
  cpuMs: number;
}

async function stats(base: string): Promise<Stats> {
  return await (await fetch(`${base}/stats`)).json();
}

/** Logs wall-clock MB/s, server-CPU MB/s (steadier on a busy machine) and RSS growth. */
function report(what: string, ms: number, before: Stats, after: Stats): number {
  const mb = SIZE / 1e6;
  const growth = after.peak - before.rss;
  const cpuMs = after.cpuMs - before.cpuMs;
  console.log(
    `${what}: ${SIZE / MIB} MiB in ${ms.toFixed(0)} ms = ${
      (mb / (ms / 1000)).toFixed(0)
    } MB/s ` +
      `(server CPU ${cpuMs.toFixed(0)} ms = ${
        (mb / (cpuMs / 1000)).toFixed(0)
      } MB/s per core), ` +
      `server RSS ${(before.rss / 1e6).toFixed(0)} MB -> peak ${
        (after.peak / 1e6).toFixed(0)
      } MB ` +
      `(+${(growth / 1e6).toFixed(1)} MB)`,
  );
  return growth;
}

Deno.test({
  name:
    "throughput - 256 MiB through multipart and tus keeps the server's memory flat",
  ignore: Deno.env.get("UPLOAD_BENCH") === "0",
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "upload-bench-" });
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("./_upload_server.ts", import.meta.url).pathname,
        dir,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    try {
      const { port } = JSON.parse(await firstLine(child.stdout));
      const base = `http://127.0.0.1:${port}`;
      // Warm up both paths so JIT compilation does not count.
      await warmUp(base);

      const boundary = "----bench" + crypto.randomUUID();
      const before = await stats(base);
      let t0 = performance.now();
      const res = await rawRequest(
        port,
        "POST",
        "/multipart",
        { "Content-Type": `multipart/form-data; boundary=${boundary}` },
        enc.encode(
          `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nBench\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.mp4"\r\n` +
            `Content-Type: video/mp4\r\n\r\n`,
        ),
        enc.encode(`\r\n--${boundary}--\r\n`),
      );
      let ms = performance.now() - t0;
      assert.equal(res.status, 200, res.body);
      assert.equal(JSON.parse(res.body).sizeBytes, SIZE);
      const multipartGrowth = report(
        "multipart",
        ms,
        before,
        await stats(base),
      );

      const before2 = await stats(base);
      t0 = performance.now();
      const created = await fetch(`${base}/api/uploads`, {
        method: "POST",
        headers: {
          "Tus-Resumable": "1.0.0",
          "Upload-Length": String(SIZE),
          "Upload-Metadata": `filename ${btoa("bench.mp4")}`,
        },
      });
      await created.body?.cancel();
      assert.equal(created.status, 201);
      const patched = await rawRequest(
        port,
        "PATCH",
        created.headers.get("location")!,
        {
          "Tus-Resumable": "1.0.0",
          "Upload-Offset": "0",
          "Content-Type": "application/offset+octet-stream",
        },
      );
      ms = performance.now() - t0;
      assert.equal(patched.status, 204, patched.body);
      assert.equal(patched.headers.get("x-size"), String(SIZE));
      const tusGrowth = report("tus", ms, before2, await stats(base));

      assert.ok(
        multipartGrowth < MAX_RSS_GROWTH,
        "multipart RSS growth over 100 MB",
      );
      assert.ok(tusGrowth < MAX_RSS_GROWTH, "tus RSS growth over 100 MB");
    } finally {
      child.kill();
      await child.status;
      await Deno.remove(dir, { recursive: true });
    }
  },
});

async function warmUp(base: string): Promise<void> {
  const boundary = "warm";
  const body =
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="w.mp4"\r\n\r\n` +
    "x".repeat(1 << 20) + `\r\n--${boundary}--\r\n`;
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${base}/multipart`, {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      body,
    });
    await res.body?.cancel();
  }
}

/** Reads the first line of a stream, then lets the rest drain unread. */
async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const dec = new TextDecoder();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += dec.decode(value, { stream: true });
  }
  reader.releaseLock();
  stream.cancel().catch(() => {});
  return text.split("\n")[0];
}
