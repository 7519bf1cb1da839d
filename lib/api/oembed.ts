/**
 * oEmbed (https://oembed.com) for this site's player and embed links: `type: "video"` with
 * an iframe of `/embed/<id>`. Public and unlisted videos answer (whoever has an unlisted
 * link may see it); a private one only for an embed link carrying a valid playback token,
 * and then the iframe keeps that token. Anything else is 404, as if it did not exist.
 *
 * @module
 */
import { DomainError } from "../core/errors.ts";
import type { VideoRecord } from "../store/ports.ts";
import type { PlaybackSigner } from "../videos/mod.ts";
import { embedSize } from "./page_meta.ts";
import { presentVideo } from "./present.ts";

/** What answering oEmbed needs. */
export interface OEmbedDeps {
  /** PUBLIC_URL, or null: the request's own origin. */
  publicUrl: string | null;
  signer: PlaybackSigner;
  /** A video any visitor may see (public or unlisted), else null. */
  findVisible(id: string): Promise<VideoRecord | null>;
  /** Any video, private included (checked against the link's token). */
  findAny(id: string): Promise<VideoRecord | null>;
}

const PATH = /^\/(player|embed)\/([0-9a-f-]{36})\/?$/i;

const bounded = (raw: string | null, name: string): number | undefined => {
  if (raw === null || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 50 || n > 4096) {
    throw new DomainError(
      "bad_request",
      `${name} must be a whole number of pixels from 50 to 4096.`,
    );
  }
  return n;
};

const escapeAttr = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/** The oEmbed response for a `GET /oembed` request. */
export async function oembed(reqUrl: URL, d: OEmbedDeps): Promise<Response> {
  const q = reqUrl.searchParams;
  const format = q.get("format") ?? "json";
  if (format !== "json") {
    return Response.json({
      error: {
        code: "bad_request",
        message: "Only format=json is offered here.",
      },
    }, { status: 501 });
  }
  const raw = q.get("url");
  if (!raw) {
    throw new DomainError(
      "bad_request",
      "Give the video's link as url=, e.g. /oembed?url=https://…/player/<id>.",
    );
  }
  const maxWidth = bounded(q.get("maxwidth"), "maxwidth");
  const maxHeight = bounded(q.get("maxheight"), "maxheight");
  const origin = d.publicUrl ?? reqUrl.origin;
  let link: URL;
  try {
    link = new URL(raw, origin);
  } catch {
    throw new DomainError("bad_request", "url is not a valid link.");
  }
  const notFound = () =>
    new DomainError("not_found", "There is no video at this link.");
  const match = PATH.exec(link.pathname);
  if (!match || link.host !== new URL(origin).host) throw notFound();
  const id = match[2].toLowerCase();
  const token = match[1] === "embed" ? link.searchParams.get("token") : null;
  let video = await d.findVisible(id);
  if (!video && token) {
    const any = await d.findAny(id);
    if (any && d.signer.check(id, token) === "ok") video = any;
  }
  if (!video) throw notFound();
  const shown = presentVideo(
    video,
    origin,
    token ? () => token : undefined,
  );
  const size = embedSize(shown, Math.min(maxWidth ?? 640, 4096), maxHeight);
  const src = token
    ? `${shown.embedUrl}?token=${encodeURIComponent(token)}`
    : shown.embedUrl;
  const body: Record<string, unknown> = {
    version: "1.0",
    type: "video",
    provider_name: "Reel",
    provider_url: `${origin}/`,
    title: shown.title,
    width: size.width,
    height: size.height,
    html:
      `<iframe src="${
        escapeAttr(src)
      }" width="${size.width}" height="${size.height}" ` +
      `title="${escapeAttr(shown.title)}" frameborder="0" ` +
      `allow="autoplay; fullscreen; picture-in-picture" allowfullscreen></iframe>`,
  };
  if (shown.posterUrl) {
    // The poster is taken at the video's display size.
    const thumb = embedSize(shown, shown.width ?? 640);
    body.thumbnail_url = shown.posterUrl;
    body.thumbnail_width = thumb.width;
    body.thumbnail_height = thumb.height;
  }
  if (shown.durationSec) body.duration = shown.durationSec;
  return Response.json(body, {
    headers: {
      "cache-control": token || video.visibility !== "public"
        ? "private, max-age=60"
        : "public, max-age=300",
      "access-control-allow-origin": "*",
    },
  });
}
