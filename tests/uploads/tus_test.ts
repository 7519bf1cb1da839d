import assert from "node:assert/strict";
import { join } from "node:path";
import { Buffer } from "node:buffer";
import { DomainError as ApiError, toErrorResponse } from "../../lib/api/mod.ts";
import { parseTitle } from "../../lib/videos/titles.ts";
import type { ReceivedUpload } from "../../lib/uploads/filename.ts";
import { createTusHandler, type TusHandler } from "../../lib/uploads/tus.ts";
import {
  bytes,
  type ErrorBody,
  eventually,
  listDir,
  sameBytes,
  serve,
  type TestServer,
} from "./_helpers.ts";

const BASE = "/api/uploads";
const VIDEO_EXTENSIONS = ["mp4", "avi", "mov", "mkv", "wmv", "flv", "webm"];

interface Options {
  maxBytes?: number;
  expiryHours?: number;
  /** What the finish hook does; default: move the file to `done/<n>.bin` and return an id. */
  onFinished?: (
    u: ReceivedUpload,
  ) => Promise<{ headers?: Record<string, string> }>;
}

class Harness {
  root: string;
  dir: string;
  done: string;
  opts: Options;
  finished: ReceivedUpload[] = [];
  tus!: TusHandler;
  server!: TestServer;

  constructor(root: string, opts: Options) {
    this.root = root;
    this.dir = join(root, "tus");
    this.done = join(root, "done");
    this.opts = opts;
  }

  static async start(opts: Options = {}): Promise<Harness> {
    const h = new Harness(
      await Deno.makeTempDir({ prefix: "tus-test-" }),
      opts,
    );
    await Deno.mkdir(h.done);
    h.listen();
    return h;
  }

  /** (Re)starts the server with a brand-new handler on the same folder. */
  listen(): void {
    this.tus = createTusHandler({
      dir: this.dir,
      path: BASE,
      maxBytes: this.opts.maxBytes ?? 64 << 20,
      expiryHours: this.opts.expiryHours ?? 24,
      allowedExtensions: VIDEO_EXTENSIONS,
      errorResponse: toErrorResponse,
      fields: { title: parseTitle },
      onUploadFinished: this.opts.onFinished ?? (async (u) => {
        this.finished.push(u);
        const id = `video-${this.finished.length}`;
        await Deno.rename(u.path, join(this.done, `${id}.bin`));
        return { headers: { "X-Video-Id": id } };
      }),
    });
    const tus = this.tus;
    this.server = serve((req) =>
      new URL(req.url).pathname.startsWith(BASE)
        ? tus.handle(req)
        : new Response("not found", { status: 404 })
    );
  }

  async restart(): Promise<void> {
    await this.server.close();
    this.tus.close();
    this.listen();
  }

  url(path = BASE): string {
    return new URL(path, this.server.url).href;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.server.close();
    this.tus.close();
    await Deno.remove(this.root, { recursive: true });
  }
}

function metadata(meta: Record<string, string>): string {
  return Object.entries(meta)
    .map(([k, v]) => `${k} ${Buffer.from(v, "utf8").toString("base64")}`)
    .join(",");
}

async function create(
  h: Harness,
  length: number,
  meta: Record<string, string> = { filename: "clip.mp4" },
): Promise<Response> {
  const headers: Record<string, string> = {
    "Tus-Resumable": "1.0.0",
    "Upload-Length": String(length),
  };
  if (Object.keys(meta).length) headers["Upload-Metadata"] = metadata(meta);
  return await fetch(h.url(), { method: "POST", headers });
}

/** Creates an upload and returns its absolute URL. */
async function createOk(
  h: Harness,
  length: number,
  meta?: Record<string, string>,
): Promise<string> {
  const res = await create(h, length, meta);
  await res.body?.cancel();
  assert.equal(res.status, 201);
  return h.url(res.headers.get("location")!);
}

async function patch(
  url: string,
  offset: number,
  body: BodyInit,
  signal?: AbortSignal,
): Promise<Response> {
  return await fetch(url, {
    method: "PATCH",
    headers: {
      "Tus-Resumable": "1.0.0",
      "Upload-Offset": String(offset),
      "Content-Type": "application/offset+octet-stream",
    },
    body,
    signal,
  });
}

