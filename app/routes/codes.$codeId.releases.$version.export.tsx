// Downloads of one immutable release: Markdown, JSON (open data) or standalone printable HTML.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { config } from "~/config.server";
import { db } from "~/db.server";
import { handleLoader, parseWith, sharedCache } from "~/http.server";
import { cachedResponse, CORS_HEADERS, getRelease, IMMUTABLE_CACHE_CONTROL, releaseHtml, releaseJson, releaseMarkdown } from "~/models/releases.server";

const ExportQuery = z.object({ format: z.enum(["md", "json", "html"]) });

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleLoader(request, null, async () => {
    const { format } = parseWith(ExportQuery, Object.fromEntries(new URL(request.url).searchParams));
    const release = await getRelease(db(), params.codeId ?? "", params.version ?? "");
    const file = `${release.codeId}-${release.version}.${format}`;
    const headers = { ...CORS_HEADERS, "Cache-Control": IMMUTABLE_CACHE_CONTROL, "Content-Disposition": `${format === "html" ? "inline" : "attachment"}; filename="${file}"`, ...sharedCache(300, [`releases:${release.codeId}`]) };
    if (format === "md") return cachedResponse(request, releaseMarkdown(release), "text/markdown; charset=utf-8", headers);
    if (format === "json") return cachedResponse(request, releaseJson(release, config().publicOrigin), "application/json; charset=utf-8", headers);
    // The export holds no script at all; forbid any just the same.
    return cachedResponse(request, releaseHtml(release), "text/html; charset=utf-8", { ...headers, "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:" });
  });
}
