import assert from "node:assert/strict";
import {
  encodeMetadata,
  NetworkError,
  type TransportRequest,
  type TransportResponse,
  TusUpload,
} from "../../lib/ui/tus_client.ts";
import {
  fingerprint,
  type StorageLike,
  storedUploads,
} from "../../lib/ui/tus_storage.ts";
import { ApiFailure } from "../../lib/ui/api_error.ts";

const BASE = "http://reel.test/";

/** An in-memory tus server with switches to make it misbehave. */
class FakeTus {
  uploads = new Map<
    string,
    { length: number; data: Uint8Array; offset: number }
  >();
  log: string[] = [];
  /** Called before each request; may throw NetworkError or return a response. */
  hook: (req: TransportRequest, n: number) => TransportResponse | void =
    () => {};
  /** Bytes of the next PATCH the server keeps before the connection "drops". */
  dropPatchAfter: number | null = null;
  finalResponse: (() => TransportResponse) | null = null;
  created = 0;
  #n = 0;

  transport = async (req: TransportRequest): Promise<TransportResponse> => {
    await Promise.resolve();
    if (req.signal?.aborted) throw new DOMException("stopped", "AbortError");
    const n = this.#n++;
    this.log.push(`${req.method} ${new URL(req.url).pathname}`);
    const hooked = this.hook(req, n);
    if (hooked) return hooked;
    const id = new URL(req.url).pathname.split("/").pop()!;
    switch (req.method) {
      case "POST": {
        const length = Number(req.headers["Upload-Length"]);
        const uid = `u${++this.created}`;
        this.uploads.set(uid, {
          length,
          data: new Uint8Array(length),
          offset: 0,
        });
        return res(201, { Location: `/api/uploads/${uid}` });
      }
      case "HEAD": {
        const u = this.uploads.get(id);
        if (!u) return res(404);
        return res(200, { "Upload-Offset": String(u.offset) });
      }
      case "DELETE":
        this.uploads.delete(id);
        return res(204);
      case "PATCH": {
        const u = this.uploads.get(id);
        if (!u) return res(404);
        const offset = Number(req.headers["Upload-Offset"]);
        if (offset !== u.offset) return res(409);
        const bytes = new Uint8Array(await req.body!.arrayBuffer());
        if (this.dropPatchAfter !== null) {
          const kept = bytes.subarray(0, this.dropPatchAfter);
          u.data.set(kept, offset);
          u.offset += kept.length;
          this.dropPatchAfter = null;
          req.onUploadProgress?.(kept.length);
          throw new NetworkError();
        }
        u.data.set(bytes, offset);
        u.offset += bytes.length;
        req.onUploadProgress?.(bytes.length);
        if (u.offset === u.length) {
          if (this.finalResponse) return this.finalResponse();
          return res(204, {
            "Upload-Offset": String(u.offset),
            "X-Video-Id": "vid-1",
          });
        }
        return res(204, { "Upload-Offset": String(u.offset) });
      }
    }
  };
}

function res(
  status: number,
  headers: Record<string, string> = {},
  text = "",
): TransportResponse {
  const lower = Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]),
  );
  return { status, header: (name) => lower[name.toLowerCase()] ?? null, text };
}