async function head(url: string): Promise<Response> {
  const res = await fetch(url, {
    method: "HEAD",
    headers: { "Tus-Resumable": "1.0.0" },
  });
  await res.body?.cancel();
  return res;
}

async function expectError(
  res: Response,
  status: number,
  code: string,
): Promise<string> {
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const body = await res.json() as ErrorBody;
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.error.code, code);
  return body.error.message;
}

function idOf(url: string): string {
  return url.slice(url.lastIndexOf("/") + 1);
}

Deno.test("tus - creates, takes two PATCHes, reports the offset and finishes with X-Video-Id", async () => {
  await using h = await Harness.start();
  const data = bytes(3 * 1024 * 1024 + 5);
  const res = await create(h, data.byteLength, {
    filename: "Été 🎬.MKV",
    title: "Hello 🌊",
  });
  await res.body?.cancel();
  assert.equal(res.status, 201);
  assert.equal(res.headers.get("tus-resumable"), "1.0.0");
  assert.match(res.headers.get("location")!, /^\/api\/uploads\/[0-9a-f]{32}$/);
  assert.ok(Date.parse(res.headers.get("upload-expires")!) > Date.now());
  assert.equal(res.headers.get("access-control-allow-origin"), null);
  assert.match(
    res.headers.get("access-control-expose-headers")!,
    /Upload-Offset/,
  );
  assert.match(res.headers.get("access-control-expose-headers")!, /X-Video-Id/);
  const url = h.url(res.headers.get("location")!);

  const first = await patch(url, 0, data.subarray(0, 1_000_000));
  assert.equal(first.status, 204);
  assert.equal(first.headers.get("upload-offset"), "1000000");
  assert.equal(first.headers.get("x-video-id"), null);

  const status = await head(url);
  assert.equal(status.status, 200);
  assert.equal(status.headers.get("upload-offset"), "1000000");
  assert.equal(status.headers.get("upload-length"), String(data.byteLength));
  assert.equal(status.headers.get("cache-control"), "no-store");

  const last = await patch(url, 1_000_000, data.subarray(1_000_000));
  assert.equal(last.status, 204);
  assert.equal(last.headers.get("upload-offset"), String(data.byteLength));
  assert.equal(last.headers.get("x-video-id"), "video-1");

  assert.equal(h.finished.length, 1);
  assert.equal(h.finished[0].filename, "Été 🎬.MKV");
  assert.equal(h.finished[0].fields.title, "Hello 🌊");
  assert.equal(h.finished[0].sizeBytes, data.byteLength);
  assert.ok(sameBytes(await Deno.readFile(join(h.done, "video-1.bin")), data));
  assert.deepEqual(
    await listDir(h.dir),
    [],
    "the store keeps nothing after a finished upload",
  );
  assert.equal((await head(url)).status, 404);
});

Deno.test("tus - resumes after a dropped connection from the offset that reached disk", async () => {
  await using h = await Harness.start();
  const data = bytes(8 << 20, 3);
  const url = await createOk(h, data.byteLength);
  const ac = new AbortController();
  let sent = 0;
  const slow = new ReadableStream<Uint8Array>({
    async pull(c) {
      await new Promise((r) => setTimeout(r, 5));
      c.enqueue(data.slice(sent, sent + 256 * 1024));
      sent += 256 * 1024;
      if (sent >= 3 << 20) {
        await eventually(async () =>
          (await Deno.stat(join(h.dir, idOf(url)))).size > 0
        );
        ac.abort();
      }
    },
  });
  await assert.rejects(patch(url, 0, slow, ac.signal));

  let offset = 0;
  assert.ok(
    await eventually(async () => {
      const res = await head(url);
      offset = Number(res.headers.get("upload-offset"));
      return res.status === 200 && offset > 0;
    }),
  );
  assert.ok(offset <= sent, `offset ${offset} beyond the ${sent} bytes sent`);
  const rest = await patch(url, offset, data.subarray(offset));
  assert.equal(rest.status, 204);
  assert.equal(rest.headers.get("x-video-id"), "video-1");
  assert.ok(sameBytes(await Deno.readFile(join(h.done, "video-1.bin")), data));
});

