import {
  define,
  presentVideo,
  readJsonObject,
} from "../../../../lib/api/mod.ts";
import { json } from "../../../../lib/http/json.ts";
import { validateTtl } from "../../../../lib/videos/mod.ts";

export const handler = define.handlers({
  /**
   * Signed playback links (owner only, like every write): `{ "ttlSec"?: 60…86400 }`
   * (default 3600) → `{ hlsUrl, dashUrl, posterUrl, thumbnailsUrl, embedUrl, token,
   * expiresAt }`; stream URLs are null while there is nothing to play yet, as in Video JSON.
   */
  async POST(ctx) {
    const { web } = ctx.state;
    const video = await web.videos.get(ctx.params.id);
    const hasBody = ctx.req.body !== null &&
      ctx.req.headers.get("content-length") !== "0";
    const body = hasBody ? await readJsonObject(ctx.req, 4096) : {};
    const grant = web.signer.issue(video.id, validateTtl(body.ttlSec));
    // Presented as private: every stream URL carries the new token, whatever the visibility.
    const signed = presentVideo(
      { ...video, visibility: "private" },
      web.settings.publicUrl,
      () => grant.token,
    );
    return json({
      hlsUrl: signed.hlsUrl,
      dashUrl: signed.dashUrl,
      posterUrl: signed.posterUrl,
      thumbnailsUrl: signed.thumbnailsUrl,
      embedUrl: `${signed.embedUrl}?token=${grant.token}`,
      token: grant.token,
      expiresAt: grant.expiresAt.toISOString(),
    });
  },
});
