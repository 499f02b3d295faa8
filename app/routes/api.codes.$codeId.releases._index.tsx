// Open data: the list of a code's releases as JSON (CORS for GET; ETag, briefly cached).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { config } from "~/config.server";
import { db } from "~/db.server";
import { sharedCache } from "~/http.server";
import { apiError, cachedResponse, corsPreflight, CORS_HEADERS, listReleases, RELEASE_SCHEMA_VERSION, withEtag } from "~/models/releases.server";
import { getCode } from "~/models/sections.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  if (request.method === "OPTIONS") return corsPreflight(request);
  try {
    const code = await getCode(db(), params.codeId ?? "");
    const origin = config().publicOrigin;
    const releases = await listReleases(db(), code.id);
    const body = JSON.stringify({
      schemaVersion: RELEASE_SCHEMA_VERSION,
      code: code.id,
      title: code.title,
      releases: releases.map((r) => ({
        version: r.version,
        major: r.major,
        minor: r.minor,
        publishedAt: r.publishedAt,
        publishedBy: r.publishedBy?.name ?? null,
        notes: r.notes,
        url: `${origin}/codes/${code.id}/releases/${r.version}`,
        json: `${origin}/api/codes/${code.id}/releases/${r.version}`,
      })),
    });
    return cachedResponse(request, withEtag(body), "application/json; charset=utf-8", { ...CORS_HEADERS, "Cache-Control": "public, max-age=60", ...sharedCache(60, [`releases:${code.id}`]) });
  } catch (e) {
    return apiError(e);
  }
}

export const action = ({ request }: ActionFunctionArgs) => corsPreflight(request);
