/**
 * `deno task bench`: measures transcoding (app vs the tutorial vs a plain decode), the copy
 * fast path, uploads, serving, time to playable and page weight, prints a table of medians
 * and writes `bench/results/<date>.json`. Asserts nothing; see bench/README.md.
 *
 * Usage: deno task bench [--runs N] [--quick] [--only transcode,upload,serve,pages]
 *        deno task bench --tune [--quick]   (x264 variants: speed beside PSNR/SSIM)
 */
import { join } from "node:path";
import { cpus, totalmem } from "node:os";
import { startServer, type TestServer } from "../tests/_server.ts";
import { appCommand, FFMPEG } from "./app_args.ts";
import { prepareInputs } from "./inputs.ts";
import { median, output, which } from "./proc.ts";
import { bytes, num, table, targetTable } from "./report.ts";
import {
  type AppFigure,
  type Figure,
  joinRepresentation,
  type Quality,
  quality,
  runAppBare,
  runAppEndToEnd,
  runFloor,
  runTutorial,
  sameCommand,
} from "./transcode.ts";
import { runUploads } from "./upload.ts";
import { runServing } from "./serve.ts";
import { weighPage } from "./pages.ts";
import { runTune } from "./tune.ts";
import {
  printPages,
  printServing,
  printTranscode,
  printUploads,
  targets,
} from "./print.ts";

const SECTIONS = ["transcode", "upload", "serve", "pages"] as const;
type Section = typeof SECTIONS[number];

/** Parsed command-line options. */
export interface Options {
  tune: boolean;
  runs: number;
  quick: boolean;
  clipSec: number;
  uploadBytes: number;
  serveSec: number;
  only: Set<Section>;
}

function parseArgs(args: string[]): Options {
  const quick = args.includes("--quick");
  const get = (name: string): string | undefined => {
    const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
    if (i < 0) return undefined;
    return args[i].includes("=") ? args[i].split("=")[1] : args[i + 1];
  };
  const runs = Number(get("--runs") ?? (quick ? 1 : 3));
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`--runs must be a whole number ≥ 1, got ${get("--runs")}`);
  }
  const only = new Set(
    (get("--only") ?? SECTIONS.join(",")).split(",") as Section[],
  );
  for (const s of only) {
    if (!SECTIONS.includes(s)) {
      throw new Error(`--only takes ${SECTIONS.join(", ")}; got ${s}`);
    }
  }
  return {
    tune: args.includes("--tune"),
    runs,
    quick,
    clipSec: quick ? 10 : 60,
    uploadBytes: (quick ? 256 : 1024) * 1024 * 1024,
    serveSec: quick ? 3 : 10,
    only,
  };
}

const log = (msg: string): void => console.error(`bench: ${msg}`);

/** Median of every numeric field of the figures (strings and flags from the first). */
function medianOf<T extends object>(list: T[]): T {
  const out: Record<string, unknown> = {
    ...list[0] as Record<string, unknown>,
  };
  for (const [k, v] of Object.entries(list[0] as Record<string, unknown>)) {
    if (typeof v === "number") {
      out[k] = median(list.map((f) => (f as Record<string, number>)[k]));
    }
  }
  return out as T;
}

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

interface TranscodeRun {
  floor: Figure;
  tutorial: Figure;
  appBare: Figure;
  app: AppFigure;
  copyApp: AppFigure;
  fullBare: Figure;
}

