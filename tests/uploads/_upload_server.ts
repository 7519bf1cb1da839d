/**
 * A child-process upload server for the throughput test, so the client's memory does not
 * count: multipart at `POST /multipart`, tus at `/api/uploads`, and `GET /stats` for the
 * peak RSS since the previous `/stats` and the CPU time used so far. Prints `{"port": n}` on stdout when listening.
 */
import process from "node:process";
import { toErrorResponse } from "../../lib/api/mod.ts";
import { receiveMultipart } from "../../lib/uploads/multipart.ts";
import { createTusHandler } from "../../lib/uploads/tus.ts";

const dir = Deno.args[0];
const EXTENSIONS = ["mp4"];
const MAX = 4 * 1024 ** 3;

let peak = Deno.memoryUsage().rss;
setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 10);

const tus = createTusHandler({
  dir: `${dir}/tus`,
  path: "/api/uploads",
  maxBytes: MAX,
  expiryHours: 1,
  allowedExtensions: EXTENSIONS,
  errorResponse: toErrorResponse,
  onUploadFinished: async (u) => {
    await Deno.remove(u.path);
    return { headers: { "X-Video-Id": "v", "X-Size": String(u.sizeBytes) } };
  },
});

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log(JSON.stringify({ port })),
}, async (req) => {
  const { pathname } = new URL(req.url);
  if (pathname === "/stats") {
    const cpu = process.cpuUsage();
    const stats = {
      rss: Deno.memoryUsage().rss,
      peak,
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
    peak = stats.rss;
    return Response.json(stats);
  }
  if (pathname.startsWith("/api/uploads")) return await tus.handle(req);
  try {
    const t0 = performance.now();
    const up = await receiveMultipart(req, {
      dir: `${dir}/multipart`,
      maxBytes: MAX,
      allowedExtensions: EXTENSIONS,
    });
    const ms = performance.now() - t0;
    await Deno.remove(up.path);
    return Response.json({ sizeBytes: up.sizeBytes, ms });
  } catch (err) {
    return toErrorResponse(err);
  }
});
