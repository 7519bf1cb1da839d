/**
 * The blob contract on the S3 backend against a real S3 API (Swift + s3api, started once for
 * this file by `_swift.ts`), a new bucket per test; plus what only S3 has: multipart
 * uploads, bucket creation, and the start-up error sentences.
 *
 * Sanitizers are off: the shared Swift's processes and the SDK's pooled connections outlive
 * single tests on purpose.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { HeadBucketCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import {
  S3BlobStore,
  type S3BlobStoreOptions,
} from "../../lib/storage/s3/s3_store.ts";
import { blobContract, bytesOf, randomBytes, sha256Of } from "./contract.ts";
import { sharedSwift, stopSharedSwift } from "./_swift.ts";

const loose = { sanitizeOps: false, sanitizeResources: false } as const;
let buckets = 0;

async function options(
  extra: Partial<S3BlobStoreOptions> = {},
): Promise<S3BlobStoreOptions> {
  const swift = await sharedSwift();
  return {
    bucket: `reel-test-${++buckets}-${crypto.randomUUID().slice(0, 8)}`,
    endpoint: swift.endpoint,
    region: swift.region,
    credentials: {
      accessKeyId: swift.accessKeyId,
      secretAccessKey: swift.secretAccessKey,
    },
    ...extra,
  };
}

blobContract("s3", async () => {
  const blobs = await S3BlobStore.open(await options());
  return { blobs, close: () => Promise.resolve(blobs.close()) };
}, loose);

blobContract("s3 with a key prefix", async () => {
  const blobs = await S3BlobStore.open(await options({ prefix: "reel/" }));
  return { blobs, close: () => Promise.resolve(blobs.close()) };
}, loose);

const s3Test = (
  name: string,
  fn: (tmp: string) => Promise<void>,
) =>
  Deno.test({
    name: `s3 blob store - ${name}`,
    ...loose,
    async fn() {
      const tmp = await Deno.makeTempDir({ prefix: "reel-s3-test-" });
      try {
        await fn(tmp);
      } finally {
        await Deno.remove(tmp, { recursive: true }).catch(() => {});
      }
    },
  });

s3Test("a 20 MiB file goes up as multipart, streamed", async (tmp) => {
  const blobs = await S3BlobStore.open(await options());
  try {
    const path = join(tmp, "big.mp4");
    const file = await Deno.open(path, { write: true, create: true });
    for (let i = 0; i < 20; i++) await file.write(randomBytes(1024 * 1024));
    file.close();
    const want = createHash("sha256");
    for await (const chunk of createReadStream(path)) want.update(chunk);
    const wantHex = want.digest("hex");

    // Warm up with a smaller multipart upload (two parts at once) so the baseline already
    // holds the code, connections and allocator pools an upload uses: the first upload
    // of a process grows RSS by ~its parallel parts' worth once, whatever the file size.
    const warm = join(tmp, "warm.bin");
    await Deno.writeFile(warm, new Uint8Array(9 * 1024 * 1024));
    await blobs.putFile("warm/up", warm, { move: true });
    const baseline = Deno.memoryUsage().rss;
    let peak = baseline;
    const timer = setInterval(() => {
      peak = Math.max(peak, Deno.memoryUsage().rss);
    }, 10);
    try {
      await blobs.putFile("uploads/big/original.mp4", path, { move: true });
    } finally {
      clearInterval(timer);
    }
    peak = Math.max(peak, Deno.memoryUsage().rss);
    const growth = peak - baseline;
    // Buffering the file whole would add at least its 20 MiB; a loaded machine's GC lag
    // has been seen to add up to ~14 MiB of garbage not yet collected.
    assert.ok(
      growth < 19 * 1024 * 1024,
      `RSS grew by ${(growth / 1048576).toFixed(1)} MiB for a 20 MiB file`,
    );
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound);

    const head = await blobs.client.send(
      new HeadObjectCommand({
        Bucket: blobs.bucket,
        Key: "uploads/big/original.mp4",
      }),
    );
    assert.match(head.ETag ?? "", /-3"$/, "three parts of 8 MiB");
    assert.equal(
      (await blobs.stat("uploads/big/original.mp4"))?.size,
      20 << 20,
    );
    const got = await blobs.get("uploads/big/original.mp4");
    assert.ok(got);
    assert.equal(await sha256Of(got.body), wantHex);

    const part = await blobs.get("uploads/big/original.mp4", {
      start: 8 * 1024 * 1024 - 2,
      end: 8 * 1024 * 1024 + 1,
    });
    assert.equal((await bytesOf(part!.body)).length, 4, "range across parts");
  } finally {
    blobs.close();
  }
});

s3Test("putStream of more than one part uses a multipart upload", async () => {
  const blobs = await S3BlobStore.open(await options());
  try {
    const chunk = randomBytes(1024 * 1024);
    let sent = 0;
    const want = createHash("sha256");
    const body = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        if (sent === 9) return ctrl.close();
        sent++;
        want.update(chunk);
        ctrl.enqueue(chunk.slice());
      },
    });
    await blobs.putStream("uploads/s/original.mkv", body);
    const got = await blobs.get("uploads/s/original.mkv");
    assert.equal(got?.size, 9 << 20);
    assert.equal(await sha256Of(got!.body), want.digest("hex"));
  } finally {
    blobs.close();
  }
});

s3Test("deletePrefix removes multipart objects and their parts", async (
  tmp,
) => {
  const blobs = await S3BlobStore.open(await options());
  try {
    const path = join(tmp, "p.bin");
    await Deno.writeFile(path, new Uint8Array(9 * 1024 * 1024));
    await blobs.putFile("uploads/m/original.mp4", path);
    await blobs.deletePrefix("uploads/m/");
    assert.deepEqual(await blobs.list(""), []);
    assert.equal(await blobs.stat("uploads/m/original.mp4"), null);
  } finally {
    blobs.close();
  }
});

s3Test("prefixes keep two stores in one bucket apart", async () => {
  const opts = await options();
  const a = await S3BlobStore.open({ ...opts, prefix: "a/" });
  const b = await S3BlobStore.open({ ...opts, prefix: "b/" });
  try {
    await a.putStream("streams/v/x.m4s", new Blob(["A"]).stream());
    await b.putStream("streams/v/x.m4s", new Blob(["B"]).stream());
    assert.deepEqual((await a.list("")).map((o) => o.key), ["streams/v/x.m4s"]);
    await b.deletePrefix("streams/");
    assert.equal(await b.stat("streams/v/x.m4s"), null);
    const res = await a.serve(
      new Request("http://reel.test/x.m4s"),
      "streams/v/",
      "/x.m4s",
    );
    assert.equal(await res?.text(), "A");
  } finally {
    a.close();
    b.close();
  }
});

s3Test("open() creates a missing bucket", async () => {
  const opts = await options();
  const probe = new S3BlobStore(opts);
  try {
    await assert.rejects(
      probe.client.send(new HeadBucketCommand({ Bucket: opts.bucket })),
    );
  } finally {
    probe.close();
  }
  const blobs = await S3BlobStore.open(opts);
  try {
    await blobs.ping();
    await blobs.putStream("k", new Blob(["v"]).stream());
    assert.equal((await blobs.stat("k"))?.size, 1);
    // Opening again finds it.
    (await S3BlobStore.open(opts)).close();
  } finally {
    blobs.close();
  }
});

s3Test("open() without creation names S3_BUCKET", async () => {
  const opts = await options({ createBucket: false });
  await assert.rejects(S3BlobStore.open(opts), (err: Error) => {
    assert.equal(
      err.message,
      `S3_BUCKET=${opts.bucket} does not exist (creating it is turned off).`,
    );
    return true;
  });
});

s3Test("open() with wrong credentials fails with one sentence", async () => {
  const opts = await options();
  await S3BlobStore.open(opts).then((s) => s.close());
  for (
    const credentials of [
      { accessKeyId: opts.credentials!.accessKeyId, secretAccessKey: "wrong" },
      { accessKeyId: "nobody:none", secretAccessKey: "wrong" },
    ]
  ) {
    await assert.rejects(
      S3BlobStore.open({ ...opts, credentials }),
      (err: Error) => {
        assert.match(
          err.message,
          /^S3 credentials were refused \(AWS_ACCESS_KEY_ID \/ AWS_SECRET_ACCESS_KEY\): \w+\.$/,
        );
        return true;
      },
    );
  }
});

s3Test("open() of an unreachable endpoint names S3_ENDPOINT", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const endpoint = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  await assert.rejects(
    S3BlobStore.open({
      bucket: "reel-unreachable",
      endpoint,
      credentials: { accessKeyId: "a", secretAccessKey: "b" },
    }),
    (err: Error) => {
      assert.ok(
        err.message.startsWith(`S3_ENDPOINT=${endpoint} cannot be reached: `),
        err.message,
      );
      assert.ok(err.message.endsWith("."), err.message);
      assert.ok(!err.message.includes("\n"), "one line");
      return true;
    },
  );
  assert.ok(Date.now() - t0 < 15_000, "fails fast");
});

Deno.test({
  name: "s3 blob store - stop the shared Swift",
  ...loose,
  async fn() {
    await stopSharedSwift();
  },
});
