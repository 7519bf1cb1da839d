/// Two workers in one process (transcodes and webhook deliveries): starting one never takes
/// the other's running job for an orphan (same pid, different holder).
import assert from "node:assert/strict";
import { Worker } from "../../lib/jobs/worker.ts";
import { openSqliteStores } from "../../lib/store/sqlite/mod.ts";

Deno.test("worker - a second worker in the same process leaves the first one's running job alone", async () => {
  const dir = await Deno.makeTempDir();
  const stores = openSqliteStores(dir);
  let release!: () => void;
  const held = new Promise<void>((r) => release = r);
  let runs = 0;
  const transcodes = new Worker({
    jobs: stores.jobs,
    concurrency: 1,
    leaseMs: 30_000,
    maxAttempts: 3,
    pollMs: 20,
    handlers: {
      transcode: {
        run: async () => {
          runs++;
          await held;
        },
      },
    },
  });
  const deliveries = new Worker({
    jobs: stores.jobs,
    concurrency: 1,
    leaseMs: 30_000,
    maxAttempts: 3,
    pollMs: 20,
    handlers: { webhook: { run: () => Promise.resolve() } },
  });
  try {
    await stores.jobs.enqueue({ kind: "transcode" });
    await transcodes.start();
    for (let i = 0; i < 100 && runs === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(runs, 1);
    await deliveries.start();
    assert.equal(await deliveries.recover(), 0, "nothing orphaned");
    const [job] = await stores.jobs.running();
    assert.equal(job.holder, transcodes.holder, "still held by the first");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(runs, 1, "not started twice");
  } finally {
    release();
    await deliveries.stop();
    await transcodes.stop();
    await stores.close();
    await Deno.remove(dir, { recursive: true });
  }
});
