/**
 * The container image (Dockerfile), proven without a Docker engine: buildah builds it on a
 * local debian:bookworm-slim, then runs its CMD with a temp /data volume, uploads a clip and
 * plays it back; then the same image as a web node and as a worker (compose's command) on a
 * real PostgreSQL and a real S3 API (OpenStack Swift) on loopback. Slow (minutes on a clean machine, seconds when cached), so it runs from
 * `deno task test:container`, not from `deno task test`. Needs root (apt-get, buildah).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { ROOT } from "../_server.ts";
import { listFiles } from "../integration/_api.ts";
import { createDatabase, startPostgres } from "../store/_postgres.ts";
import { startSwift } from "../storage/_swift.ts";
import { serverPermissions } from "../../lib/cli/permissions.ts";
import { S3BlobStore } from "../../lib/storage/mod.ts";
import {
  buildImage,
  ensureBaseImage,
  ensureTools,
  type ImageConfig,
  inspectImage,
} from "./_buildah.ts";
import {
  freePort,
  imageUid,
  processUid,
  runContainer,
  startContainer,
} from "./_container.ts";

const IMAGE = "localhost/reel:ci";
// The server and buildah are child processes that outlive single awaits.
const opts = { sanitizeResources: false, sanitizeOps: false };

let built = false;

async function config(): Promise<ImageConfig> {
  // Never test a stale image from an earlier run.
  assert.ok(built, `${IMAGE} was not built (see the first test)`);
  return await inspectImage(IMAGE);
}

async function makeClip(dir: string): Promise<Uint8Array<ArrayBuffer>> {
  const path = `${dir}/clip.mp4`;
  const out = await new Deno.Command("ffmpeg", {
    args: [
      "-hide_banner",
      "-loglevel",
      "error",
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=320x180:rate=25:duration=2",
      "-f",
      "lavfi",
      "-i",
      "sine=frequency=440:sample_rate=48000:duration=2",
      "-c:v",
      "libx264",
      "-pix_fmt",
      "yuv420p",
      "-c:a",
      "aac",
      "-shortest",
      path,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return await Deno.readFile(path);
}

async function getText(url: string): Promise<{ res: Response; text: string }> {
  const res = await fetch(url);
  return { res, text: await res.text() };
}

Deno.test({
  name:
    "container - the Dockerfile builds on debian:bookworm-slim with buildah",
  ...opts,
  async fn() {
    await ensureTools();
    const t0 = performance.now();
    const base = await ensureBaseImage();
    const t1 = performance.now();
    await buildImage(ROOT, IMAGE);
    const t2 = performance.now();
    built = true;
    const { size } = await inspectImage(IMAGE);
    console.log(
      `base image ${base} in ${((t1 - t0) / 1000).toFixed(1)} s; ` +
        `${IMAGE} built in ${((t2 - t1) / 1000).toFixed(1)} s, ` +
        size,
    );
  },
});

Deno.test({
  name:
    "container - image config: non-root user, /data volume, port 8000, healthcheck, narrow permissions",
  ...opts,
  async fn() {
    const c = await config();
    assert.ok(
      !["", "root", "0"].includes(c.user.split(":")[0]),
      `User=${c.user}`,
    );
    assert.deepEqual(c.volumes, ["/data"]);
    assert.deepEqual(c.exposedPorts, ["8000/tcp"]);
    assert.ok(c.env.includes("DATA_DIR=/data"), c.env.join(" "));
    assert.equal(c.healthcheck?.[0], "CMD");
    assert.ok(c.healthcheck?.includes("lib/cli/healthcheck.ts"));
    const argv = [...c.entrypoint, ...c.cmd];
    assert.deepEqual(argv.slice(0, 2), ["deno", "run"]);
    assert.equal(argv.at(-1), "main.ts");
    // Nothing fetched at run time, and the same flags as `deno task start`.
    assert.ok(argv.includes("--cached-only"), argv.join(" "));
    assert.deepEqual(
      argv.filter((a) => a.startsWith("--allow-") || a === "-A"),
      serverPermissions("/app", { DATA_DIR: "/data" }),
    );
  },
});

Deno.test({
  name:
    "container - runs as non-root, transcodes an upload into /data and serves HLS and DASH",
  ...opts,
  async fn() {
    const c = await config();
    const tmp = await Deno.makeTempDir({ prefix: "reel-container-" });
    const dataDir = `${tmp}/data`;
    try {
      const uid = await imageUid(IMAGE);
      assert.ok(uid !== 0, "the image's user is root");
      await Deno.mkdir(dataDir);
      // Like a fresh named volume: owned by the image's user.
      await Deno.chown(dataDir, uid, uid);
      const clip = await makeClip(tmp);

      await using ctr = await startContainer(IMAGE, c, {
        dataDir,
        env: { MIN_FREE_DISK_BYTES: "0", LOG_LEVEL: "info" },
      });
      assert.equal(processUid(ctr.serverPid), uid);

      const health = await (await fetch(`${ctr.url}/healthz`)).json();
      assert.equal(health.status, "ok");
      assert.match(String(health.ffmpeg), /^\d+\.\d+/);
      const ready = await fetch(`${ctr.url}/readyz`);
      await ready.body?.cancel();
      assert.equal(ready.status, 200);

      // The image's HEALTHCHECK passes against the server and fails without one.
      const check = c.healthcheck!.slice(1);
      assert.equal(await ctr.run(check), 0);
      assert.equal(await ctr.run(check, { PORT: String(freePort()) }), 1);

      const form = new FormData();
      form.append("file", new File([clip], "clip.mp4", { type: "video/mp4" }));
      form.append("title", "Container clip");
      const created = await fetch(`${ctr.url}/api/videos`, {
        method: "POST",
        body: form,
      });
      const video = await created.json();
      assert.equal(created.status, 202, JSON.stringify(video));

      let v = video;
      const deadline = Date.now() + 120_000;
      while (!["ready", "failed"].includes(v.status) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 300));
        v = await (await fetch(`${ctr.url}/api/videos/${video.id}`)).json();
      }
      assert.equal(v.status, "ready", `${JSON.stringify(v)}\n${ctr.output()}`);

      const master = await getText(`${ctr.url}${v.hlsUrl}`);
      assert.equal(master.res.status, 200);
      assert.equal(
        master.res.headers.get("content-type"),
        "application/vnd.apple.mpegurl",
      );
      assert.ok(master.text.startsWith("#EXTM3U"), master.text);
      const base = new URL(`${ctr.url}${v.hlsUrl}`);
      const variantUri = master.text.split("\n").find((l) =>
        l.trim() && !l.startsWith("#")
      );
      assert.ok(variantUri, master.text);
      const variantUrl = new URL(variantUri.trim(), base);
      const variant = await getText(variantUrl.href);
      assert.equal(variant.res.status, 200);
      const segUri = variant.text.split("\n").find((l) =>
        l.trim() && !l.startsWith("#")
      );
      assert.ok(segUri, variant.text);
      const seg = await fetch(new URL(segUri.trim(), variantUrl));
      const bytes = new Uint8Array(await seg.arrayBuffer());
      assert.equal(seg.status, 200);
      assert.equal(seg.headers.get("content-type"), "video/iso.segment");
      assert.match(seg.headers.get("cache-control") ?? "", /immutable/);
      assert.ok(bytes.byteLength > 0);

      const mpd = await getText(`${ctr.url}${v.dashUrl}`);
      assert.equal(mpd.res.status, 200);
      assert.match(mpd.text, /<MPD[\s>]/);

      // Everything lands in the volume, written by the image's user.
      const streamDir = `${dataDir}/streams/${v.id}`;
      assert.equal((await Deno.stat(`${streamDir}/master.m3u8`)).uid, uid);
      const db = [...Deno.readDirSync(dataDir)].find((e) =>
        e.isFile && /\.db$/.test(e.name)
      );
      assert.ok(db, "no database file in /data");
      assert.equal((await Deno.stat(`${dataDir}/${db.name}`)).uid, uid);

      // `docker stop` sends SIGTERM: the server shuts down cleanly.
      assert.equal(await ctr.stop(), 0, ctr.output().slice(-2000));
      assert.match(ctr.output(), /"msg":"shutdown"/);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

/** The worker service's command in deploy/compose.yaml (what users run). */
async function composeWorkerCommand(): Promise<string[]> {
  const compose = parseYaml(
    await Deno.readTextFile(join(ROOT, "deploy/compose.yaml")),
    { merge: true },
  ) as { services: { worker: { command: string[] } } };
  return compose.services.worker.command;
}

