import assert from "node:assert/strict";
import { TransferRate } from "../../lib/ui/transfer_rate.ts";

Deno.test("transfer rate - bytes per second over the window, and time left", () => {
  const r = new TransferRate(5000);
  assert.equal(r.bytesPerSecond, 0);
  r.add(0, 0);
  r.add(1_000_000, 500);
  r.add(2_000_000, 1000);
  assert.equal(r.bytesPerSecond, 2_000_000);
  assert.equal(r.secondsLeft(4_000_000), 2);
});

Deno.test("transfer rate - old samples leave the window; a lower total restarts", () => {
  const r = new TransferRate(1000);
  r.add(0, 0);
  r.add(10_000_000, 1000);
  r.add(11_000_000, 2000);
  r.add(12_000_000, 3000);
  assert.equal(r.bytesPerSecond, 1_000_000);
  r.add(5_000_000, 3100);
  assert.equal(r.bytesPerSecond, 0);
  assert.ok(Number.isNaN(r.secondsLeft(10)));
});
