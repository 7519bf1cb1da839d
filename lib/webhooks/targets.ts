/**
 * Where a webhook may point: an absolute http(s) URL whose host is not on a loopback,
 * private, link-local, unspecified or multicast address, nor a name resolving to one, so a
 * webhook cannot be used to reach the server's own network (SSRF). Checked when a hook is
 * created and again before every delivery, since DNS answers change.
 *
 * @module
 */
import { lookup } from "node:dns/promises";
import { DomainError } from "../core/errors.ts";

/** Resolves a host name to its addresses (IPv4 and IPv6). */
export type Resolver = (host: string) => Promise<string[]>;

/** The system resolver (getaddrinfo, like the connection itself: `/etc/hosts` included). */
export const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** What {@link checkTarget} needs. */
export interface TargetPolicy {
  /** `WEBHOOK_ALLOW_PRIVATE=true`: private targets are allowed (tests, internal receivers). */
  allowPrivate: boolean;
  resolve?: Resolver;
}

function v4(ip: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return null;
  const b = m.slice(1).map(Number);
  return b.every((x) => x <= 255) ? b : null;
}

/** Expands an IPv6 address to its eight 16-bit groups, or null. */
function v6(ip: string): number[] | null {
  let s = ip.toLowerCase().replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (tail) {
    const b = v4(tail[1]);
    if (!b) return null;
    s = s.slice(0, -tail[1].length) +
      `${((b[0] << 8) | b[1]).toString(16)}:${
        ((b[2] << 8) | b[3]).toString(16)
      }`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const part = (x: string) => (x ? x.split(":") : []);
  const head = part(halves[0]);
  const rest = halves.length === 2 ? part(halves[1]) : [];
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  const groups = [...head, ...Array(Math.max(fill, 0)).fill("0"), ...rest];
  if (groups.length !== 8) return null;
  const out = groups.map((g) =>
    /^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN
  );
  return out.some(Number.isNaN) ? null : out;
}

function privateV4([a, b]: number[]): boolean {
  return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127) || a >= 224;
}

/**
 * True for an address a webhook must not reach: loopback, private (10/8, 172.16/12,
 * 192.168/16, 100.64/10, fc00::/7), link-local (169.254/16, fe80::/10), unspecified,
 * multicast and broadcast — IPv4-mapped IPv6 included. Not an IP address: false.
 */
export function isPrivateAddress(ip: string): boolean {
  const a = v4(ip);
  if (a) return privateV4(a);
  const g = v6(ip);
  if (!g) return false;
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) {
    // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible); :: and ::1 land here too.
    if (g[5] === 0 && g[6] === 0) return true;
    return privateV4([g[6] >> 8, g[6] & 255, g[7] >> 8, g[7] & 255]);
  }
  return (g[0] & 0xfe00) === 0xfc00 || (g[0] & 0xffc0) === 0xfe80 ||
    (g[0] & 0xff00) === 0xff00;
}

const refuse = (message: string) => new DomainError("bad_request", message);

/** Parses a webhook URL: absolute, http or https, no credentials. Throws `bad_request`. */
export function parseTargetUrl(raw: unknown): URL {
  if (typeof raw !== "string" || raw.trim() === "") {
    throw refuse(
      'The webhook needs a "url": an absolute http:// or https:// URL.',
    );
  }
  if (raw.length > 2000) {
    throw refuse("The webhook URL is longer than 2000 characters.");
  }
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw refuse(
      `The webhook URL "${raw}" is not a URL; use an absolute http:// or https:// URL.`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw refuse(
      `The webhook URL's scheme ${url.protocol} is not allowed; allowed: http, https.`,
    );
  }
  if (url.username || url.password) {
    throw refuse(
      "The webhook URL may not contain a user name or password; check the signature instead.",
    );
  }
  return url;
}

/**
 * Checks a URL is a public http(s) target (see the module). Resolves the host name, and
 * refuses it when any of its addresses is private, unless `allowPrivate`. Throws
 * `bad_request` with a sentence naming the address.
 */
export async function checkTarget(
  raw: unknown,
  policy: TargetPolicy,
): Promise<URL> {
  const url = parseTargetUrl(raw);
  if (policy.allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const hint = "(set WEBHOOK_ALLOW_PRIVATE=true to allow private targets)";
  if (v4(host) || v6(host)) {
    if (isPrivateAddress(host)) {
      throw refuse(
        `The webhook URL points at ${host}, a loopback, private or link-local address; ` +
          `webhooks may only reach public addresses ${hint}.`,
      );
    }
    return url;
  }
  let addresses: string[];
  try {
    addresses = await (policy.resolve ?? systemResolver)(host);
  } catch {
    throw refuse(`The webhook host ${host} could not be resolved.`);
  }
  const bad = addresses.find(isPrivateAddress);
  if (bad || addresses.length === 0) {
    throw refuse(
      `The webhook host ${host} resolves to ${
        bad ?? "no address"
      }, a loopback, private or link-local address; webhooks may only reach public ` +
        `addresses ${hint}.`,
    );
  }
  return url;
}
