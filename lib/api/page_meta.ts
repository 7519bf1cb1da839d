/**
 * What a page puts in its `<head>` besides the title: robots, Open Graph and Twitter card
 * tags, the oEmbed discovery link. A public video gets a full link preview; an unlisted one
 * the same (the link holder may see it) but `noindex`; a private one only `noindex`, so no
 * tag ever carries a signed URL or anything a visitor could not see.
 *
 * @module
 */
import type { Video } from "./present.ts";

/** One `<meta>` (by `name` or `property`) or `<link>` of a page head. */
export type HeadTag =
  | { kind: "meta"; name?: string; property?: string; content: string }
  | { kind: "link"; rel: string; type?: string; href: string; title?: string };

/** Page data fields the app shell reads. */
export interface PageHead {
  /** Shown as `<title>` (suffixed with the site name). */
  title?: string;
  head?: HeadTag[];
  /** No site header and footer (the embed player). */
  bare?: boolean;
}

const meta = (key: "name" | "property", k: string, content: string) =>
  ({ kind: "meta", [key]: k, content }) as HeadTag;

/** The player page's head tags; `origin` makes URLs absolute (PUBLIC_URL or the request's). */
export function videoHead(video: Video, origin: string): HeadTag[] {
  if (video.visibility === "private") {
    return [meta("name", "robots", "noindex, nofollow")];
  }
  const abs = (u: string) => new URL(u, origin).href;
  const page = abs(video.playerUrl);
  const embed = abs(video.embedUrl);
  const size = embedSize(video);
  const tags: HeadTag[] = [
    { kind: "link", rel: "canonical", href: page },
    {
      kind: "link",
      rel: "alternate",
      type: "application/json+oembed",
      href: `${abs("/oembed")}?url=${encodeURIComponent(page)}&format=json`,
      title: video.title,
    },
    meta("property", "og:type", "video.other"),
    meta("property", "og:site_name", "Reel"),
    meta("property", "og:title", video.title),
    meta("property", "og:url", page),
    meta("property", "og:video", embed),
    meta("property", "og:video:type", "text/html"),
    meta("property", "og:video:width", String(size.width)),
    meta("property", "og:video:height", String(size.height)),
    meta("name", "twitter:card", "player"),
    meta("name", "twitter:title", video.title),
    meta("name", "twitter:player", embed),
    meta("name", "twitter:player:width", String(size.width)),
    meta("name", "twitter:player:height", String(size.height)),
  ];
  if (video.posterUrl) {
    tags.push(
      meta("property", "og:image", abs(video.posterUrl)),
      meta("name", "twitter:image", abs(video.posterUrl)),
    );
  }
  if (video.durationSec) {
    tags.push(
      meta(
        "property",
        "og:video:duration",
        String(Math.round(video.durationSec)),
      ),
    );
  }
  if (video.visibility === "unlisted") {
    tags.push(meta("name", "robots", "noindex, nofollow"));
  }
  return tags;
}

/**
 * An embed's size: `maxWidth` wide (default 640) at the video's aspect ratio (16:9 when
 * unknown), shrunk to fit `maxHeight`.
 */
export function embedSize(
  video: Pick<Video, "width" | "height">,
  maxWidth = 640,
  maxHeight = Infinity,
): { width: number; height: number } {
  const ratio = video.width && video.height
    ? video.width / video.height
    : 16 / 9;
  let width = Math.max(1, Math.round(maxWidth));
  let height = Math.round(width / ratio);
  if (height > maxHeight) {
    height = Math.max(1, Math.round(maxHeight));
    width = Math.round(height * ratio);
  }
  return { width, height };
}
