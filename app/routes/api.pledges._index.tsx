// Open data: the registry as JSON (active confirmed pledges; same search and pages as /pledges).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { PLEDGE_SCHEMA_VERSION, pledgeJson } from "~/components/pledges/api.server";
import { config } from "~/config.server";
import { db } from "~/db.server";
import { RegistryQuery } from "~/domain/pledges";
import { parseWith } from "~/http.server";
import { listRegistry } from "~/models/pledges.server";
import { apiError, cachedResponse, corsPreflight, CORS_HEADERS, withEtag } from "~/models/releases.server";

export async function loader({ request }: LoaderFunctionArgs) {
  if (request.method === "OPTIONS") return corsPreflight(request);
  try {
    const url = new URL(request.url);
    const query = parseWith(RegistryQuery, Object.fromEntries(url.searchParams));
    const origin = config().publicOrigin;
    const { items, next, counts } = await listRegistry(db(), query);
    const nextUrl = next ? new URL(`${origin}/api/pledges`) : null;
    if (nextUrl) {
      for (const [k, v] of url.searchParams) if (k !== "after") nextUrl.searchParams.set(k, v);
      nextUrl.searchParams.set("after", next!);
    }
    const body = JSON.stringify({ schemaVersion: PLEDGE_SCHEMA_VERSION, counts, pledges: items.map((p) => pledgeJson(p, origin)), next: nextUrl?.toString() ?? null });
    return cachedResponse(request, withEtag(body), "application/json; charset=utf-8", { ...CORS_HEADERS, "Cache-Control": "public, max-age=30" });
  } catch (e) {
    return apiError(e);
  }
}

export const action = ({ request }: ActionFunctionArgs) => corsPreflight(request);