class MemoryStorage implements StorageLike {
  #map = new Map<string, string>();
  get length(): number {
    return this.#map.size;
  }
  key(i: number): string | null {
    return [...this.#map.keys()][i] ?? null;
  }
  getItem(k: string): string | null {
    return this.#map.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.#map.set(k, v);
  }
  removeItem(k: string): void {
    this.#map.delete(k);
  }
}

function makeFile(size: number, name = "clip.mp4"): File {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = i % 251;
  return new File([bytes], name, { lastModified: 1_700_000_000_000 });
}

const noSleep = () => Promise.resolve();

Deno.test("tus client - uploads in chunks and returns the video id", async () => {
  const server = new FakeTus();
  const file = makeFile(10_000);
  const progress: number[] = [];
  const up = new TusUpload(file, {
    endpoint: "/api/uploads",
    baseUrl: BASE,
    chunkSize: 4096,
    transport: server.transport,
    onProgress: (sent) => progress.push(sent),
  });
  const result = await up.start();
  assert.equal(result.videoId, "vid-1");
  assert.deepEqual(server.log, [
    "POST /api/uploads",
    "PATCH /api/uploads/u1",
    "PATCH /api/uploads/u1",
    "PATCH /api/uploads/u1",
  ]);
  assert.deepEqual(
    server.uploads.get("u1")!.data,
    new Uint8Array(await file.arrayBuffer()),
  );
  assert.equal(progress.at(-1), 10_000);
  assert.ok(progress.includes(4096) && progress.includes(8192));
});

Deno.test("tus client - a dropped connection resumes from the offset HEAD reports", async () => {
  const server = new FakeTus();
  const file = makeFile(10_000);
  const phases: string[] = [];
  server.hook = (req, n) => {
    // The second PATCH loses its connection after 1000 bytes reached the server.
    if (req.method === "PATCH" && n === 2) server.dropPatchAfter = 1000;
  };
  const up = new TusUpload(file, {
    endpoint: "/api/uploads",
    baseUrl: BASE,
    chunkSize: 4096,
    transport: server.transport,
    sleep: noSleep,
    onPhase: (p) => phases.push(p),
  });
  const result = await up.start();
  assert.equal(result.videoId, "vid-1");
  assert.ok(phases.includes("retrying"));
  assert.deepEqual(server.log.slice(2, 4), [
    "PATCH /api/uploads/u1",
    "HEAD /api/uploads/u1",
  ]);
  assert.deepEqual(
    server.uploads.get("u1")!.data,
    new Uint8Array(await file.arrayBuffer()),
  );
});

Deno.test("tus client - gives up after the retry delays with a network failure", async () => {
  const server = new FakeTus();
  server.hook = (req) => {
    if (req.method !== "POST") throw new NetworkError();
  };
  const up = new TusUpload(makeFile(100), {
    endpoint: "/api/uploads",
    baseUrl: BASE,
    transport: server.transport,
    retryDelays: [1, 1],
    sleep: noSleep,
  });
  await assert.rejects(
    up.start(),
    (err) => err instanceof ApiFailure && err.code === "network",
  );
  assert.equal(server.log.filter((l) => l.startsWith("HEAD")).length, 2);
});

Deno.test("tus client - a re-chosen file after a reload resumes the remembered upload", async () => {
  const server = new FakeTus();
  const storage = new MemoryStorage();
  const file = makeFile(10_000);
  const first = new TusUpload(file, {
    endpoint: "/api/uploads",
    baseUrl: BASE,
    chunkSize: 4096,
    transport: server.transport,
    storage,
    onProgress: (sent) => {
      if (sent >= 4096) first.pause();
    },
  });
  await assert.rejects(
    first.start(),
    (err) => (err as Error).name === "AbortError",
  );
  const remembered = storedUploads(storage);
  assert.equal(remembered.length, 1);
  assert.equal(remembered[0].name, "clip.mp4");
  assert.equal(remembered[0].url, `${BASE}api/uploads/u1`);

  // "After the reload": a new client, same file, same storage.
  server.log = [];
  const again = new TusUpload(makeFile(10_000), {
    endpoint: "/api/uploads",
    baseUrl: BASE,
    chunkSize: 4096,
    transport: server.transport,
    storage,
  });
  const result = await again.start();
  assert.equal(result.videoId, "vid-1");
  assert.equal(server.log[0], "HEAD /api/uploads/u1");
  assert.ok(!server.log.includes("POST /api/uploads"));
  assert.equal(server.created, 1);
  assert.equal(
    storedUploads(storage).length,
    0,
    "finished uploads are forgotten",
  );
});

Deno.test("tus client - an expired remembered upload starts over", async () => {
  const server = new FakeTus();
  const storage = new MemoryStorage();
  const file = makeFile(500);
  storage.setItem(
    fingerprint(file),
    JSON.stringify({
      url: `${BASE}api/uploads/gone`,
      name: file.name,
      size: file.size,
      lastModified: file.lastModified,
      offset: 200,
      createdAt: Date.now(),
    }),
  );
  const up = new TusUpload(file, {
    endpoint: "/api/uploads",
    baseUrl: BASE,
    transport: server.transport,
    storage,
  });
  assert.equal((await up.start()).videoId, "vid-1");
  assert.deepEqual(server.log, [
    "HEAD /api/uploads/gone",
    "POST /api/uploads",
    "PATCH /api/uploads/u1",
  ]);
});

Deno.test("tus client - creation errors carry the API's message", async () => {
  const server = new FakeTus();
  const message = "File is 7.5 MB; the limit is 2.0 MB (MAX_UPLOAD_BYTES).";
  server.hook = (req) =>
    req.method === "POST"
      ? res(413, {}, JSON.stringify({ error: { code: "too_large", message } }))
      : undefined;
  const up = new TusUpload(makeFile(100), {
    endpoint: "/api/uploads",
    baseUrl: BASE,
    transport: server.transport,
    sleep: noSleep,
  });
  await assert.rejects(up.start(), (err) => {
    assert.ok(err instanceof ApiFailure);
    assert.equal(err.code, "too_large");
    assert.equal(err.message, message);
    return true;
  });
  assert.equal(server.log.length, 1, "a 413 is not retried");
});

Deno.test("tus client - a rejected final PATCH shows the probe's error and forgets the upload", async () => {
  const server = new FakeTus();
  const storage = new MemoryStorage();
  server.finalResponse = () =>
    res(
      415,
      {},
      JSON.stringify({
        error: { code: "not_a_video", message: "This file is not a video." },
      }),
    );
  const up = new TusUpload(makeFile(100), {
    endpoint: "/api/uploads",
    baseUrl: BASE,
    transport: server.transport,
    storage,
  });
  await assert.rejects(
    up.start(),
    (err) =>
      err instanceof ApiFailure && err.message === "This file is not a video.",
  );
  assert.equal(storedUploads(storage).length, 0);
});

Deno.test("tus client - server errors are retried, 409 re-reads the offset", async () => {
  const server = new FakeTus();
  let failed = false;
  let conflicted = false;
  server.hook = (req) => {
    if (req.method === "PATCH" && !failed) {
      failed = true;
      return res(503, { "Retry-After": "0" });
    }
    if (req.method === "PATCH" && !conflicted) {
      conflicted = true;
      return res(409);
    }
  };
  const up = new TusUpload(makeFile(100), {
    endpoint: "/api/uploads",
    baseUrl: BASE,
    transport: server.transport,
    sleep: noSleep,
  });
  assert.equal((await up.start()).videoId, "vid-1");
  assert.deepEqual(server.log, [
    "POST /api/uploads",
    "PATCH /api/uploads/u1",
    "HEAD /api/uploads/u1",
    "PATCH /api/uploads/u1",
    "HEAD /api/uploads/u1",
    "PATCH /api/uploads/u1",
  ]);
});

Deno.test("tus client - abort terminates the upload on the server", async () => {
  const server = new FakeTus();
  const storage = new MemoryStorage();
  const up = new TusUpload(makeFile(10_000), {
    endpoint: "/api/uploads",
    baseUrl: BASE,
    chunkSize: 1000,
    transport: server.transport,
    storage,
    onProgress: (sent) => {
      if (sent >= 3000) up.abort();
    },
  });
  await assert.rejects(
    up.start(),
    (err) => (err as Error).name === "AbortError",
  );
  await new Promise((r) => setTimeout(r, 0));
  assert.ok(server.log.includes("DELETE /api/uploads/u1"));
  assert.equal(server.uploads.size, 0);
  assert.equal(storedUploads(storage).length, 0);
});

Deno.test("tus client - metadata is base64 of UTF-8", () => {
  assert.equal(
    encodeMetadata({ filename: "été.mp4", title: "a" }),
    `filename ${btoa("\u00c3\u00a9t\u00c3\u00a9.mp4")},title YQ==`,
  );
});
