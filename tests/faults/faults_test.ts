/**
 * Faults: a full disk while uploading or transcoding, ffmpeg missing, clients that abort,
 * expired and interrupted resumable uploads, kill -9 mid-upload, and a graceful SIGTERM.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer, startWorker } from "../_server.ts";
import { makeClip } from "../media/_clips.ts";
import { listFiles, uploadMultipart, waitFor } from "../integration/_api.ts";

const tmp = await Deno.makeTempDir({ prefix: "reel-faults-" });
globalThis.addEventListener(
  "unload",
  () => Deno.removeSync(tmp, { recursive: true }),
);

/** Mounts a small tmpfs (root only); null when this machine does not allow it. */
async function smallDisk(
  bytes: number,
): Promise<{ dir: string; unmount(): Promise<void> } | null> {
  const dir = await Deno.makeTempDir({ prefix: "reel-tmpfs-" });
  const out = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir],
    stderr: "null",
  }).output().catch(() => null);
  if (!out?.success) {
    await Deno.remove(dir);
    return null;
  }
  return {
    dir,
    async unmount() {
      await new Deno.Command("umount", { args: [dir] }).output();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

const canMount = await smallDisk(1024 * 1024).then(async (d) => {
  await d?.unmount();
  return d !== null;
});

function chunkedBody(totalBytes: number, boundary: string, name = "big.mp4") {
  const enc = new TextEncoder();
  return ReadableStream.from((async function* () {
    yield enc.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n` +
        "Content-Type: video/mp4\r\n\r\n",
    );
    for (let sent = 0; sent < totalBytes; sent += 64 * 1024) {
      yield new Uint8Array(64 * 1024);
    }
    yield enc.encode(`\r\n--${boundary}--\r\n`);
  })());
}

Deno.test({
  name:
    "faults - a disk that fills up during an upload answers 507 and keeps no partial file",
  ignore: !canMount,
  async fn() {
    const disk = (await smallDisk(3 * 1024 * 1024))!;
    try {
      await using s = await startServer({
        dataDir: disk.dir,
        env: { MIN_FREE_DISK_BYTES: "0" },
      });
      const res = await fetch(`${s.url}/api/videos`, {
        method: "POST",
        headers: { "content-type": "multipart/form-data; boundary=xx" },
        body: chunkedBody(8 * 1024 * 1024, "xx"),
      });
      assert.equal(res.status, 507);
      const err = (await res.json()).error;
      assert.equal(err.code, "insufficient_storage");
      assert.deepEqual(await listFiles(join(disk.dir, "incoming")), []);

      // With a known size, the check happens before a byte is written.
      const fd = new FormData();
      fd.append("file", new Blob([new Uint8Array(4 * 1024 * 1024)]), "x.mp4");
      const early = await fetch(`${s.url}/api/videos`, {
        method: "POST",
        body: fd,
      });
      assert.equal(early.status, 507);
      await early.body?.cancel();
      // A tus upload whose disk fills up mid-PATCH also answers 507.
      const path = await tusCreate(s.url, 2 * 1024 * 1024, "tus.mp4");
      await Deno.writeFile(
        join(disk.dir, "filler"),
        new Uint8Array(1024 * 1024),
      ).catch(() => {});
      const patch = await tusPatch(
        s.url,
        path,
        0,
        new Uint8Array(2 * 1024 * 1024),
      );
      assert.equal(patch.status, 507);
      assert.equal((await patch.json()).error.code, "insufficient_storage");
      await fetch(`${s.url}${path}`, {
        method: "DELETE",
        headers: { "tus-resumable": "1.0.0" },
      })
        .then((r) => r.body?.cancel());
      await Deno.remove(join(disk.dir, "filler"));
      // And the server still works afterwards.
      const clip = await makeClip(tmp, { width: 160, height: 90, seconds: 1 });
      const ok = await uploadMultipart(s, clip, "after.mp4");
      assert.equal(ok.status, 202);
      await waitFor(s, ok.body.id as string);
    } finally {
      await disk.unmount();
    }
  },
});

Deno.test({
  name:
    "faults - a disk that fills up during transcoding fails the job with a reason and no partial output",
  ignore: !canMount,
  async fn() {
    const disk = (await smallDisk(6 * 1024 * 1024))!;
    try {
      const env = { MIN_FREE_DISK_BYTES: "0", JOB_MAX_ATTEMPTS: "1" };
      await using web = await startServer({
        dataDir: disk.dir,
        env: { ...env, TRANSCODE_CONCURRENCY: "0" },
      });
      const clip = await makeClip(tmp, { width: 640, height: 360, seconds: 3 });
      const up = await uploadMultipart(web, clip, "fill.mp4");
      assert.equal(up.status, 202);
      // Leave too little room for the outputs (but some for the database), then let a
      // worker try.
      const { statfs } = await import("node:fs/promises");
      const st = await statfs(disk.dir);
      const free = Number(st.bavail) * Number(st.bsize);
      await Deno.writeFile(
        join(disk.dir, "filler"),
        new Uint8Array(Math.max(0, free - 200_000)),
      );
      await using _worker = await startWorker(disk.dir, env);
      const { last } = await waitFor(
        web,
        up.body.id as string,
        undefined,
        60_000,
      );
      assert.equal(last.status, "failed");
      assert.ok((last.error ?? "").length > 10, last.error ?? "");
      assert.deepEqual(
        await listFiles(join(disk.dir, "streams")),
        [],
        "no partial outputs",
      );
    } finally {
      await disk.unmount();
    }
  },
});

Deno.test("faults - ffmpeg missing: /readyz says why, /healthz shows null, jobs fail with a reason", async () => {
  await using s = await startServer({
    env: { FFMPEG_PATH: "/nonexistent/ffmpeg", JOB_MAX_ATTEMPTS: "1" },
  });
  const ready = await fetch(`${s.url}/readyz`);
  assert.equal(ready.status, 503);
  const body = await ready.json();
  assert.equal(body.checks.ffmpeg.ok, false);
  assert.match(body.checks.ffmpeg.detail, /FFMPEG_PATH/);
  const health = await (await fetch(`${s.url}/healthz`)).json();
  assert.equal(health.status, "ok");
  assert.equal(health.ffmpeg, null);

  const clip = await makeClip(tmp, { width: 160, height: 90, seconds: 1 });
  const up = await uploadMultipart(s, clip, "noffmpeg.mp4");
  assert.equal(up.status, 202, "probing uses ffprobe, which is there");
  const { last } = await waitFor(s, up.body.id as string, undefined, 30_000);
  assert.equal(last.status, "failed");
  assert.match(last.error ?? "", /ffmpeg/);
});

Deno.test("faults - a client that aborts mid-upload leaves nothing behind", async () => {
  await using s = await startServer();
  const ctrl = new AbortController();
  const enc = new TextEncoder();
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(enc.encode(
        `--b\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n\r\n`,
      ));
    },
    async pull(c) {
      await new Promise((r) => setTimeout(r, 5));
      c.enqueue(new Uint8Array(256 * 1024));
      sent += 256 * 1024;
      if (sent >= 4 * 1024 * 1024) ctrl.abort();
    },
  });
  await fetch(`${s.url}/api/videos`, {
    method: "POST",
    headers: { "content-type": "multipart/form-data; boundary=b" },
    body,
    signal: ctrl.signal,
  }).catch(() => {});
  for (
    let i = 0;
    i < 50 && (await listFiles(join(s.dataDir, "incoming"))).length;
    i++
  ) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(await listFiles(join(s.dataDir, "incoming")), []);
  const list = await (await fetch(`${s.url}/api/videos`)).json();
  assert.deepEqual(list.videos, []);
});

function b64(s: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(s)));
}

async function tusCreate(
  url: string,
  size: number,
  name: string,
): Promise<string> {
  const res = await fetch(`${url}/api/uploads`, {
    method: "POST",
    headers: {
      "tus-resumable": "1.0.0",
      "upload-length": String(size),
      "upload-metadata": `filename ${b64(name)},title ${b64("Resumed clip")}`,
    },
  });
  assert.equal(res.status, 201, await res.text());
  return new URL(res.headers.get("location")!, url).pathname;
}

async function tusPatch(
  url: string,
  path: string,
  offset: number,
  data: Uint8Array<ArrayBuffer>,
): Promise<Response> {
  return await fetch(`${url}${path}`, {
    method: "PATCH",
    headers: {
      "tus-resumable": "1.0.0",
      "upload-offset": String(offset),
      "content-type": "application/offset+octet-stream",
    },
    body: data,
  });
}

async function tusOffset(url: string, path: string): Promise<number> {
  const res = await fetch(`${url}${path}`, {
    method: "HEAD",
    headers: { "tus-resumable": "1.0.0" },
  });
  assert.equal(res.status, 200);
  return Number(res.headers.get("upload-offset"));
}

Deno.test("faults - kill -9 mid-upload: the tus upload resumes after the restart and becomes a video", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "reel-tus-crash-" });
  try {
    const clip = await Deno.readFile(
      await makeClip(tmp, {
        width: 320,
        height: 180,
        seconds: 2,
        name: "tus.mp4",
      }),
    );
    let path: string;
    const half = Math.floor(clip.length / 2);
    {
      const s = await startServer({ dataDir });
      path = await tusCreate(s.url, clip.length, "tus ünï.mp4");
      const r = await tusPatch(s.url, path, 0, clip.slice(0, half));
      assert.equal(r.status, 204);
      await s.kill9();
    }
    await using s2 = await startServer({ dataDir });
    const offset = await tusOffset(s2.url, path);
    assert.equal(offset, half);
    const done = await tusPatch(s2.url, path, offset, clip.slice(offset));
    assert.equal(done.status, 204, await done.text());
    const id = done.headers.get("x-video-id")!;
    assert.ok(id);
    const { last } = await waitFor(s2, id);
    assert.equal(last.status, "ready");
    assert.equal(last.title, "Resumed clip");
    assert.equal(last.sourceName, "tus ünï.mp4");
    assert.deepEqual(
      await listFiles(join(dataDir, "tus")),
      [],
      "tus leftovers removed",
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("faults - a tus upload refused at the last PATCH answers like multipart and leaves nothing", async () => {
  await using s = await startServer();
  const text = new TextEncoder().encode("not a video at all\n".repeat(100));
  const path = await tusCreate(s.url, text.length, "fake.mp4");
  const r = await tusPatch(s.url, path, 0, text);
  assert.equal(r.status, 415);
  assert.equal((await r.json()).error.code, "not_a_video");
  assert.deepEqual(await listFiles(join(s.dataDir, "tus")), []);
  assert.deepEqual(await listFiles(join(s.dataDir, "uploads")), []);
});

Deno.test("faults - unfinished tus uploads expire and are removed", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "reel-tus-exp-" });
  try {
    const env = { TUS_EXPIRY_HOURS: String(1 / 3600) }; // one second
    {
      await using s = await startServer({ dataDir, env });
      const path = await tusCreate(s.url, 1000, "stale.mp4");
      (await tusPatch(s.url, path, 0, new Uint8Array(100))).body?.cancel();
      assert.ok((await listFiles(join(dataDir, "tus"))).length > 0);
    }
    await new Promise((r) => setTimeout(r, 1500));
    await using s2 = await startServer({ dataDir, env }); // sweeps at start-up
    for (
      let i = 0;
      i < 30 && (await listFiles(join(dataDir, "tus"))).length;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(await listFiles(join(dataDir, "tus")), []);
    void s2;
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("faults - SIGTERM shuts down gracefully and hands the running job back", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "reel-term-" });
  try {
    const clip = await makeClip(tmp, {
      width: 1280,
      height: 720,
      seconds: 16,
      name: "term.mp4",
    });
    let id: string;
    {
      const s = await startServer({ dataDir });
      id = (await uploadMultipart(s, clip, "term.mp4")).body.id as string;
      await waitFor(s, id, (v) => v.status === "processing" && v.progress > 0);
      const t0 = performance.now();
      await s.stop();
      assert.ok(performance.now() - t0 < 10_000, "stops promptly");
      assert.match(s.output(), /"msg":"job.released"/);
      assert.match(s.output(), /"msg":"shutdown"/);
    }
    // A clean close leaves no write-ahead log behind.
    assert.ok(!(await listFiles(dataDir)).includes("app.db-wal"));
    await using s2 = await startServer({ dataDir });
    const { last } = await waitFor(s2, id, undefined, 120_000);
    assert.equal(last.status, "ready");
    assert.doesNotMatch(
      s2.output(),
      /job.recovered/,
      "nothing needed recovering",
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
