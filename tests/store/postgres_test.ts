/**
 * The store contract against PostgreSQL (one throwaway server for this file, a fresh
 * database per case), plus what only this backend does: LISTEN/NOTIFY push, migrations
 * under an advisory lock, and the one-sentence errors of an unreachable or refusing
 * `DATABASE_URL`.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { openStores } from "../../lib/app/backends.ts";
import { loadConfig } from "../../lib/app/config.ts";
import { openPostgresStores } from "../../lib/store/postgres/mod.ts";
import { MIGRATIONS } from "../../lib/store/postgres/db.ts";
import type { Stores } from "../../lib/store/ports.ts";
import { ChangeFeed, type VideoChange } from "../../lib/videos/feed.ts";
import { storeContract } from "./contract.ts";
import { createDatabase, type PgDatabase, startPostgres } from "./_postgres.ts";

const server = await startPostgres();
console.log(`postgres started in ${server.startMs} ms on port ${server.port}`);
// A filtered run skips the last case; the server must not outlive the test process.
globalThis.addEventListener("unload", () => server.stopSync());

storeContract("postgres", async () => {
  const db = await createDatabase(server);
  const stores = await openPostgresStores(db.url);
  return {
    stores,
    reopen: () => openPostgresStores(db.url),
    async close() {
      await stores.close();
      await db.drop();
    },
  };
});

/** A fresh database, its stores, and cleanup. */
async function fresh(): Promise<
  { db: PgDatabase; stores: Stores } & AsyncDisposable
> {
  const db = await createDatabase(server);
  const stores = await openPostgresStores(db.url);
  return {
    db,
    stores,
    async [Symbol.asyncDispose]() {
      await stores.close();
      await db.drop();
    },
  };
}

function video(id: string) {
  return {
    id,
    title: id,
    sourceName: `${id}.mp4`,
    sizeBytes: 1,
    durationSec: 1,
    width: 2,
    height: 2,
    media: null,
  };
}

/** Resolves when `fn` returns true (checked every 10 ms), rejects after `ms`. */
async function until(what: string, fn: () => boolean, ms = 1000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("postgres - changes.listen hears a write made on another connection within 1 s", async () => {
  await using f = await fresh();
  const other = await openPostgresStores(f.db.url);
  try {
    let heard = 0;
    assert.ok(f.stores.changes.listen, "the PostgreSQL change log pushes");
    const unlisten = await f.stores.changes.listen(() => heard++);
    const t0 = Date.now();
    await other.videos.create(video("a"));
    await until("notification", () => heard > 0);
    const latency = Date.now() - t0;
    assert.ok(latency < 1000, `${latency} ms`);
    await unlisten();
    const before = heard;
    await other.videos.update("a", { progress: 0.5 });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(heard, before, "nothing after unlisten");
  } finally {
    await other.close();
  }
});

Deno.test("postgres - jobs.listen fires on enqueue and on release by another process", async () => {
  await using f = await fresh();
  const other = await openPostgresStores(f.db.url);
  try {
    let heard = 0;
    assert.ok(f.stores.jobs.listen, "the PostgreSQL queue pushes");
    const unlisten = await f.stores.jobs.listen(() => heard++);
    const id = await other.jobs.enqueue({ kind: "transcode", runAt: 0 });
    await until("enqueue notification", () => heard === 1);
    await other.jobs.claim("h", 60_000, ["transcode"], 10);
    await other.jobs.release(id, "h", 20);
    await until("release notification", () => heard === 2);
    await other.jobs.release(id, "not-the-holder", 30);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(heard, 2, "a release that changed nothing notifies nobody");
    await unlisten();
  } finally {
    await other.close();
  }
});

Deno.test("postgres - the listener comes back after its connection is killed", async () => {
  await using f = await fresh();
  let heard = 0;
  const unlisten = await f.stores.changes.listen!(() => heard++);
  const admin = postgres(f.db.url, { max: 1, onnotice: () => {} });
  try {
    const killed = await admin`
      SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'reel-listen'`;
    assert.equal(killed.length, 1, "one listening connection");
    // On reconnecting it calls every subscriber once (notifications may have been lost).
    await until("catch-up call after reconnecting", () => heard >= 1, 3000);
    const after = heard;
    await f.stores.videos.create(video("a"));
    await until("notification after reconnecting", () => heard > after);
  } finally {
    await admin.end();
    await unlisten();
  }
});

Deno.test("postgres - the change feed pushes other processes' writes at once", async () => {
  await using f = await fresh();
  const other = await openPostgresStores(f.db.url);
  // The safety-net poll runs every 20 × 250 ms = 5 s, so anything faster is the push.
  const feed = new ChangeFeed(f.stores.changes);
  const seen: VideoChange[] = [];
  const unsubscribe = feed.subscribe((c) => seen.push(c));
  try {
    await new Promise((r) => setTimeout(r, 200)); // starting revision read, LISTEN issued
    const t0 = Date.now();
    await other.videos.create(video("a"));
    await other.videos.update("a", { status: "processing" });
    await other.videos.delete("a");
    await until(
      "the deletion",
      () => seen.some((c) => c.type === "deleted" && c.id === "a"),
      1500,
    );
    assert.ok(Date.now() - t0 < 1500);
  } finally {
    unsubscribe();
    await other.close();
  }
});

Deno.test("postgres - two processes migrating one empty database at once both succeed", async () => {
  const db = await createDatabase(server);
  try {
    const [a, b] = await Promise.all([
      openPostgresStores(db.url),
      openPostgresStores(db.url),
    ]);
    const c = await openPostgresStores(db.url); // and again, on a migrated database
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ version: number }[]>`
        SELECT version FROM schema_migrations ORDER BY version`;
      assert.deepEqual(
        rows.map((r) => r.version),
        MIGRATIONS.map((_, i) => i + 1),
        "each version applied exactly once",
      );
      const [rev] =
        await sql`SELECT count(*)::int AS n FROM counters WHERE name = 'rev'`;
      assert.equal(rev.n, 1, "the rev row seeded once");
    } finally {
      await sql.end();
    }
    await a.videos.create(video("x"));
    assert.equal((await b.videos.get("x"))?.id, "x");
    assert.equal((await c.videos.get("x"))?.id, "x");
    for (const s of [a, b, c]) await s.close();
  } finally {
    await db.drop();
  }
});

