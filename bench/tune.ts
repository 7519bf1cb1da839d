/**
 * `deno task bench --tune`: runs the app's own ffmpeg command bare on the noisy clip with
 * x264 variants (preset, threads, lookahead, …) and reports speed beside the top rung's
 * PSNR/SSIM against the source, to choose the encoder settings for small machines.
 */
import { join } from "node:path";
import { appCommand, FFMPEG } from "./app_args.ts";
import { timeCommand } from "./proc.ts";
import { joinRepresentation, type Quality, quality } from "./transcode.ts";

/** One variant: a name and how it changes the app's arguments. */
export interface Variant {
  name: string;
  apply(args: string[]): string[];
}

/** Sets `-<key>:v:<i>` of every encoded rung (`value(i)`), adding it when missing. */
export function perRung(
  key: string,
  value: (rung: number) => string | null,
): (args: string[]) => string[] {
  return (args) => {
    const out: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i].startsWith(`-${key}:v:`)) {
        i++; // replaced below, after -c:v:N libx264
        continue;
      }
      out.push(args[i]);
      const m = args[i].match(/^-c:v:(\d+)$/);
      if (m && args[i + 1] === "libx264") {
        out.push(args[++i]);
        const v = value(Number(m[1]));
        if (v !== null) out.push(`-${key}:v:${m[1]}`, v);
      }
    }
    return out;
  };
}

/** The variants tried by default: the app as is, then one change at a time. */
export const VARIANTS: Variant[] = [
  { name: "app as is", apply: (a) => a },
  { name: "preset superfast", apply: perRung("preset", () => "superfast") },
  { name: "preset faster", apply: perRung("preset", () => "faster") },
  {
    name: "x264 me=dia",
    apply: perRung("x264-params", () => "me=dia"),
  },
  {
    name: "x264 rc-lookahead=5",
    apply: perRung("x264-params", () => "rc-lookahead=5"),
  },
  { name: "threads 1 per rung", apply: perRung("threads", () => "1") },
  { name: "threads 2 per rung", apply: perRung("threads", () => "2") },
  {
    name: "threads 3/2/1/1",
    apply: perRung("threads", (i) => String([3, 2, 1, 1][i] ?? 1)),
  },
];

/** One variant's figures. */
export interface TuneRow extends Quality {
  name: string;
  wallSec: number;
  cpuSec: number;
  /** Size of the top rung's video. */
  topBytes: number;
}

/** Runs every variant once on `input`; returns wall/CPU seconds and top-rung quality. */
export async function runTune(
  input: string,
  work: string,
  log: (msg: string) => void,
  variants: Variant[] = VARIANTS,
): Promise<TuneRow[]> {
  const rows: TuneRow[] = [];
  for (const v of variants) {
    log(`tune: ${v.name}`);
    const out = join(work, `tune-${rows.length}`);
    await Deno.mkdir(out, { recursive: true });
    const cmd = await appCommand(input, out, { allowCopy: false });
    const t = await timeCommand(FFMPEG, v.apply(cmd.args));
    const top = await joinRepresentation(out, 0, join(work, "tune-top.mp4"));
    const q = await quality(top, input);
    rows.push({
      name: v.name,
      ...t,
      topBytes: (await Deno.stat(top)).size,
      ...q,
    });
    await Deno.remove(out, { recursive: true });
  }
  return rows;
}
