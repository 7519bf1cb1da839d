/**
 * `deno task bench`: measures transcoding (app vs the tutorial vs a plain decode), the copy
 * fast path, uploads, serving, time to playable, page weight and time to the first frame in
 * the app's player (progressive), cluster (PostgreSQL + S3) vs embedded, and the app against
 * PeerTube's and MediaCMS's pipelines (peers), prints a table
 * of medians and writes `bench/results/<date>.json`. Asserts nothing; see bench/README.md.
 *
 * Usage: deno task bench [--runs N] [--quick] [--only transcode,upload,serve,pages,progressive,cluster,peers]
 *        deno task bench --tune [--quick]   (x264 variants: speed beside PSNR/SSIM)
 */
import { cpus, totalmem } from "node:os";
import { startServer } from "../lib/cli/spawn_server.ts";
import { FFMPEG } from "./app_args.ts";
import { prepareInputs } from "./inputs.ts";
import { output, which } from "./proc.ts";
import { bytes, num, table, targetTable } from "./report.ts";
import { benchTranscode, type TranscodeResult } from "./transcode.ts";
import { runUploads, type UploadResult } from "./upload.ts";
import { runServing, type ServeResult } from "./serve.ts";
import { weighPage } from "./pages.ts";
import { runTune } from "./tune.ts";
import { benchProgressive, type ProgressiveResult } from "./progressive.ts";
import { launchBrowser } from "../lib/cli/browser.ts";
import {
  printPages,
  printProgressive,
  printServing,
  printTranscode,
  printUploads,
  targets,
} from "./print.ts";
import { type Options, parseArgs, SECTIONS } from "./options.ts";
import { benchCluster, printCluster } from "./cluster.ts";
import {
  benchPeers,
  type PeersResult,
  peerTargets,
  printPeers,
} from "./peers.ts";

const log = (msg: string): void => console.error(`bench: ${msg}`);

async function version(cmd: string, args: string[], re: RegExp) {
  try {
    const o = await output(cmd, args);
    return (o.stdout + o.stderr).match(re)?.[1] ?? null;
  } catch {
    return null;
  }
}

async function machine() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    memGB: Math.round(totalmem() / 1e9),
    deno: Deno.version.deno,
    ffmpeg: await version(FFMPEG, ["-version"], /ffmpeg version (\S+)/),
    nginx: await version(
      await which("nginx") ?? "/usr/sbin/nginx",
      ["-v"],
      /nginx\/(\S+)/,
    ),
    wrk: await version("wrk", ["--version"], /wrk (\S+)/),
    loadAvg: Deno.loadavg(),
  };
}

