// Resource route: who wrote which Yjs items of a section (for the editor's "who wrote what"
// colouring): authors with name and colour, and [client, from, to, author] clock ranges.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { db } from "~/db.server";
import { handleLoader } from "~/http.server";
import { sectionAttribution } from "~/models/attribution.server";
import { getSectionForPage } from "~/models/sections.server";
import { authorize } from "~/policies.server";
import { requireUser } from "~/session.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return handleLoader(request, user, async () => {
    authorize(user, "draft.read");
    const { codeId, section } = await getSectionForPage(db(), params.codeId ?? "", params.sectionId ?? "");
    return json(await sectionAttribution(db(), codeId, section.id), { headers: { "Cache-Control": "no-store" } });
  });
}
