/**
 * Process helpers for crash recovery: an ffmpeg started by {@link transcode} leads its own
 * process group (spawned `detached`), so a restarted server can find it by the pid
 * recorded with the job and kill it with everything it spawned.
 *
 * Permissions: `Deno.kill` needs `--allow-run` without a list; with a restricted list these
 * helpers fall back to the `kill` binary when `--allow-run` includes `kill`.
 */

/** Whether `err` is Deno refusing for lack of a permission. */
function isPermissionError(err: unknown): boolean {
  return err instanceof Deno.errors.NotCapable ||
    err instanceof Deno.errors.PermissionDenied;
}

/** Sends `signal` to `target` (negative: a process group); false when there is no such target. */
function sendSignal(target: number, signal: Deno.Signal): boolean {
  try {
    Deno.kill(target, signal);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    if (!isPermissionError(err)) throw err;
  }
  // `kill -s SIG -- -pgid` when only a list of commands may be run.
  const out = new Deno.Command("kill", {
    args: ["-s", signal.replace(/^SIG/, ""), "--", String(target)],
    stdout: "null",
    stderr: "null",
  }).outputSync();
  return out.success;
}

/**
 * Whether a process with this pid exists (zombies count as gone when `/proc` is readable).
 * Probes with SIGCONT, which is harmless to a running process.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Field 3 (after the parenthesised command name) is the state; Z = zombie, X = dead.
    const state = stat.slice(
      stat.lastIndexOf(")") + 2,
      stat.lastIndexOf(")") + 3,
    );
    return state !== "Z" && state !== "X";
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    // No /proc or no permission to read it: ask the kernel instead.
  }
  return sendSignal(pid, "SIGCONT");
}

/**
 * The command line of `pid`, or null when it cannot be read (no `/proc`, no permission, gone).
 */
export function processCommandLine(pid: number): string | null {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).replaceAll("\0", " ")
      .trim();
  } catch {
    return null;
  }
}

/**
 * Kills the process group led by `pid` (and `pid` itself) with SIGKILL. Returns true when
 * something was signalled. Pass `expect` (e.g. `"ffmpeg"`) to refuse when the pid, which may
 * have been reused since it was recorded, now runs something else; the check is skipped when
 * the command line cannot be read.
 */
export function killProcessGroup(
  pid: number,
  opts: { expect?: string } = {},
): boolean {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  if (opts.expect) {
    const cmd = processCommandLine(pid);
    if (cmd !== null && !cmd.includes(opts.expect)) return false;
  }
  const group = sendSignal(-pid, "SIGKILL");
  const single = sendSignal(pid, "SIGKILL");
  return group || single;
}
