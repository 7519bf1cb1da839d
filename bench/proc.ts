/**
 * Process measurement for the benchmark: wall time and CPU time of child processes (read from
 * /proc, so nothing extra needs installing), memory sampling, medians and directory sizes.
 */

/** Wall and CPU seconds of one finished command. */
export interface Timed {
  wallSec: number;
  /** User + system CPU seconds of the command and everything it started. */
  cpuSec: number;
}

let ticks: number | null = null;

/** Kernel clock ticks per second (`getconf CLK_TCK`, almost always 100). */
async function clockTicks(): Promise<number> {
  if (ticks !== null) return ticks;
  try {
    const out = await new Deno.Command("getconf", {
      args: ["CLK_TCK"],
      stdout: "piped",
      stderr: "null",
    }).output();
    ticks = Number(new TextDecoder().decode(out.stdout).trim()) || 100;
  } catch {
    ticks = 100;
  }
  return ticks;
}

/**
 * CPU seconds of a process: its own user + system time (`own`), and that of its children
 * that have exited and been reaped (`children`), from `/proc/<pid>/stat` fields 14–17.
 */
export async function processCpu(
  pid: number | "self",
): Promise<{ own: number; children: number }> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  // The command name (field 2) may contain spaces; fields after it are plain numbers.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  const hz = await clockTicks();
  return { own: (utime + stime) / hz, children: (cutime + cstime) / hz };
}

/** {@link processCpu}'s `own + children`. */
export async function processCpuSec(pid: number | "self"): Promise<number> {
  const { own, children } = await processCpu(pid);
  return own + children;
}

/**
 * Runs a command to completion and returns its wall and CPU time. The CPU time is the growth
 * of this process's reaped-children time, so run nothing else that exits meanwhile.
 * Throws with the tail of stderr when the command fails.
 */
export async function timeCommand(
  cmd: string,
  args: string[],
  opts: { cwd?: string } = {},
): Promise<Timed> {
  const cpu0 = await processCpuSec("self");
  const t0 = performance.now();
  const out = await new Deno.Command(cmd, {
    args,
    cwd: opts.cwd,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const wallSec = (performance.now() - t0) / 1000;
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n")
      .slice(-5).join("\n");
    throw new Error(`${cmd} ${args.slice(0, 8).join(" ")} … failed:\n${err}`);
  }
  // Our own CPU (a few ms of waiting) is included; it is noise next to ffmpeg's.
  return { wallSec, cpuSec: await processCpuSec("self") - cpu0 };
}

/** Runs a command and returns its stdout and stderr as text (throws on failure). */
export async function output(
  cmd: string,
  args: string[],
): Promise<{ stdout: string; stderr: string }> {
  const out = await new Deno.Command(cmd, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (!out.success) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed:\n${
        dec.decode(out.stderr).slice(-2000)
      }`,
    );
  }
  return { stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Resident set size now and its high-water mark, in bytes (`/proc/<pid>/status`). */
export async function memory(
  pid: number,
): Promise<{ rss: number; hwm: number }> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = (key: string): number =>
    Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"))?.[1] ?? 0) *
    1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

/** Samples a process's RSS every `everyMs` until `stop()`; returns the largest sample. */
export function sampleRss(
  pid: number,
  everyMs = 50,
): { stop(): Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        peak = Math.max(peak, (await memory(pid)).rss);
      } catch {
        return; // the process is gone
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}

/** Median of the values (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Total size in bytes and file count of everything under `dir`. */
export async function dirSize(
  dir: string,
): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) {
      const sub = await dirSize(p);
      bytes += sub.bytes;
      files += sub.files;
    } else if (e.isFile) {
      bytes += (await Deno.stat(p)).size;
      files++;
    }
  }
  return { bytes, files };
}

/** Whether `bin` is an executable on PATH (or an existing path). */
export async function which(bin: string): Promise<string | null> {
  const dirs = bin.includes("/")
    ? [""]
    : (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":").map((d) => `${d}/`);
  for (const d of dirs) {
    try {
      const info = await Deno.stat(`${d}${bin}`);
      if (info.isFile && ((info.mode ?? 0o111) & 0o111)) return `${d}${bin}`;
    } catch { /* not here */ }
  }
  return null;
}
