// A section's comment threads: GET gives them as JSON (the panel refreshes from here when the
// live stream says something changed); POST runs one intent (create, reply, edit, delete,
// resolve, reopen, hide, unhide). Without JavaScript a POST redirects back to the section.
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { db } from "~/db.server";
import { handleAction, handleLoader, parseWith, readForm } from "~/http.server";
import { CommentActionSchema, listThreads, runCommentAction } from "~/models/comments.server";
import { authorize } from "~/policies.server";
import { requireUser } from "~/session.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return handleLoader(request, user, async () => {
    authorize(user, "draft.read");
    const threads = await listThreads(db(), user, params.codeId ?? "", params.sectionId ?? "");
    return json({ threads }, { headers: { "Cache-Control": "no-store" } });
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const codeId = params.codeId ?? "";
  const sectionId = params.sectionId ?? "";
  // Remix strips `_data` before the action runs, so enhanced forms say so with `?fetch=1`.
  const fromFetcher = new URL(request.url).searchParams.has("fetch") || (request.headers.get("Accept") ?? "").includes("application/json");
  return handleAction(request, user, async () => {
    const input = parseWith(CommentActionSchema, await readForm(request));
    const result = await runCommentAction(db(), user, codeId, sectionId, input);
    if (!fromFetcher) {
      const anchor = result.threadId ? `#thread-${result.threadId}` : "";
      return redirect(`/codes/${codeId}/sections/${sectionId}${anchor}`, 303);
    }
    return json({ ok: true as const, ...result });
  });
}
