import { assert, assertEquals } from "./_assert.ts";
import { sseResponse } from "../../lib/http/sse.ts";

async function readAll(res: Response): Promise<string> {
  return await res.text();
}

Deno.test("sseResponse - events arrive in order and close ends the stream", async () => {
  let cleanups = 0;
  const res = sseResponse((send) => {
    send.event("video", { id: "a", progress: 0.5 });
    send.event("video", { id: "a", progress: 1 });
    queueMicrotask(() => {
      send.event("deleted", { id: "a" });
      send.close();
      send.close();
      send.event("late", 1); // ignored, never throws
    });
    return () => cleanups++;
  });
  assertEquals(
    res.headers.get("content-type"),
    "text/event-stream; charset=utf-8",
  );
  assertEquals(res.headers.get("cache-control"), "no-cache");
  assertEquals(res.headers.get("x-accel-buffering"), "no");
  assertEquals(
    await readAll(res),
    'event: video\ndata: {"id":"a","progress":0.5}\n\n' +
      'event: video\ndata: {"id":"a","progress":1}\n\n' +
      'event: deleted\ndata: {"id":"a"}\n\n',
  );
  assertEquals(cleanups, 1);
});

Deno.test("sseResponse - cleanup runs once when the client cancels", async () => {
  let cleanups = 0;
  let sender:
    | { event(n: string, d: unknown): void; closed: boolean }
    | undefined;
  const res = sseResponse((send) => {
    sender = send;
    send.event("hello", 1);
    return () => cleanups++;
  });
  const reader = res.body!.getReader();
  const first = await reader.read();
  assertEquals(
    new TextDecoder().decode(first.value),
    "event: hello\ndata: 1\n\n",
  );
  await reader.cancel();
  assertEquals(cleanups, 1);
  assert(sender?.closed);
  sender?.event("after", 2); // client is gone: must not throw
  assertEquals(cleanups, 1);
});

Deno.test("sseResponse - close inside start still runs the cleanup once", async () => {
  let cleanups = 0;
  const res = sseResponse((send) => {
    send.event("only", true);
    send.close();
    return () => cleanups++;
  });
  assertEquals(await res.text(), "event: only\ndata: true\n\n");
  assertEquals(cleanups, 1);
});

Deno.test("sseResponse - heartbeat comments and abort signal", async () => {
  const ac = new AbortController();
  let cleanups = 0;
  const res = sseResponse(() => () => cleanups++, {
    heartbeatMs: 10,
    signal: ac.signal,
  });
  const reader = res.body!.getReader();
  const { value } = await reader.read();
  assertEquals(new TextDecoder().decode(value), ": ping\n\n");
  ac.abort();
  while (!(await reader.read()).done) { /* drain */ }
  assertEquals(cleanups, 1);
});

Deno.test("sseResponse - client disconnect through a real Deno.serve runs cleanup", async () => {
  const { promise: cleaned, resolve } = Promise.withResolvers<void>();
  let cleanups = 0;
  const ac = new AbortController();
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", signal: ac.signal, onListen() {} },
    () =>
      sseResponse((send) => {
        send.event("ready", {});
        return () => {
          cleanups++;
          resolve();
        };
      }),
  );
  try {
    const client = new AbortController();
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/`, {
      signal: client.signal,
    });
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    assertEquals(new TextDecoder().decode(value), "event: ready\ndata: {}\n\n");
    client.abort();
    await reader.cancel().catch(() => {});
    await cleaned;
    assertEquals(cleanups, 1);
  } finally {
    ac.abort();
    await server.finished;
  }
});
