/**
 * Structured logs: one JSON object per line on stdout (`{"t","level","msg",...fields}`).
 * Quiet by default under tests (`LOG_LEVEL=silent`).
 */

type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level | "silent", number> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
  silent: 100,
};

function threshold(): number {
  try {
    const v = (Deno.env.get("LOG_LEVEL") ?? "info").toLowerCase();
    return ORDER[v as Level] ?? ORDER.info;
  } catch {
    return ORDER.info;
  }
}

const min = threshold();

function write(
  level: Level,
  msg: string,
  fields?: Record<string, unknown>,
): void {
  if (ORDER[level] < min) return;
  const line = JSON.stringify({
    t: new Date().toISOString(),
    level,
    msg,
    ...fields,
  });
  if (level === "error" || level === "warn") console.error(line);
  else console.log(line);
}

/** The app's logger. */
export const log = {
  debug: (msg: string, fields?: Record<string, unknown>): void =>
    write("debug", msg, fields),
  info: (msg: string, fields?: Record<string, unknown>): void =>
    write("info", msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>): void =>
    write("warn", msg, fields),
  error: (msg: string, fields?: Record<string, unknown>): void =>
    write("error", msg, fields),
};
