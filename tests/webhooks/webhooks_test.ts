/// Webhooks end to end: the app in-process (real SQLite, real ffprobe, fake transcoder)
/// delivering to a real receiver on a real port that verifies every signature with the
/// standardwebhooks library and with its own HMAC.
import assert from "node:assert/strict";
import { fakeTranscode, until } from "../app/_app.ts";
import {
  addHook,
  type App,
  freePort,
  type Received,
  startApp,
  startReceiver,
  upload,
} from "./_receiver.ts";

async function withApp(
  fn: (app: App, dataDir: string) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "reel-hooks-" });
  const app = await startApp(dataDir, { env, transcode: fakeTranscode() });
  try {
    await fn(app, dataDir);
  } finally {
    await app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

const post = (body: unknown) => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

const types = (got: Received[], path: string, videoId?: string) =>
  got.filter((r) =>
    r.path === path && r.status === 200 &&
    (!videoId || r.body.data.id === videoId)
  ).map((r) => r.body.type);

async function deliveries(app: App, hookId: string) {
  const res = await app.fetch(`/api/webhooks/${hookId}/deliveries`);
  assert.equal(res.status, 200);
  return (await res.json()).deliveries as {
    at: string;
    event: string;
    messageId: string;
    attempt: number;
    statusCode: number | null;
    durationMs: number;
    error: string | null;
    ok: boolean;
  }[];
}

Deno.test("webhooks - every transition is delivered once, in order, signed (library and HMAC agree), and logged", async () => {
  await using rx = await startReceiver();
  await withApp(async (app) => {
    const hook = await addHook(app, rx, "/ok");
    assert.match(hook.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    const video = await upload(app);
    await until(() => types(rx.got, "/ok").includes("video.ready"));
    assert.equal(
      (await app.fetch(`/api/videos/${video.id}`, { method: "DELETE" })).status,
      204,
    );
    await until(() => types(rx.got, "/ok").includes("video.deleted"));
    assert.deepEqual(types(rx.got, "/ok"), [
      "video.created",
      "video.playable",
      "video.ready",
      "video.deleted",
    ]);
    for (const r of rx.got) {
      assert.ok(r.libraryVerified, `standardwebhooks verifies ${r.body.type}`);
      assert.ok(r.hmacVerified, `own HMAC verifies ${r.body.type}`);
      assert.equal(r.body.data.id, video.id);
      assert.ok(Math.abs(Number(r.timestamp) * 1000 - Date.now()) < 60_000);
      assert.ok(!Number.isNaN(Date.parse(r.body.timestamp)));
    }
    const [created, playable, ready] = rx.got.map((r) => r.body.data);
    assert.equal(created.status, "queued");
    assert.equal(playable.playable, true);
    assert.equal(ready.status, "ready");
    assert.equal(ready.hlsUrl, `/stream/${video.id}/master.m3u8`);
    assert.equal(new Set(rx.got.map((r) => r.id)).size, 4, "one id per event");

    // The attempt is logged once the receiver's answer is in.
    const log = await until(async () => {
      const l = await deliveries(app, hook.id);
      return l.length === 4 && l;
    });
    assert.deepEqual(log.map((d) => d.event), [
      "video.deleted",
      "video.ready",
      "video.playable",
      "video.created",
    ]);
    for (const d of log) {
      assert.equal(d.statusCode, 200);
      assert.equal(d.attempt, 1);
      assert.equal(d.ok, true);
      assert.equal(d.error, null);
      assert.ok(d.durationMs >= 0 && d.durationMs < 10_000);
      assert.ok(rx.got.some((r) => r.id === d.messageId));
    }
  });
});

Deno.test("webhooks - only subscribed events are sent; the test event goes through the queue", async () => {
  await using rx = await startReceiver();
  await withApp(async (app) => {
    const hook = await addHook(app, rx, "/ok", ["video.ready"]);
    await upload(app);
    await until(() => types(rx.got, "/ok").includes("video.ready"));
    const res = await app.fetch(`/api/webhooks/${hook.id}/test`, {
      method: "POST",
    });
    assert.equal(res.status, 202);
    const { messageId } = await res.json();
    await until(() => rx.got.some((r) => r.id === messageId));
    assert.deepEqual(types(rx.got, "/ok"), ["video.ready", "webhook.test"]);
    const test = rx.got.find((r) => r.id === messageId)!;
    assert.ok(test.libraryVerified && test.hmacVerified);
    assert.equal(test.body.data.webhookId, hook.id);
    await until(async () =>
      (await deliveries(app, hook.id))[0]?.event === "webhook.test"
    );
  });
});

Deno.test("webhooks - a receiver answering 500 twice gets the same message again (backoff) until it takes it", async () => {
  await using rx = await startReceiver();
  await withApp(async (app) => {
    const hook = await addHook(app, rx, "/fail2", ["video.created"]);
    await upload(app);
    await until(() => rx.got.some((r) => r.status === 200));
    assert.deepEqual(rx.got.map((r) => r.status), [500, 500, 200]);
    assert.equal(new Set(rx.got.map((r) => r.id)).size, 1, "same webhook-id");
    assert.ok(rx.got.every((r) => r.libraryVerified));
    const waits = [rx.got[1].at - rx.got[0].at, rx.got[2].at - rx.got[1].at];
    assert.ok(waits[0] >= 45 && waits[1] >= 95, `backoff 50, 100 ms: ${waits}`);
    const log = await until(async () => {
      const l = await deliveries(app, hook.id);
      return l.length === 3 && l;
    });
    assert.deepEqual(
      log.map((d) => [d.attempt, d.statusCode, d.ok]),
      [[3, 200, true], [2, 500, false], [1, 500, false]],
    );
    assert.equal(log[1].error, "The receiver answered 500.");
  });
});

Deno.test("webhooks - a receiver that is down while the app restarts gets the event after", async () => {
  const port = freePort();
  const dataDir = await Deno.makeTempDir({ prefix: "reel-hooks-" });
  const env = { WEBHOOK_RETRY_BASE_SEC: "0.3" };
  try {
    let app = await startApp(dataDir, { env, transcode: fakeTranscode() });
    const res = await app.fetch(
      "/api/webhooks",
      post({ url: `http://127.0.0.1:${port}/ok`, events: ["video.created"] }),
    );
    const hook = await res.json();
    const video = await upload(app);
    await until(async () => (await deliveries(app, hook.id)).length >= 2);
    const failed = await deliveries(app, hook.id);
    assert.match(failed[0].error!, /could not be reached/);
    assert.equal(failed[0].statusCode, null);
    await app.close();

    await using rx = await startReceiver(port);
    rx.secrets.set("/ok", hook.secret);
    app = await startApp(dataDir, { env, transcode: fakeTranscode() });
    try {
      await until(() => rx.got.length > 0);
      assert.equal(rx.got[0].body.type, "video.created");
      assert.equal(rx.got[0].body.data.id, video.id);
      assert.ok(rx.got[0].libraryVerified);
      const log = await until(async () => {
        const l = await deliveries(app, hook.id);
        return l[0]?.ok && l;
      });
      assert.ok(log[0].attempt >= 3, `attempt ${log[0].attempt}`);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(rx.got.length, 1, "delivered once");
    } finally {
      await app.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("webhooks - a slow receiver times out after 10 s without holding up another hook or the transcode", async () => {
  await using rx = await startReceiver();
  await withApp(async (app) => {
    const slow = await addHook(app, rx, "/slow", ["video.created"]);
    await addHook(app, rx, "/ok", ["video.created", "video.ready"]);
    const t0 = Date.now();
    const video = await upload(app);
    await until(() => types(rx.got, "/ok").includes("video.ready"));
    const fast = Date.now() - t0;
    assert.ok(fast < 5000, `other hook got its events after ${fast} ms`);
    const status = (await (await app.fetch(`/api/videos/${video.id}`)).json())
      .status;
    assert.equal(status, "ready", "transcode not held up");
    const log = await until(async () => {
      const l = await deliveries(app, slow.id);
      return l.length > 0 && l;
    }, 20_000);
    assert.equal(log[0].error, "The receiver did not answer within 10 s.");
    assert.ok(
      log[0].durationMs >= 9900 && log[0].durationMs < 11_500,
      `${log[0].durationMs} ms`,
    );
    // Stop retrying before the app closes.
    await app.fetch(`/api/webhooks/${slow.id}`, { method: "DELETE" });
  });
});

Deno.test("webhooks - a later event of a video never arrives before an earlier one, even when the earlier is retried", async () => {
  await using rx = await startReceiver();
  await withApp(async (app) => {
    await addHook(app, rx, "/failfirst");
    const videos = await Promise.all([upload(app), upload(app), upload(app)]);
    await until(() =>
      videos.every((v) =>
        types(rx.got, "/failfirst", v.id).includes("video.ready")
      )
    );
    for (const v of videos) {
      // Every first try is refused; what was accepted is in lifecycle order.
      assert.deepEqual(types(rx.got, "/failfirst", v.id), [
        "video.created",
        "video.playable",
        "video.ready",
      ]);
      const all = rx.got.filter((r) => r.body.data.id === v.id).map((r) =>
        r.body.type
      );
      assert.deepEqual(all, [
        "video.created",
        "video.created",
        "video.playable",
        "video.playable",
        "video.ready",
        "video.ready",
      ], "each retried before the next was sent");
    }
  });
});

Deno.test("webhooks - redirects are not followed", async () => {
  await using rx = await startReceiver();
  await withApp(async (app) => {
    const hook = await addHook(app, rx, "/redirect", ["video.created"]);
    await upload(app);
    const log = await until(async () => {
      const l = await deliveries(app, hook.id);
      return l.length > 0 && l;
    });
    assert.equal(log.at(-1)!.statusCode, 302);
    assert.match(log.at(-1)!.error!, /redirects are not followed/);
    assert.ok(rx.got.every((r) => r.path === "/redirect"), "/ok never hit");
    await app.fetch(`/api/webhooks/${hook.id}`, { method: "DELETE" });
  });
});

Deno.test("webhooks - bad input is a 400 naming the allowed values, and nothing is stored", async () => {
  await withApp(async (app) => {
    const cases: [unknown, RegExp][] = [
      [{ events: ["video.ready"] }, /needs a "url"/],
      [{ url: "not a url", events: ["video.ready"] }, /is not a URL/],
      [
        { url: "ftp://example.com/x", events: ["video.ready"] },
        /scheme ftp: is not allowed; allowed: http, https/,
      ],
      [
        { url: "javascript:alert(1)", events: ["video.ready"] },
        /allowed: http, https/,
      ],
      [
        { url: "http://u:p@example.com/", events: ["video.ready"] },
        /user name or password/,
      ],
      [
        { url: "https://example.com/h", events: [] },
        /non-empty array.*allowed: video.created, video.playable, video.ready, video.failed, video.deleted/,
      ],
      [{ url: "https://example.com/h" }, /non-empty array/],
      [
        { url: "https://example.com/h", events: "video.ready" },
        /non-empty array/,
      ],
      [{
        url: "https://example.com/h",
        events: ["video.ready", "video.exploded"],
      }, /"video.exploded" is not an event type; allowed: video.created/],
    ];
    for (const [body, message] of cases) {
      const res = await app.fetch("/api/webhooks", post(body));
      assert.equal(res.status, 400, JSON.stringify(body));
      const { error } = await res.json();
      assert.equal(error.code, "bad_request");
      assert.match(error.message, message);
    }
    const bad = await app.fetch("/api/webhooks", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(await (await app.fetch("/api/webhooks")).json(), {
      webhooks: [],
    });
    assert.equal((await app.fetch("/api/webhooks/nope")).status, 404);
    const missing = "00000000-0000-4000-8000-000000000000";
    assert.equal((await app.fetch(`/api/webhooks/${missing}`)).status, 404);
    assert.equal(
      (await app.fetch(`/api/webhooks/${missing}`, { method: "DELETE" }))
        .status,
      404,
    );
    assert.equal(
      (await app.fetch(`/api/webhooks/${missing}/test`, { method: "POST" }))
        .status,
      404,
    );
  });
});

Deno.test("webhooks - a target on loopback, private or link-local addresses, or a name resolving to one, is refused", async () => {
  await withApp(async (app) => {
    for (
      const url of [
        "http://127.0.0.1:9/x",
        "http://10.1.2.3/x",
        "http://169.254.169.254/latest/meta-data",
        "http://192.168.1.10/x",
        "http://172.16.0.1/x",
        "http://0.0.0.0/x",
        "http://[::1]/x",
        "http://[fe80::1]/x",
        "http://[fd00::1]/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://localhost:8000/x",
        "http://2130706433/x", // 127.0.0.1 as one number
        "http://0x7f.1/x",
      ]
    ) {
      const res = await app.fetch(
        "/api/webhooks",
        post({ url, events: ["video.ready"] }),
      );
      assert.equal(res.status, 400, url);
      const { error } = await res.json();
      assert.match(error.message, /WEBHOOK_ALLOW_PRIVATE=true/, url);
    }
    assert.deepEqual(
      (await (await app.fetch("/api/webhooks")).json()).webhooks,
      [],
    );
  }, { WEBHOOK_ALLOW_PRIVATE: "false" });
});

Deno.test("webhooks - with WEBHOOK_ALLOW_PRIVATE=true a loopback target is accepted; lists never show the secret", async () => {
  await withApp(async (app) => {
    const res = await app.fetch(
      "/api/webhooks",
      post({
        url: "http://127.0.0.1:9/x",
        events: ["video.ready", "video.ready"],
      }),
    );
    assert.equal(res.status, 201);
    const hook = await res.json();
    assert.equal(res.headers.get("location"), `/api/webhooks/${hook.id}`);
    assert.deepEqual(Object.keys(hook).sort(), [
      "createdAt",
      "events",
      "id",
      "secret",
      "url",
    ]);
    assert.deepEqual(hook.events, ["video.ready"]);
    const list = await (await app.fetch("/api/webhooks")).json();
    assert.equal(list.webhooks.length, 1);
    assert.equal(list.webhooks[0].secret, undefined);
    const one = await (await app.fetch(`/api/webhooks/${hook.id}`)).json();
    assert.equal(one.secret, undefined);
    assert.equal(one.url, "http://127.0.0.1:9/x");
    // Port 9 refuses: the test event waits to be retried until the hook goes.
    await app.fetch(`/api/webhooks/${hook.id}/test`, { method: "POST" });
    await until(async () => (await deliveries(app, hook.id)).length > 0);
    const queue = app.web.parts.stores.jobs;
    assert.equal((await queue.depth("webhook")).queued, 1);
    assert.equal(
      (await app.fetch(`/api/webhooks/${hook.id}`, { method: "DELETE" }))
        .status,
      204,
    );
    assert.equal((await app.fetch(`/api/webhooks/${hook.id}`)).status, 404);
    assert.deepEqual(await queue.depth("webhook"), {
      queued: 0,
      processing: 0,
    });
  });
});

Deno.test("webhooks - with API_TOKEN set, reading and changing webhooks need the token", async () => {
  await withApp(async (app) => {
    const auth = { authorization: "Bearer s3cret" };
    assert.equal((await app.fetch("/api/webhooks")).status, 401);
    const body = { url: "http://127.0.0.1:9/x", events: ["video.ready"] };
    assert.equal((await app.fetch("/api/webhooks", post(body))).status, 401);
    const res = await app.fetch("/api/webhooks", {
      ...post(body),
      headers: { ...auth, "content-type": "application/json" },
    });
    assert.equal(res.status, 201);
    const hook = await res.json();
    assert.equal(
      (await app.fetch(`/api/webhooks/${hook.id}/deliveries`)).status,
      401,
    );
    assert.equal(
      (await app.fetch(`/api/webhooks/${hook.id}/deliveries`, {
        headers: auth,
      })).status,
      200,
    );
    assert.equal(
      (await app.fetch("/api/videos")).status,
      200,
      "videos stay public",
    );
  }, { API_TOKEN: "s3cret" });
});

Deno.test("webhooks - delivery latency, event to receiver, over 50 events", async () => {
  await using rx = await startReceiver();
  await withApp(async (app) => {
    await addHook(app, rx, "/ok", ["video.created"]);
    const sent = new Map<string, number>();
    for (let i = 0; i < 50; i++) {
      const t0 = Date.now();
      const v = await upload(app);
      sent.set(v.id, t0);
    }
    await until(() => types(rx.got, "/ok").length >= 50, 30_000);
    const pct = (xs: number[], q: number) =>
      xs[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)];
    // Event → receiver: from the transition's own timestamp (the outbox write).
    const ms = rx.got.map((r) => r.at - Date.parse(r.body.timestamp))
      .sort((a, b) => a - b);
    // And from the start of the upload request (includes receiving and probing).
    const fromUpload = rx.got.map((r) =>
      r.at - sent.get(r.body.data.id as string)!
    ).sort((a, b) => a - b);
    const p = (q: number) => pct(ms, q);
    console.log(
      `webhook latency over ${ms.length} events: event → receiver p50 ${
        p(0.5)
      } ms, ` +
        `p95 ${p(0.95)} ms, max ${
          ms.at(-1)
        } ms; upload request start → receiver ` +
        `p50 ${pct(fromUpload, 0.5)} ms, p95 ${pct(fromUpload, 0.95)} ms`,
    );
    assert.ok(p(0.95) < 5000, `p95 ${p(0.95)} ms`);
  });
});