Deno.test("postgres - concurrent writers on three pools: no deadlock, and a reader following changesSince ends with the true state", async () => {
  await using f = await fresh();
  const writers = [
    f.stores,
    await openPostgresStores(f.db.url),
    await openPostgresStores(f.db.url),
  ];
  try {
    const ids = Array.from({ length: 20 }, (_, i) => `v${i}`);
    for (const id of ids) await f.stores.videos.create(video(id));
    // The reader's picture of the world, built only from changesSince.
    const seen = new Map<string, number>(); // id -> progress
    let rev = 0;
    let writing = true;
    const reader = (async () => {
      while (true) {
        const last = !writing;
        const c = await f.stores.changes.changesSince(rev);
        for (const v of c.videos) seen.set(v.id, v.progress);
        for (const id of c.deleted) seen.delete(id);
        assert.ok(c.rev >= rev, "revisions only grow");
        rev = c.rev;
        if (last) return;
      }
    })();
    await Promise.all(writers.map(async (w, n) => {
      for (let i = 0; i < 40; i++) {
        const id = ids[(i * 3 + n) % ids.length];
        if (i % 13 === 12) {
          // Ids are never reused after a delete (the app's are random): a reused id would
          // be reported both changed and deleted, with no order between the two lists.
          await w.videos.delete(id);
          await w.videos.create(video(`new-${n}-${i}`));
        } else {
          await w.videos.update(id, { progress: (n * 100 + i) / 1000 });
        }
      }
    }));
    writing = false;
    await reader;
    const truth = new Map(
      (await f.stores.videos.list(100)).map((v) => [v.id, v.progress]),
    );
    assert.deepEqual(seen, truth);
  } finally {
    for (const w of writers.slice(1)) await w.close();
  }
});

Deno.test("postgres - update with an empty patch still stamps a new revision", async () => {
  await using f = await fresh();
  const created = await f.stores.videos.create(video("a"));
  const touched = await f.stores.videos.update("a", {});
  assert.ok(touched && touched.rev > created.rev);
  assert.equal(touched.title, "a");
});

Deno.test("postgres - media keeps any JSON (even \\u0000); an error's NUL is replaced", async () => {
  await using f = await fresh();
  const media = { tags: { title: "a\u0000b" }, big: 2 ** 53 - 1, ratio: 0.1 };
  await f.stores.videos.create({ ...video("a"), media });
  assert.deepEqual((await f.stores.videos.get("a"))?.media, media);
  const updated = await f.stores.videos.update("a", { error: "bad\u0000byte" });
  assert.equal(updated?.error, "bad\uFFFDbyte");
});

Deno.test("postgres - an unreachable DATABASE_URL fails at open with one sentence", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close(); // nothing listens there now
  const url = `postgres://reel:hunter2@127.0.0.1:${port}/reel`;
  await assert.rejects(
    () => openPostgresStores(url),
    (err: Error) => {
      assert.equal(
        err.message,
        `DATABASE_URL cannot be reached (postgres://reel@127.0.0.1:${port}/reel): connection refused.`,
      );
      return true;
    },
  );
});

