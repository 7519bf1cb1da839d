import { ok as assert, strictEqual } from "node:assert/strict";
import { isProcessAlive, killProcessGroup } from "../../lib/media/mod.ts";

Deno.test("process - isProcessAlive knows this process and not a made-up pid", () => {
  assert(isProcessAlive(Deno.pid));
  strictEqual(isProcessAlive(2 ** 22 + 12345), false);
  strictEqual(isProcessAlive(-1), false);
});

Deno.test("process - killProcessGroup kills a detached group leader and its children", async () => {
  // A setsid'd shell with a child: what a recovering server finds from a crashed run.
  const child = new Deno.Command("setsid", {
    args: ["-w", "sh", "-c", "sleep 30 & echo $!; wait"],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  const grandchild = Number(new TextDecoder().decode(value).trim());
  assert(isProcessAlive(child.pid) && isProcessAlive(grandchild));
  assert(killProcessGroup(child.pid));
  await child.status;
  reader.releaseLock();
  await child.stdout.cancel();
  for (let i = 0; i < 50 && isProcessAlive(grandchild); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  strictEqual(isProcessAlive(grandchild), false);
});

Deno.test("process - killProcessGroup refuses a pid that now runs something else", async () => {
  const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
  strictEqual(killProcessGroup(child.pid, { expect: "ffmpeg" }), false);
  assert(isProcessAlive(child.pid));
  child.kill("SIGKILL");
  await child.status;
});