async function tune(opts: Options): Promise<void> {
  const inputs = await prepareInputs(opts.clipSec, log);
  const work = await Deno.makeTempDir({ prefix: "reel-bench-tune-" });
  try {
    const rows = await runTune(inputs.noisy, work, log);
    console.log(
      `\nx264 variants of the app's command, bare, on the noisy ${inputs.seconds} s clip\n`,
    );
    console.log(table(
      ["", "wall s", "CPU s", "top rung", "PSNR", "SSIM"],
      rows.map((r) => [
        r.name,
        num(r.wallSec),
        num(r.cpuSec),
        bytes(r.topBytes),
        num(r.psnr, 2),
        num(r.ssim, 4),
      ]),
    ));
    const day = new Date().toISOString().slice(0, 10);
    const file = new URL(`./results/${day}-tune.json`, import.meta.url);
    await Deno.mkdir(new URL("./results/", import.meta.url), {
      recursive: true,
    });
    await Deno.writeTextFile(
      file,
      JSON.stringify({ machine: await machine(), rows }, null, 1) + "\n",
    );
    console.log(`\nwrote ${file.pathname}`);
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(Deno.args);
  if (opts.tune) return await tune(opts);
  const started = performance.now();
  const work = await Deno.makeTempDir({ prefix: "reel-bench-" });
  const cleanups: (() => Promise<void>)[] = [
    () => Deno.remove(work, { recursive: true }).catch(() => {}),
  ];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  };
  const onSignal = () => {
    cleanup().finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", onSignal);
  const result: Record<string, unknown> = {
    date: new Date().toISOString(),
    mode: {
      quick: opts.quick,
      runs: opts.runs,
      clipSec: opts.clipSec,
      uploadBytes: opts.uploadBytes,
      serveSec: opts.serveSec,
      connections: 32,
    },
    machine: await machine(),
  };
  let t: TranscodeResult | null = null;
  let u: UploadResult | null = null;
  let s: ServeResult | null = null;
  let p: ProgressiveResult | null = null;
  let peers: PeersResult | null = null;
  try {
    if (opts.only.has("transcode") || opts.only.has("pages")) {
      const app = await startServer();
      cleanups.push(() => app[Symbol.asyncDispose]());
      if (opts.only.has("transcode")) {
        t = await benchTranscode(opts, app, work, log);
        const { runs: _runs, lastAppId: _id, ...summary } = t;
        result.transcode = summary;
        printTranscode(t);
      }
      if (opts.only.has("pages")) {
        log("page weight");
        const player = `/player/${t?.lastAppId ?? crypto.randomUUID()}`;
        const pages = [
          await weighPage(app.url, "/"),
          await weighPage(app.url, player),
        ];
        result.pages = pages.map((p) => ({
          ...p,
          path: p.path.startsWith("/player/") ? "/player/:id" : p.path,
        }));
        printPages(pages);
      }
      await cleanups.pop()!();
    }
    if (opts.only.has("upload") || opts.only.has("serve")) {
      // Web only (no transcoding), and a limit above the upload size.
      const web = await startServer({
        env: {
          TRANSCODE_CONCURRENCY: "0",
          MAX_UPLOAD_BYTES: String(opts.uploadBytes * 2),
        },
        discardOutput: true,
      });
      cleanups.push(() => web[Symbol.asyncDispose]());
      if (opts.only.has("upload")) {
        log(`uploads: ${bytes(opts.uploadBytes)} multipart, then tus`);
        u = await runUploads(web.url, web.pid, opts.uploadBytes);
        result.upload = u;
        printUploads(u);
      }
      if (opts.only.has("serve")) {
        log("serving: app, then nginx");
        s = await runServing(web.url, web.dataDir, {
          seconds: opts.serveSec,
          connections: 32,
        });
        result.serve = s;
        printServing(s, opts);
      }
      await cleanups.pop()!();
    }
    if (opts.only.has("progressive")) {
      // Its own server (nothing else queued before its uploads) and headless Chromium.
      const app = await startServer({ discardOutput: true });
      cleanups.push(() => app[Symbol.asyncDispose]());
      const browser = await launchBrowser();
      cleanups.push(() => browser.close());
      p = await benchProgressive(opts, app, browser, work, log);
      result.progressive = p;
      printProgressive(p);
      await cleanups.pop()!();
      await cleanups.pop()!();
    }
    if (opts.only.has("cluster")) {
      // Starts and stops its own PostgreSQL and Swift (S3) on loopback.
      const c = await benchCluster(opts, work, log);
      result.cluster = c;
      printCluster(c);
    }
    if (opts.only.has("peers")) {
      // Its own server, so nothing else is queued while the app's ladder is timed.
      const app = await startServer({ discardOutput: true });
      cleanups.push(() => app[Symbol.asyncDispose]());
      peers = await benchPeers(opts, app, work, log);
      const { all: _all, ...summary } = peers;
      result.peers = { ...summary, perRun: peers.all };
      printPeers(peers);
      await cleanups.pop()!();
    }
  } finally {
    await cleanup();
    Deno.removeSignalListener("SIGINT", onSignal);
  }

  const list = [...targets(t, u, s, p), ...(peers ? peerTargets(peers) : [])];
  result.targets = list;
  result.totalSec = Math.round((performance.now() - started) / 1000);
  console.log(`\nTargets\n`);
  console.log(targetTable(list));
  const dir = new URL("./results/", import.meta.url);
  await Deno.mkdir(dir, { recursive: true });
  const day = new Date().toISOString().slice(0, 10);
  // A partial run (--only) never overwrites the day's full results.
  const part = opts.only.size < SECTIONS.length
    ? `-${[...opts.only].join("-")}`
    : "";
  const file = new URL(`${day}${opts.quick ? "-quick" : ""}${part}.json`, dir);
  await Deno.writeTextFile(file, JSON.stringify(result, null, 1) + "\n");
  console.log(
    `\nwrote ${file.pathname} (${result.totalSec} s in all)`,
  );
}

if (import.meta.main) await main();
