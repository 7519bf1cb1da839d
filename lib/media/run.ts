/**
 * Runs a short-lived media tool (ffprobe) to completion with a timeout and an abort signal,
 * always draining both pipes so the child can never stall on a full pipe buffer.
 */

/** What a finished run produced. */
export interface RunOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@link runTool}. */
export interface RunOptions {
  /** Kill the tool after this many milliseconds (default 30 000). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Runs `cmd args…` and collects its output. Rejects with the signal's reason on abort and
 * with a readable Error on timeout or when the binary cannot be started.
 */
export async function runTool(
  cmd: string,
  args: string[],
  opts: RunOptions = {},
): Promise<RunOutput> {
  opts.signal?.throwIfAborted();
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(cmd, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (err) {
    throw new Error(`Could not start ${cmd}: ${(err as Error).message}`);
  }
  let timedOut = false;
  const kill = (): void => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, timeoutMs);
  opts.signal?.addEventListener("abort", kill, { once: true });
  try {
    const [stdout, stderr, status] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.status,
    ]);
    opts.signal?.throwIfAborted();
    if (timedOut) {
      throw new Error(`${cmd} did not finish within ${timeoutMs / 1000} s`);
    }
    return { code: status.code, stdout, stderr };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", kill);
  }
}