/** The first URI line of a playlist, resolved against its URL. */
function firstUri(text: string, base: string): URL {
  const line = text.split("\n").find((l) => l.trim() && !l.startsWith("#"));
  assert.ok(line, text);
  return new URL(line.trim(), base);
}

/** One line on stderr naming `variable`, no stack trace (buildah's own lines aside). */
function assertOneSentence(stderr: string, variable: string): void {
  const lines = stderr.trim().split("\n").filter((l) =>
    // buildah's own report of the exit, and structured log lines (JSON).
    !/^(subprocess exited with status \d+|Error: (while running runtime: )?exit status \d+|error while running runtime: .*|(ERRO|WARN)\[\d+\] .*|\{"t":.*)$/
      .test(l)
  );
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0], new RegExp(`\\b${variable}\\b`), stderr);
  assert.doesNotMatch(stderr, /^\s+at /m, stderr);
}

Deno.test({
  name:
    "container - the image as a web node and as a worker on PostgreSQL + S3 (Swift), no media on either disk",
  ...opts,
  async fn() {
    const c = await config();
    const uid = await imageUid(IMAGE);
    // compose's worker: the image's CMD with the worker entry point.
    const workerCmd = await composeWorkerCommand();
    assert.deepEqual(workerCmd, [
      ...c.entrypoint,
      ...c.cmd.slice(0, -1),
      "lib/cli/worker.ts",
    ]);
    const tmp = await Deno.makeTempDir({ prefix: "reel-container-cluster-" });
    const t0 = performance.now();
    const [pgR, swiftR] = await Promise.allSettled([
      startPostgres(),
      startSwift(),
    ]);
    if (pgR.status === "rejected" || swiftR.status === "rejected") {
      if (pgR.status === "fulfilled") await pgR.value.stop();
      if (swiftR.status === "fulfilled") await swiftR.value.stop();
      throw pgR.status === "rejected"
        ? pgR.reason
        : (swiftR as PromiseRejectedResult).reason;
    }
    const pg = pgR.value;
    const swift = swiftR.value;
    const t1 = performance.now();
    console.log(
      `PostgreSQL and Swift up in ${((t1 - t0) / 1000).toFixed(1)} s`,
    );
    const db = await createDatabase(pg);
    const bucket = `reel-container-${crypto.randomUUID().slice(0, 8)}`;
    // As deploy/compose.yaml gives them (no AWS_CONFIG_FILE: the image needs none).
    const env = {
      DATABASE_URL: db.url,
      SIGNING_SECRET: "container-test-signing-secret-0123456789abcdef",
      S3_BUCKET: bucket,
      S3_ENDPOINT: swift.endpoint,
      AWS_ACCESS_KEY_ID: swift.accessKeyId,
      AWS_SECRET_ACCESS_KEY: swift.secretAccessKey,
      AWS_REGION: swift.region,
      LOG_LEVEL: "info",
      MIN_FREE_DISK_BYTES: "0",
    };
    const webDir = `${tmp}/web-data`;
    const workerDir = `${tmp}/worker-data`;
    for (const dir of [webDir, workerDir]) {
      await Deno.mkdir(dir);
      await Deno.chown(dir, uid, uid);
    }
    try {
      const clip = await makeClip(tmp);
      {
        await using web = await startContainer(IMAGE, c, {
          dataDir: webDir,
          env: { ...env, TRANSCODE_CONCURRENCY: "0" },
        });
        await using worker = await startContainer(IMAGE, c, {
          dataDir: workerDir,
          cmd: workerCmd,
          env: { ...env, TRANSCODE_CONCURRENCY: "1" },
          readyWhen: /"msg":"worker\.started"/,
        });
        assert.equal(processUid(web.serverPid), uid);
        assert.equal(processUid(worker.serverPid), uid);
        const logs = () =>
          `web:\n${web.output().slice(-3000)}\nworker:\n${
            worker.output().slice(-3000)
          }`;

        const ready = await fetch(`${web.url}/readyz`);
        const report = await ready.json();
        assert.equal(ready.status, 200, JSON.stringify(report));
        assert.equal(report.checks.database?.ok, true, JSON.stringify(report));
        assert.equal(report.checks.storage?.ok, true, JSON.stringify(report));

        const form = new FormData();
        form.append(
          "file",
          new File([clip], "clip.mp4", { type: "video/mp4" }),
        );
        form.append("title", "Container cluster clip");
        const t2 = performance.now();
        const created = await fetch(`${web.url}/api/videos`, {
          method: "POST",
          body: form,
        });
        const video = await created.json();
        assert.equal(created.status, 202, JSON.stringify(video));

        let v = video;
        const deadline = Date.now() + 180_000;
        while (
          !["ready", "failed"].includes(v.status) && Date.now() < deadline
        ) {
          await new Promise((r) => setTimeout(r, 300));
          v = await (await fetch(`${web.url}/api/videos/${video.id}`)).json();
        }
        assert.equal(v.status, "ready", `${JSON.stringify(v)}\n${logs()}`);
        console.log(
          `upload → ready through the worker container in ${
            ((performance.now() - t2) / 1000).toFixed(1)
          } s`,
        );
        // The worker container transcoded it; the web node (concurrency 0) did not.
        const started = `"msg":"job.start","videoId":"${v.id}"`;
        assert.ok(worker.output().includes(started), logs());
        assert.ok(!web.output().includes(started), logs());

        // The web container serves the playlists and a segment from the bucket.
        const hls = `${web.url}${v.hlsUrl}`;
        const master = await getText(hls);
        assert.equal(master.res.status, 200);
        assert.match(master.text, /#EXT-X-STREAM-INF/);
        const variantUrl = firstUri(master.text, hls);
        const variant = await getText(variantUrl.href);
        assert.equal(variant.res.status, 200, variant.text);
        const segUrl = firstUri(variant.text, variantUrl.href);
        const seg = await fetch(segUrl, { headers: { range: "bytes=0-99" } });
        assert.equal(seg.status, 206);
        assert.equal((await seg.arrayBuffer()).byteLength, 100);
        const s3 = await S3BlobStore.open({
          bucket,
          endpoint: swift.endpoint,
          region: swift.region,
          credentials: {
            accessKeyId: swift.accessKeyId,
            secretAccessKey: swift.secretAccessKey,
          },
          createBucket: false,
        });
        try {
          const keys = (await s3.list(`streams/${v.id}/`)).map((b) => b.key);
          assert.ok(
            keys.includes(`streams/${v.id}/master.m3u8`),
            keys.join(", "),
          );
          const segName = segUrl.pathname.split("/").at(-1)!;
          assert.ok(
            keys.some((k) => k.endsWith(`/${segName}`)),
            `${segName} not in ${keys.join(", ")}`,
          );
        } finally {
          s3.close();
        }

        // SIGTERM: both stop cleanly.
        assert.equal(await worker.stop(), 0, logs());
        assert.equal(await web.stop(), 0, logs());
      }
      // No original, playlist or segment left in either container's /data.
      for (const dir of [webDir, workerDir]) {
        const kept = (await listFiles(dir)).filter((f) =>
          /\.m4s$|\.m3u8$|\.mpd$|\.mp4$|original/.test(f)
        );
        assert.deepEqual(kept, [], `${dir}: ${kept.join(", ")}`);
      }

      // Bad settings: exit 1 with one sentence naming the variable.
      const t3 = performance.now();
      const [noDb, badKey] = await Promise.all([
        runContainer(IMAGE, c, {
          dataDir: webDir,
          env: {
            ...env,
            TRANSCODE_CONCURRENCY: "0",
            DATABASE_URL: `postgres://reel:nope@127.0.0.1:${freePort()}/reel`,
          },
        }),
        runContainer(IMAGE, c, {
          dataDir: workerDir,
          cmd: workerCmd,
          env: { ...env, AWS_SECRET_ACCESS_KEY: "not-the-secret" },
        }),
      ]);
      assert.equal(noDb.code, 1, noDb.stdout + noDb.stderr);
      assertOneSentence(noDb.stderr, "DATABASE_URL");
      assert.equal(badKey.code, 1, badKey.stdout + badKey.stderr);
      assertOneSentence(badKey.stderr, "AWS_SECRET_ACCESS_KEY");
      console.log(
        `bad settings refused in ${
          ((performance.now() - t3) / 1000).toFixed(1)
        } s: ${noDb.stderr.trim()} | ${badKey.stderr.trim()}`,
      );
    } finally {
      await db.drop().catch(() => {});
      await swift.stop();
      await pg.stop();
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  },
});
