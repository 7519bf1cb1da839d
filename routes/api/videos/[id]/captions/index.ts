import {
  define,
  presentCaption,
  streamBase,
  viewerOf,
} from "../../../../../lib/api/mod.ts";
import { json } from "../../../../../lib/http/json.ts";

/** Caption URLs as the owner's Video JSON has them (signed for a private video). */
async function baseOf(
  web: Parameters<typeof viewerOf>[1],
  id: string,
): Promise<string> {
  const v = await web.videos.get(id);
  return streamBase(v, web.settings.publicUrl, (i) => web.signer.forViews(i))!;
}

export const handler = define.handlers({
  /** The video's captions, by language tag: `[{ lang, label, url }]`. */
  async GET(ctx) {
    const { web } = ctx.state;
    const viewer = await viewerOf(ctx.req, web);
    await web.videos.get(ctx.params.id, viewer.owner);
    const list = await web.captions.list(ctx.params.id);
    const base = await baseOf(web, ctx.params.id);
    return json(list.map((c) => presentCaption(base, c)));
  },

  /** Multipart `file` (.vtt/.srt, ≤ 1 MiB), `lang` (BCP 47), optional `label`; replaces a language. */
  async POST(ctx) {
    const { web } = ctx.state;
    const c = await web.captions.add(ctx.params.id, ctx.req);
    return json(presentCaption(await baseOf(web, ctx.params.id), c), {
      status: 201,
      headers: {
        location: `/api/videos/${ctx.params.id}/captions/${c.lang}`,
      },
    });
  },
});
