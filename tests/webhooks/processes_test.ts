/// Events fire whichever process makes the transition, on both backends: a web process
/// (uploads: video.created) and a separate worker (transcodes: playable, ready) share one
/// database; on SQLite the worker alone delivers (the web runs no deliveries), on
/// PostgreSQL the web alone delivers (the worker's transitions reach it by NOTIFY).
import assert from "node:assert/strict";
import { buildWorker, loadConfig } from "../../lib/app/mod.ts";
import { fakeTranscode, until } from "../app/_app.ts";
import { createDatabase, startPostgres } from "../store/_postgres.ts";
import { addHook, startApp, startReceiver, upload } from "./_receiver.ts";

const pg = await startPostgres();
globalThis.addEventListener("unload", () => pg.stopSync());

async function twoProcesses(
  env: Record<string, string>,
  web: Record<string, string>,
  worker: Record<string, string>,
): Promise<void> {
  await using rx = await startReceiver();
  const dataDir = await Deno.makeTempDir({ prefix: "reel-hooks-" });
  const app = await startApp(dataDir, {
    env: { ...env, ...web, TRANSCODE_CONCURRENCY: "0" },
  });
  const w = await buildWorker(
    loadConfig({
      DATA_DIR: dataDir,
      WEBHOOK_ALLOW_PRIVATE: "true",
      WEBHOOK_RETRY_BASE_SEC: "0.05",
      ...env,
      ...worker,
    }),
    { transcode: fakeTranscode(), retryBaseMs: 20, pollMs: 50 },
  );
  try {
    await addHook(app, rx, "/ok");
    const videos = [await upload(app), await upload(app)];
    await until(
      () => rx.got.filter((r) => r.body.type === "video.ready").length === 2,
      15_000,
    );
    for (const v of videos) {
      assert.deepEqual(
        rx.got.filter((r) => r.body.data.id === v.id).map((r) => r.body.type),
        ["video.created", "video.playable", "video.ready"],
      );
    }
    assert.ok(rx.got.every((r) => r.libraryVerified && r.hmacVerified));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(rx.got.length, 6, "each event once");
  } finally {
    await w.close();
    await app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

Deno.test("webhooks across processes - SQLite: the worker delivers the web's and its own transitions", async () => {
  await twoProcesses({}, { WEBHOOK_CONCURRENCY: "0" }, {});
});

Deno.test("webhooks across processes - PostgreSQL: the web delivers the worker's transitions", async () => {
  const db = await createDatabase(pg);
  try {
    await twoProcesses(
      {
        DATABASE_URL: db.url,
        SIGNING_SECRET: "webhooks-test-signing-secret-0123456789",
      },
      {},
      { WEBHOOK_CONCURRENCY: "0" },
    );
  } finally {
    await db.drop();
  }
});

Deno.test("webhooks across processes - the test server stops", async () => {
  await pg.stop();
});
