// The Atom feed of a code's releases.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Feed } from "feed";
import { config } from "~/config.server";
import { db } from "~/db.server";
import { handleLoader, sharedCache } from "~/http.server";
import { cachedResponse, CORS_HEADERS, listReleases, withEtag } from "~/models/releases.server";
import { getCode } from "~/models/sections.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleLoader(request, null, async () => {
    const code = await getCode(db(), params.codeId ?? "");
    const releases = await listReleases(db(), code.id);
    const origin = config().publicOrigin;
    const base = `${origin}/codes/${code.id}`;
    const feed = new Feed({
      title: `${code.title}: versies`,
      description: code.description,
      id: `${base}/releases`,
      link: `${base}/releases`,
      language: "nl-BE",
      updated: releases[0] ? new Date(releases[0].publishedAt) : new Date(code.created_at),
      feedLinks: { atom: `${base}/feed` },
      copyright: "Departement Cultuur, Jeugd en Media",
      generator: "Codewerf",
    });
    for (const r of releases) {
      feed.addItem({
        title: `Versie ${r.version}`,
        id: `${base}/releases/${r.version}`,
        link: `${base}/releases/${r.version}`,
        date: new Date(r.publishedAt),
        published: new Date(r.publishedAt),
        description: r.notes,
        author: r.publishedBy ? [{ name: r.publishedBy.name }] : undefined,
      });
    }
    return cachedResponse(request, withEtag(feed.atom1()), "application/atom+xml; charset=utf-8", { ...CORS_HEADERS, "Cache-Control": "public, max-age=300", ...sharedCache(60, [`releases:${code.id}`]) });
  });
}