async function benchTranscode(opts: Options, server: TestServer, work: string) {
  const inputs = await prepareInputs(opts.clipSec, log);
  const sec = inputs.seconds;
  const runs: TranscodeRun[] = [];
  let lastAppId = "";
  let argsMatch = true;
  for (let r = 1; r <= opts.runs; r++) {
    const dir = join(work, `run-${r}`);
    const step = (what: string) => log(`run ${r}/${opts.runs}: ${what}`);
    step("decode only (floor)");
    const floor = await runFloor(inputs.noisy, sec);
    step("tutorial's two commands");
    const tutorial = await runTutorial(
      inputs.noisy,
      sec,
      join(dir, "tutorial"),
    );
    step("app's ffmpeg command, bare");
    const appBare = await runAppBare(inputs.noisy, sec, join(dir, "bare"));
    step("app end to end (upload → ready)");
    const app = await runAppEndToEnd(server, inputs.noisy, sec);
    app.argsMatch = app.args !== null && sameCommand(app.args, appBare.args);
    step("copy path: app end to end");
    const copyApp = await runAppEndToEnd(server, inputs.copyable, sec);
    copyApp.argsMatch = copyApp.args !== null &&
      sameCommand(copyApp.args, (await appCommand(inputs.copyable, dir)).args);
    step("copy clip fully encoded, bare");
    const fullBare = await runAppBare(inputs.copyable, sec, join(dir, "full"), {
      allowCopy: false,
    });
    argsMatch &&= app.argsMatch && copyApp.argsMatch;
    lastAppId = app.video.id;
    const strip = <T extends { args?: unknown; video?: unknown }>(f: T) => {
      const { args: _a, video: _v, ...rest } = f;
      return rest;
    };
    runs.push({
      floor,
      tutorial,
      appBare: strip(appBare) as Figure,
      app: strip(app) as AppFigure,
      copyApp: strip(copyApp) as AppFigure,
      fullBare: strip(fullBare) as Figure,
    });
    if (r < opts.runs) await Deno.remove(dir, { recursive: true });
  }
  if (!argsMatch) {
    log("WARNING: the server ran other ffmpeg arguments than the bare runs");
  }

  log("quality: PSNR/SSIM against the source");
  const last = join(work, `run-${opts.runs}`);
  const q: Record<string, Quality> = {};
  const appTop = await joinRepresentation(
    join(server.dataDir, "streams", lastAppId),
    0,
    join(work, "app-top.mp4"),
  );
  q.appTopRung = await quality(appTop, inputs.noisy);
  q.tutorialDash = await quality(
    await joinRepresentation(
      join(last, "tutorial", "dash"),
      0,
      join(work, "tut-dash.mp4"),
    ),
    inputs.noisy,
  );
  q.tutorialHls = await quality(
    join(last, "tutorial", "hls", "playlist.m3u8"),
    inputs.noisy,
  );

  const ratio = (f: (r: TranscodeRun) => number) => median(runs.map(f));
  return {
    clipSec: sec,
    inputs: {
      noisyBytes: (await Deno.stat(inputs.noisy)).size,
      copyableBytes: (await Deno.stat(inputs.copyable)).size,
    },
    median: {
      floor: medianOf(runs.map((r) => r.floor)),
      tutorial: medianOf(runs.map((r) => r.tutorial)),
      appBare: medianOf(runs.map((r) => r.appBare)),
      app: medianOf(runs.map((r) => r.app)),
      copyApp: medianOf(runs.map((r) => r.copyApp)),
      fullBare: medianOf(runs.map((r) => r.fullBare)),
    },
    ratios: {
      appVsTutorial: ratio((r) => r.tutorial.wallSec / r.app.wallSec),
      appCpuVsTutorial: ratio((r) => r.tutorial.cpuSec / r.app.cpuSec),
      appOverhead: ratio((r) => r.app.wallSec / r.appBare.wallSec - 1),
      appCpuOverhead: ratio((r) => r.app.cpuSec / r.appBare.cpuSec - 1),
      copyVsFull: ratio((r) => r.fullBare.wallSec / r.copyApp.wallSec),
      copyCpuVsFull: ratio((r) => r.fullBare.cpuSec / r.copyApp.cpuSec),
    },
    argsMatch,
    quality: q,
    runs,
    lastAppId,
  };
}

export type TranscodeResult = Awaited<ReturnType<typeof benchTranscode>>;

export type ServeResult = Awaited<ReturnType<typeof runServing>>;
export type UploadResult = Awaited<ReturnType<typeof runUploads>>;

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
  try {
    if (opts.only.has("transcode") || opts.only.has("pages")) {
      const app = await startServer();
      cleanups.push(() => app[Symbol.asyncDispose]());
      if (opts.only.has("transcode")) {
        t = await benchTranscode(opts, app, work);
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
  } finally {
    await cleanup();
    Deno.removeSignalListener("SIGINT", onSignal);
  }

  const list = targets(t, u, s);
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