Deno.test("tus - resumes after a restart with a new handler on the same folder", async () => {
  await using h = await Harness.start();
  const data = bytes(2 << 20, 5);
  const url = await createOk(h, data.byteLength, {
    filename: "a.webm",
    title: "Restart",
  });
  assert.equal((await patch(url, 0, data.subarray(0, 700_000))).status, 204);

  await h.restart();
  const path = new URL(url).pathname;
  const status = await head(h.url(path));
  assert.equal(status.status, 200);
  assert.equal(status.headers.get("upload-offset"), "700000");
  const rest = await patch(h.url(path), 700_000, data.subarray(700_000));
  assert.equal(rest.status, 204);
  assert.equal(rest.headers.get("x-video-id"), "video-1");
  assert.equal(h.finished[0].fields.title, "Restart");
  assert.ok(sameBytes(await Deno.readFile(join(h.done, "video-1.bin")), data));
});

Deno.test("tus - DELETE terminates an upload and removes its files", async () => {
  await using h = await Harness.start();
  const url = await createOk(h, 1000);
  assert.equal((await patch(url, 0, bytes(400))).status, 204);
  assert.equal((await listDir(h.dir)).length, 2);
  const res = await fetch(url, {
    method: "DELETE",
    headers: { "Tus-Resumable": "1.0.0" },
  });
  await res.body?.cancel();
  assert.equal(res.status, 204);
  assert.deepEqual(await listDir(h.dir), []);
  assert.equal((await head(url)).status, 404);
});

Deno.test("tus - cleanupExpired removes stale partial uploads and nothing else", async () => {
  await using h = await Harness.start({ expiryHours: 0.4 / 3600 });
  const stale = await createOk(h, 1000);
  assert.equal((await patch(stale, 0, bytes(10))).status, 204);
  // A stray data file without its info file (e.g. a crash mid-creation) goes too.
  await Deno.writeFile(
    join(h.dir, "0123456789abcdef0123456789abcdef"),
    bytes(5),
  );
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(
    (await head(stale)).status,
    410,
    "an expired upload is gone for the client",
  );
  const fresh = await createOk(h, 1000);

  assert.equal(await h.tus.cleanupExpired(), 2);
  assert.deepEqual(await listDir(h.dir), [idOf(fresh), `${idOf(fresh)}.json`]);
  assert.equal((await head(stale)).status, 404);
  assert.equal((await head(fresh)).status, 200);
});

Deno.test("tus - refuses an Upload-Length over the limit at creation with 413", async () => {
  await using h = await Harness.start({ maxBytes: 1 << 20 });
  const message = await expectError(
    await create(h, 3_000_000),
    413,
    "too_large",
  );
  assert.equal(
    message,
    "File is 3.0 MB; the limit is 1.0 MB (MAX_UPLOAD_BYTES).",
  );
  assert.deepEqual(await listDir(h.dir), []);
});

Deno.test("tus - checks the filename, title and length at creation", async () => {
  await using h = await Harness.start();
  const m415 = await expectError(
    await create(h, 100, { filename: "virus.EXE" }),
    415,
    "unsupported_type",
  );
  assert.match(m415, /\.exe files are not accepted.*\.mp4/);
  await expectError(await create(h, 100, {}), 400, "bad_request");
  await expectError(
    await create(h, 0, { filename: "zero.mp4" }),
    400,
    "empty_file",
  );
  await expectError(
    await create(h, 100, { filename: "a.mp4", title: "x".repeat(201) }),
    400,
    "bad_request",
  );
  assert.deepEqual(await listDir(h.dir), []);
});

