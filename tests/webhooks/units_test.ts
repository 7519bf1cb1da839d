/// The pure parts of webhooks: the SSRF address rule, the retry schedule, the settings,
/// and the delivery-time re-check of a target whose name now resolves to loopback.
import assert from "node:assert/strict";
import { loadConfig } from "../../lib/app/config.ts";
import { openSqliteStores } from "../../lib/store/sqlite/mod.ts";
import {
  attemptTimes,
  checkTarget,
  deliveryJob,
  isPrivateAddress,
  retryDelayMs,
} from "../../lib/webhooks/mod.ts";
import { startReceiver } from "./_receiver.ts";

Deno.test("targets - private, loopback, link-local and unspecified addresses are refused; public ones pass", () => {
  for (
    const ip of [
      "127.0.0.1",
      "127.255.0.9",
      "10.0.0.1",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.0.1",
      "169.254.169.254",
      "0.0.0.0",
      "100.64.0.1",
      "224.0.0.1",
      "255.255.255.255",
      "::",
      "::1",
      "fc00::1",
      "fd12:3456::1",
      "fe80::1",
      "febf::1",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:10.0.0.1",
      "::ffff:7f00:1",
      "[::1]",
    ]
  ) assert.equal(isPrivateAddress(ip), true, ip);
  for (
    const ip of [
      "8.8.8.8",
      "172.15.0.1",
      "172.32.0.1",
      "192.169.0.1",
      "169.253.0.1",
      "100.128.0.1",
      "2001:4860:4860::8888",
      "fec0::1",
      "::ffff:8.8.8.8",
    ]
  ) assert.equal(isPrivateAddress(ip), false, ip);
});

Deno.test("targets - a name is refused when any of its addresses is private, or when it does not resolve", async () => {
  const policy = (addrs: string[]) => ({
    allowPrivate: false,
    resolve: () => Promise.resolve(addrs),
  });
  await assert.rejects(
    () =>
      checkTarget(
        "https://rebind.example/h",
        policy(["93.184.216.34", "127.0.0.1"]),
      ),
    /rebind.example resolves to 127.0.0.1/,
  );
  assert.equal(
    (await checkTarget("https://ok.example/h", policy(["93.184.216.34"]))).host,
    "ok.example",
  );
  await assert.rejects(
    () =>
      checkTarget("https://no-such-host.invalid/h", { allowPrivate: false }),
    /could not be resolved/,
  );
  await assert.rejects(
    () => checkTarget("http://localhost/h", { allowPrivate: false }),
    /localhost resolves to (127\.0\.0\.1|::1)/,
  );
});

Deno.test("schedule - exponential from 30 s, cut at 24 h: 13 attempts", () => {
  assert.deepEqual(
    attemptTimes().map((ms) => ms / 1000),
    [0, 30, 90, 210, 450, 930, 1890, 3810, 7650, 15330, 30690, 61410, 86400],
  );
  assert.equal(retryDelayMs(1, 0, 0), 30_000);
  assert.equal(retryDelayMs(4, 0, 1000), 240_000);
  assert.equal(retryDelayMs(12, 0, 61_410_000), 24_990_000, "cut at 24 h");
  assert.equal(retryDelayMs(13, 0, 86_400_000), null, "then given up");
});

Deno.test("config - webhook settings: defaults, and a bad value fails start-up naming the variable", () => {
  const c = loadConfig({});
  assert.equal(c.webhookConcurrency, 4);
  assert.equal(c.webhookAllowPrivate, false);
  assert.equal(c.webhookRetryBaseSec, 30);
  assert.throws(
    () => loadConfig({ WEBHOOK_ALLOW_PRIVATE: "maybe" }),
    /^Error: WEBHOOK_ALLOW_PRIVATE=maybe is not valid: expected true or false\.$/,
  );
  assert.throws(
    () => loadConfig({ WEBHOOK_CONCURRENCY: "-1" }),
    /WEBHOOK_CONCURRENCY=-1 is not valid/,
  );
  assert.throws(
    () => loadConfig({ WEBHOOK_RETRY_BASE_SEC: "0" }),
    /WEBHOOK_RETRY_BASE_SEC=0 is not valid/,
  );
});

Deno.test("delivery - a target whose name resolves to loopback at delivery time is not contacted, and the log says why", async () => {
  await using rx = await startReceiver();
  const dir = await Deno.makeTempDir();
  const stores = openSqliteStores(dir);
  try {
    // The hook was accepted while the name was public; now it resolves to the receiver.
    await stores.webhooks.create({
      id: "h",
      url: `http://rebind.example:${rx.port}/ok`,
      events: ["video.ready"],
      secret: "whsec_MDEyMzQ1Njc4OWFiY2RlZg==",
    });
    const handler = deliveryJob({
      webhooks: stores.webhooks,
      policy: {
        allowPrivate: false,
        resolve: () => Promise.resolve(["127.0.0.1"]),
      },
    });
    const job = {
      id: "j",
      kind: "webhook" as const,
      videoId: null,
      payload: {
        webhookId: "h",
        messageId: "m",
        type: "video.ready",
        body: "{}",
        queuedAt: Date.now(),
      },
      attempts: 1,
      holder: "x",
      lastError: null,
    };
    await assert.rejects(
      () =>
        handler.run(job, {
          signal: new AbortController().signal,
          setPids: async () => {},
        }),
      /resolves to 127.0.0.1/,
    );
    assert.equal(rx.got.length, 0, "never contacted");
    const [entry] = await stores.webhooks.deliveries("h", 10);
    assert.equal(entry.statusCode, null);
    assert.match(entry.error!, /resolves to 127.0.0.1/);
  } finally {
    await stores.close();
    await Deno.remove(dir, { recursive: true });
  }
});
