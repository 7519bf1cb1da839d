/**
 * Reads the host's apt sources (one-line `.list` and deb822 `.sources` files) to find the
 * Debian mirrors this machine already uses, so the container test names no host itself.
 */

/** One enabled `deb` source: its base URIs and suites. */
export interface AptSource {
  uris: string[];
  suites: string[];
}

/** The Debian archive and security mirrors for a release. */
export interface DebianMirrors {
  archive: string;
  security: string | null;
}

/** Parses one-line `deb [options] uri suite [components…]` entries (`deb-src` is skipped). */
export function parseListFile(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line.startsWith("deb ")) continue;
    const rest = line.slice(4).replace(/^\[[^\]]*\]\s*/, "").split(/\s+/);
    if (rest.length >= 2) out.push({ uris: [rest[0]], suites: [rest[1]] });
  }
  return out;
}

/** Parses deb822 stanzas (`Types:`, `URIs:`, `Suites:`, `Enabled:`). */
export function parseSourcesFile(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let key = "";
    for (const raw of stanza.split("\n")) {
      if (raw.startsWith("#")) continue;
      if (/^\s/.test(raw) && key) {
        fields.set(key, `${fields.get(key)} ${raw.trim()}`);
        continue;
      }
      const m = raw.match(/^([A-Za-z-]+):\s*(.*)$/);
      if (m) {
        key = m[1].toLowerCase();
        fields.set(key, m[2].trim());
      }
    }
    const words = (k: string) =>
      (fields.get(k) ?? "").split(/\s+/).filter(Boolean);
    if (!words("types").includes("deb")) continue;
    if ((fields.get("enabled") ?? "yes").toLowerCase() === "no") continue;
    if (words("uris").length && words("suites").length) {
      out.push({ uris: words("uris"), suites: words("suites") });
    }
  }
  return out;
}

/** The mirrors serving `release` (e.g. "bookworm") and `<release>-security`, or null. */
export function debianMirrors(
  sources: AptSource[],
  release: string,
): DebianMirrors | null {
  const find = (suite: string) =>
    sources.find((s) => s.suites.includes(suite))?.uris[0]?.replace(
      /\/+$/,
      "",
    ) ??
      null;
  const archive = find(release);
  return archive ? { archive, security: find(`${release}-security`) } : null;
}

/** Every enabled source in `/etc/apt/sources.list` and `/etc/apt/sources.list.d/`. */
export async function hostAptSources(etc = "/etc/apt"): Promise<AptSource[]> {
  const files = [`${etc}/sources.list`];
  try {
    for await (const e of Deno.readDir(`${etc}/sources.list.d`)) {
      if (e.isFile && /\.(list|sources)$/.test(e.name)) {
        files.push(`${etc}/sources.list.d/${e.name}`);
      }
    }
  } catch { /* no sources.list.d */ }
  const out: AptSource[] = [];
  for (const file of files.sort()) {
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch {
      continue;
    }
    out.push(
      ...(file.endsWith(".sources")
        ? parseSourcesFile(text)
        : parseListFile(text)),
    );
  }
  return out;
}

/** The deb822 sources file written into the base image (like `debian:bookworm-slim`'s). */
export function debianSourcesFile(
  m: DebianMirrors,
  release: string,
): string {
  const keyring = "/usr/share/keyrings/debian-archive-keyring.gpg";
  const stanza = (uri: string, suites: string) =>
    `Types: deb\nURIs: ${uri}\nSuites: ${suites}\nComponents: main\n` +
    `Signed-By: ${keyring}\n`;
  return [
    stanza(m.archive, `${release} ${release}-updates`),
    ...(m.security ? [stanza(m.security, `${release}-security`)] : []),
  ].join("\n");
}
