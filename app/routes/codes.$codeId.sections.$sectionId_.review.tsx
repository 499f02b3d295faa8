// Review actions on one section: approve, request changes (the comment becomes a thread), and
// (ministry) set the required organisations. Rights are decided by the policy module: a
// crafted POST by anyone else gets 403, a second approval of the same text 409.
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { db } from "~/db.server";
import { AppError } from "~/domain/errors";
import { handleAction, handleLoader, parseWith, readForm } from "~/http.server";
import { checkBody, createThread } from "~/models/comments.server";
import { notifyReviewRequest } from "~/models/notifications.server";
import { changesSinceApproval, sectionReviews, setSectionReviewers, submitReview } from "~/models/reviews.server";
import { getSection, sectionResource } from "~/models/sections.server";
import { authorize } from "~/policies.server";
import { requireUser } from "~/session.server";

const ReviewSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("approve") }),
  z.object({ intent: z.literal("request_changes"), body: z.string() }),
  z.object({ intent: z.literal("reviewers") }),
]);

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return handleLoader(request, user, async () => {
    authorize(user, "draft.read");
    const codeId = params.codeId ?? "";
    const sectionId = params.sectionId ?? "";
    const cells = await sectionReviews(db(), codeId, sectionId);
    const redlines = await Promise.all(
      cells.filter((c) => c.state === "stale").map(async (c) => ({ organisationId: c.organisationId, parts: await changesSinceApproval(db(), codeId, sectionId, c.organisationId) })),
    );
    return json({ cells, redlines });
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const codeId = params.codeId ?? "";
  const sectionId = params.sectionId ?? "";
  // Remix strips `_data` before the action runs, so enhanced forms say so with `?fetch=1`.
  const fromFetcher = new URL(request.url).searchParams.has("fetch") || (request.headers.get("Accept") ?? "").includes("application/json");
  return handleAction(request, user, async () => {
    const form = await readForm(request);
    const input = parseWith(ReviewSchema, form);
    let threadId: string | undefined;
    if (input.intent === "approve") {
      await submitReview(db(), user, codeId, sectionId, "approved");
    } else if (input.intent === "request_changes") {
      const section = await getSection(db(), codeId, sectionId);
      authorize(user, "section.review", sectionResource(section));
      const body = checkBody(input.body);
      ({ threadId } = await createThread(db(), user, { codeId, sectionId, body, kind: "changes_requested" }));
      await submitReview(db(), user, codeId, sectionId, "changes_requested", { threadId });
    } else {
      // One checkbox per organisation, named "org:<id>".
      const ids = Object.keys(form).filter((k) => k.startsWith("org:")).map((k) => k.slice(4));
      if (ids.some((id) => !/^[a-z0-9-]{1,64}$/.test(id))) throw new AppError("INVALID", "review.unknownOrganisation");
      const before = (await getSection(db(), codeId, sectionId)).reviewers.map((r) => r.id);
      await setSectionReviewers(db(), user, codeId, sectionId, ids);
      await notifyReviewRequest(db(), { codeId, sectionId, organisationIds: ids.filter((id) => !before.includes(id)), actorId: user.id, reason: "assigned" });
    }
    if (!fromFetcher) return redirect(input.intent === "reviewers" ? `/codes/${codeId}/review` : `/codes/${codeId}/sections/${sectionId}${threadId ? `#thread-${threadId}` : "#review"}`, 303);
    return json({ ok: true as const, intent: input.intent, threadId: threadId ?? null });
  });
}
