import { define, oembed, toErrorResponse } from "../lib/api/mod.ts";

export const handler = define.handlers({
  /** oEmbed: `?url=<player or embed link>&format=json[&maxwidth=&maxheight=]`. */
  async GET(ctx) {
    const { web } = ctx.state;
    try {
      return await oembed(ctx.url, {
        publicUrl: web.settings.publicUrl,
        signer: web.signer,
        findVisible: (id) => web.videos.find(id, false),
        findAny: (id) => web.videos.find(id, true),
      });
    } catch (err) {
      return toErrorResponse(err);
    }
  },
});