Deno.test("postgres - a wrong password fails at open with one sentence, password not shown", async () => {
  const url = server.urlOf("reel", "reel", "not-the-password");
  await assert.rejects(
    () => openPostgresStores(url),
    (err: Error) => {
      assert.equal(
        err.message,
        'DATABASE_URL was refused: password authentication failed for user "reel".',
      );
      assert.ok(!err.message.includes("not-the-password"));
      return true;
    },
  );
});

Deno.test("postgres - a missing database is refused in one sentence", async () => {
  await assert.rejects(
    () => openPostgresStores(server.urlOf("no_such_db")),
    (err: Error) => {
      assert.equal(
        err.message,
        'DATABASE_URL was refused: database "no_such_db" does not exist.',
      );
      return true;
    },
  );
});

Deno.test("postgres - openStores picks PostgreSQL when DATABASE_URL is set, else SQLite", async () => {
  const db = await createDatabase(server);
  const dataDir = await Deno.makeTempDir({ prefix: "reel-backends-" });
  try {
    const config = loadConfig({ DATABASE_URL: db.url, DATA_DIR: dataDir });
    assert.equal(config.databaseUrl, db.url);
    const pg = await openStores(config);
    assert.ok(pg.changes.listen && pg.jobs.listen, "PostgreSQL pushes");
    await pg.videos.create(video("a"));
    await pg.close();
    const sqlite = await openStores(loadConfig({ DATA_DIR: dataDir }));
    assert.equal(sqlite.changes.listen, undefined, "SQLite polls");
    assert.equal(await sqlite.videos.get("a"), null, "a different database");
    await sqlite.close();
  } finally {
    await db.drop();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("postgres - a DATABASE_URL that is not postgres:// is refused without its password", () => {
  assert.throws(
    () => loadConfig({ DATABASE_URL: "mysql://app:hunter2@db/reel" }),
    (err: Error) => {
      assert.equal(
        err.message,
        "DATABASE_URL=mysql://app@db/reel must start with postgres:// (or be unset for the embedded SQLite database).",
      );
      return true;
    },
  );
  assert.equal(
    loadConfig({ DATABASE_URL: "postgresql://h/db" }).databaseUrl,
    "postgresql://h/db",
  );
  assert.equal(loadConfig({ DATABASE_URL: " " }).databaseUrl, null);
});

Deno.test("postgres - a web node on PostgreSQL needs SIGNING_SECRET; short secrets are refused", async () => {
  const { signingSecret } = await import("../../lib/app/secret.ts");
  await assert.rejects(
    () => signingSecret(loadConfig({ DATABASE_URL: "postgres://h/db" })),
    /^Error: SIGNING_SECRET must be set when DATABASE_URL is set/,
  );
  assert.throws(
    () => loadConfig({ SIGNING_SECRET: "short" }),
    /SIGNING_SECRET is too short \(5 characters\): use at least 32/,
  );
  const secret = "x".repeat(32);
  assert.equal(
    await signingSecret(
      loadConfig({ DATABASE_URL: "postgres://h/db", SIGNING_SECRET: secret }),
    ),
    secret,
  );
});

// Registered last, so it runs last: the server outlives every case above.
Deno.test("postgres - lock: a name held by one process waits for its release; a dead holder frees it", async () => {
  await using f = await fresh();
  const other = await openPostgresStores(f.db.url);
  let otherOpen = true;
  try {
    assert.ok(f.stores.lock && other.lock, "PostgreSQL shares locks");
    const release = await f.stores.lock("tus:a", AbortSignal.timeout(1000));
    await assert.rejects(
      other.lock("tus:a", AbortSignal.timeout(300)),
      "held elsewhere: waits until the signal aborts",
    );
    const unrelated = await other.lock("tus:b", AbortSignal.timeout(1000));
    await unrelated();
    const waiting = other.lock("tus:a", AbortSignal.timeout(5000));
    await new Promise((r) => setTimeout(r, 200));
    await release();
    await release(); // twice is harmless
    await waiting; // taken over once released; now held by `other`
    await assert.rejects(f.stores.lock("tus:a", AbortSignal.timeout(300)));
    await other.close(); // the holder goes away: its session's locks go with it
    otherOpen = false;
    const again = await f.stores.lock("tus:a", AbortSignal.timeout(2000));
    await again();
  } finally {
    if (otherOpen) await other.close();
  }
});

Deno.test("postgres - the test server stops", async () => {
  await server.stop();
});