Deno.test("tus - a PATCH with more bytes than Upload-Length is refused", async () => {
  await using h = await Harness.start();
  const url = await createOk(h, 100);
  await expectError(await patch(url, 0, bytes(200)), 413, "too_large");
  const wrongOffset = await patch(url, 50, bytes(10));
  assert.equal(wrongOffset.status, 409);
  await wrongOffset.body?.cancel();
});

Deno.test("tus - a hook that throws ApiError answers its status and JSON and removes the upload", async () => {
  await using h = await Harness.start({
    onFinished: () => {
      throw new ApiError(
        "not_a_video",
        "This file is not a video ffprobe can read.",
      );
    },
  });
  const url = await createOk(h, 1000);
  assert.equal((await patch(url, 0, bytes(600))).status, 204);
  const res = await patch(url, 600, bytes(400));
  const message = await expectError(res, 415, "not_a_video");
  assert.equal(message, "This file is not a video ffprobe can read.");
  assert.equal(res.headers.get("tus-resumable"), "1.0.0");
  assert.deepEqual(await listDir(h.dir), []);
  assert.equal((await head(url)).status, 404);
});

Deno.test("tus - a whole file sent with the POST (creation-with-upload) finishes at once", async () => {
  await using h = await Harness.start();
  const data = bytes(50_000);
  const res = await fetch(h.url(), {
    method: "POST",
    headers: {
      "Tus-Resumable": "1.0.0",
      "Upload-Length": String(data.byteLength),
      "Upload-Metadata": metadata({ filename: "one.mov" }),
      "Content-Type": "application/offset+octet-stream",
    },
    body: data,
  });
  await res.body?.cancel();
  assert.equal(res.status, 201);
  assert.equal(res.headers.get("x-video-id"), "video-1");
  assert.ok(sameBytes(await Deno.readFile(join(h.done, "video-1.bin")), data));
  assert.deepEqual(await listDir(h.dir), []);
});

Deno.test("tus - OPTIONS advertises the protocol; GET and other paths are refused", async () => {
  await using h = await Harness.start({ maxBytes: 5000 });
  const opts = await fetch(h.url(), { method: "OPTIONS" });
  await opts.body?.cancel();
  assert.equal(opts.status, 204);
  assert.equal(opts.headers.get("tus-version"), "1.0.0");
  assert.equal(opts.headers.get("tus-max-size"), "5000");
  assert.equal(
    opts.headers.get("tus-extension"),
    "creation,creation-with-upload,termination,expiration",
  );
  const url = await createOk(h, 100);
  await expectError(await fetch(url), 405, "method_not_allowed");
  await expectError(
    await fetch(h.url(`${BASE}/..%2F..%2Fetc%2Fpasswd`), {
      method: "PATCH",
      body: "x",
    }),
    404,
    "not_found",
  );
  const missing = await fetch(h.url(`${BASE}/${"0".repeat(32)}`), {
    method: "HEAD",
    headers: { "Tus-Resumable": "1.0.0" },
  });
  await missing.body?.cancel();
  assert.equal(missing.status, 404);
  const noVersion = await fetch(url, { method: "HEAD" });
  await noVersion.body?.cancel();
  assert.equal(noVersion.status, 412);
});

Deno.test("tus - a final PATCH retried while the hook runs joins it instead of finishing twice", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  let calls = 0;
  await using h = await Harness.start({
    onFinished: async (u) => {
      calls++;
      await gate;
      await Deno.remove(u.path);
      return { headers: { "X-Video-Id": "only-one" } };
    },
  });
  const url = await createOk(h, 100);
  const first = patch(url, 0, bytes(100));
  assert.ok(await eventually(() => Promise.resolve(calls === 1)));
  // The retry finds every byte there already and sends an empty PATCH at the end offset.
  const retry = patch(url, 100, new Uint8Array());
  await new Promise((r) => setTimeout(r, 50));
  release();
  const [a, b] = await Promise.all([first, retry]);
  assert.equal(a.status, 204);
  assert.equal(b.status, 204);
  assert.equal(a.headers.get("x-video-id"), "only-one");
  assert.equal(b.headers.get("x-video-id"), "only-one");
  assert.equal(calls, 1);
  assert.deepEqual(await listDir(h.dir), []);
});
