import assert from "node:assert/strict";
import { join } from "node:path";
import { toErrorResponse } from "../../lib/api/mod.ts";
import { parseTitle } from "../../lib/videos/titles.ts";
import { receiveMultipart } from "../../lib/uploads/multipart.ts";
import {
  bytes,
  chunked,
  type ErrorBody,
  eventually,
  formBody,
  listDir,
  sameBytes,
  serve,
  type TestServer,
} from "./_helpers.ts";

const VIDEO_EXTENSIONS = ["mp4", "avi", "mov", "mkv", "wmv", "flv", "webm"];

interface Harness {
  server: TestServer;
  dir: string;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A real server whose POST handler is `receiveMultipart` into a fresh temp dir. */
async function harness(
  maxBytes = 8 << 20,
  dirOverride?: string,
): Promise<Harness> {
  const root = await Deno.makeTempDir({ prefix: "multipart-test-" });
  const dir = dirOverride ?? join(root, "incoming");
  const server = serve(async (req) => {
    try {
      const up = await receiveMultipart(req, {
        dir,
        maxBytes,
        allowedExtensions: VIDEO_EXTENSIONS,
        fields: { title: parseTitle },
      });
      return Response.json(up);
    } catch (err) {
      return toErrorResponse(err);
    }
  });
  return {
    server,
    dir,
    async [Symbol.asyncDispose]() {
      await server.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

async function post(
  h: Harness,
  body: BodyInit,
  contentType: string,
  extraHeaders: HeadersInit = {},
): Promise<Response> {
  const headers = new Headers(extraHeaders);
  headers.set("content-type", contentType);
  return await fetch(h.server.url, { method: "POST", body, headers });
}

async function expectError(
  res: Response,
  status: number,
  code: string,
): Promise<string> {
  const body = await res.json() as ErrorBody;
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.error.code, code);
  return body.error.message;
}

Deno.test("multipart - stores the file byte for byte with its Unicode name and a title sent first", async () => {
  await using h = await harness();
  const data = bytes(3 * 1024 * 1024 + 17);
  const { body, contentType } = formBody([
    { name: "title", value: "Ferien am Meer 🌊" },
    { name: "file", filename: "Été à Zürich 🎬.MP4", data, type: "video/mp4" },
  ]);
  const res = await post(h, body, contentType);
  const up = await res.json();
  assert.equal(res.status, 200, JSON.stringify(up));
  assert.equal(up.filename, "Été à Zürich 🎬.MP4");
  assert.equal(up.fields.title ?? null, "Ferien am Meer 🌊");
  assert.equal(up.sizeBytes, data.byteLength);
  assert.ok(up.path.startsWith(h.dir + "/") && up.path.endsWith(".upload"));
  assert.ok(
    sameBytes(await Deno.readFile(up.path), data),
    "bytes on disk differ",
  );
  assert.deepEqual(await listDir(h.dir), [up.path.slice(h.dir.length + 1)]);
});

Deno.test("multipart - takes a title sent after the file, streamed in odd-sized chunks", async () => {
  await using h = await harness();
  const data = bytes(1_000_003, 7);
  const { body, contentType } = formBody([
    { name: "file", filename: "clip.webm", data },
    { name: "title", value: "  After the file  " },
  ]);
  const res = await post(h, chunked(body, 4099), contentType);
  const up = await res.json();
  assert.equal(res.status, 200, JSON.stringify(up));
  assert.equal(up.fields.title ?? null, "After the file");
  assert.ok(sameBytes(await Deno.readFile(up.path), data));
});

Deno.test("multipart - keeps only the display name: no path parts or control characters", async () => {
  await using h = await harness();
  const { body, contentType } = formBody([
    {
      name: "file",
      filename: "..\\..\\C:\\evil\\ev\u202eil.mp4",
      data: bytes(10),
    },
  ]);
  const up = await (await post(h, body, contentType)).json();
  assert.equal(up.filename, "evil.mp4");
  assert.equal(up.fields.title ?? null, null);
  assert.equal((await listDir(h.dir)).length, 1);
});

Deno.test("multipart - accepts a file of exactly the limit", async () => {
  await using h = await harness(1 << 20);
  const { body, contentType } = formBody([
    { name: "file", filename: "exact.mkv", data: bytes(1 << 20) },
  ]);
  const res = await post(h, chunked(body), contentType);
  const up = await res.json();
  assert.equal(res.status, 200, JSON.stringify(up));
  assert.equal(up.sizeBytes, 1 << 20);
});

Deno.test("multipart - refuses by Content-Length before reading the body", async () => {
  await using h = await harness(1 << 20);
  // A raw request that promises 3 GB and sends none of it: the answer must come anyway.
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: h.server.port,
  });
  try {
    await conn.write(new TextEncoder().encode(
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=abc\r\n" +
        "Content-Length: 3000000000\r\n\r\n",
    ));
    const buf = new Uint8Array(4096);
    const n = await conn.read(buf);
    const text = new TextDecoder().decode(buf.subarray(0, n ?? 0));
    assert.match(text, /^HTTP\/1\.1 413/);
    assert.match(text, /"too_large"/);
    assert.match(
      text,
      /File is 3\.0 GB; the limit is 1\.0 MB \(MAX_UPLOAD_BYTES\)\./,
    );
  } finally {
    conn.close();
  }
  assert.deepEqual(await listDir(h.dir), []);
});

Deno.test("multipart - rejects an oversize upload mid-stream and keeps nothing", async () => {
  await using h = await harness(1 << 20);
  const { body, contentType } = formBody([
    { name: "file", filename: "big.mp4", data: bytes(6 << 20) },
  ]);
  const res = await post(h, chunked(body), contentType);
  const message = await expectError(res, 413, "too_large");
  assert.equal(
    message,
    "File is larger than the 1.0 MB (MAX_UPLOAD_BYTES) limit.",
  );
  assert.deepEqual(await listDir(h.dir), []);
});

Deno.test("multipart - rejects a disallowed extension with the list of allowed ones", async () => {
  await using h = await harness();
  const { body, contentType } = formBody([
    { name: "file", filename: "notes.txt", data: bytes(1000) },
  ]);
  const message = await expectError(
    await post(h, body, contentType),
    415,
    "unsupported_type",
  );
  assert.match(message, /\.txt files are not accepted/);
  assert.match(message, /\.mp4, \.avi, \.mov, \.mkv, \.wmv, \.flv, \.webm/);
  assert.deepEqual(await listDir(h.dir), []);
});

Deno.test("multipart - answers no_file when the form has no file part", async () => {
  await using h = await harness();
  const { body, contentType } = formBody([
    { name: "title", value: "just a title" },
    { name: "attachment", filename: "clip.mp4", data: bytes(100) },
  ]);
  await expectError(await post(h, body, contentType), 400, "no_file");
  // A browser form with no file chosen sends an empty part with an empty file name.
  const empty = formBody([{
    name: "file",
    filename: "",
    data: new Uint8Array(),
  }]);
  await expectError(
    await post(h, empty.body, empty.contentType),
    400,
    "no_file",
  );
  assert.deepEqual(await listDir(h.dir), []);
});

Deno.test("multipart - answers empty_file for a zero-byte file and keeps nothing", async () => {
  await using h = await harness();
  const { body, contentType } = formBody([
    { name: "file", filename: "zero.mov", data: new Uint8Array() },
  ]);
  const message = await expectError(
    await post(h, body, contentType),
    400,
    "empty_file",
  );
  assert.match(message, /zero\.mov/);
  assert.deepEqual(await listDir(h.dir), []);
});

Deno.test("multipart - answers bad_request for a body that is not multipart", async () => {
  await using h = await harness();
  await expectError(
    await post(h, '{"file":1}', "application/json"),
    400,
    "bad_request",
  );
  await expectError(
    await post(h, "x", "multipart/form-data"),
    400,
    "bad_request",
  );
  assert.deepEqual(await listDir(h.dir), []);
});

Deno.test("multipart - answers bad_request for a form cut off mid-file and keeps nothing", async () => {
  await using h = await harness();
  const { body, contentType } = formBody([
    { name: "file", filename: "cut.mp4", data: bytes(200_000) },
  ]);
  const cut = body.subarray(0, 150_000);
  const message = await expectError(
    await post(h, cut, contentType),
    400,
    "bad_request",
  );
  assert.match(message, /malformed/);
  assert.deepEqual(await listDir(h.dir), []);
});

Deno.test("multipart - refuses a title over 200 characters", async () => {
  await using h = await harness();
  const { body, contentType } = formBody([
    { name: "file", filename: "clip.mp4", data: bytes(1000) },
    { name: "title", value: "é".repeat(201) },
  ]);
  const message = await expectError(
    await post(h, body, contentType),
    400,
    "bad_request",
  );
  assert.match(message, /200 characters/);
  assert.deepEqual(await listDir(h.dir), []);
});

Deno.test("multipart - a client that aborts mid-upload leaves nothing behind", async () => {
  await using h = await harness(64 << 20);
  const { body, contentType } = formBody([
    { name: "file", filename: "slow.mp4", data: bytes(8 << 20) },
  ]);
  const ac = new AbortController();
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(c) {
      await new Promise((r) => setTimeout(r, 5));
      c.enqueue(body.slice(sent, sent + 256 * 1024));
      sent += 256 * 1024;
      if (sent >= 2 << 20) {
        // Abort only once the server has started writing, so cleanup is really tested.
        await eventually(async () => (await listDir(h.dir)).length > 0);
        ac.abort();
      }
    },
  });
  await assert.rejects(
    fetch(h.server.url, {
      method: "POST",
      body: stream,
      headers: { "content-type": contentType },
      signal: ac.signal,
    }),
  );
  assert.ok(sent >= 2 << 20);
  const empty = await eventually(async () =>
    (await listDir(h.dir)).length === 0
  );
  assert.ok(empty, `left behind: ${await listDir(h.dir)}`);
});

Deno.test({
  name:
    "multipart - answers insufficient_storage when the disk fills up and keeps nothing",
  ignore: Deno.build.os !== "linux" || Deno.uid?.() !== 0,
  fn: async () => {
    const mnt = await Deno.makeTempDir({ prefix: "multipart-full-" });
    const mount = new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt],
      stderr: "null",
    });
    if (!(await mount.output()).success) {
      await Deno.remove(mnt);
      console.warn("skipped: cannot mount a tmpfs");
      return;
    }
    try {
      await using h = await harness(64 << 20, mnt);
      const { body, contentType } = formBody([
        { name: "file", filename: "huge.mp4", data: bytes(12 << 20) },
      ]);
      const res = await post(h, chunked(body), contentType);
      await expectError(res, 507, "insufficient_storage");
      assert.deepEqual(await listDir(mnt), []);
    } finally {
      await new Deno.Command("umount", { args: [mnt] }).output();
      await Deno.remove(mnt).catch(() => {});
    }
  },
});
