// One section: its current text (rendered on the server), reviewers and whether you may edit.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { db } from "~/db.server";
import { useT } from "~/hooks";
import { handleLoader } from "~/http.server";
import { getSectionForPage, sectionResource, sectionText } from "~/models/sections.server";
import { authorize, readOnlyReason } from "~/policies.server";
import { requireUser } from "~/session.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.section.title} · Codewerf` : "Codewerf" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return handleLoader(request, user, async () => {
    authorize(user, "draft.read");
    const { codeId, section, docVersion } = await getSectionForPage(db(), params.codeId ?? "", params.sectionId ?? "");
    const text = await sectionText(db(), codeId, section.id, docVersion);
    return {
      codeId,
      section: { id: section.id, title: section.title, position: section.position, reviewers: section.reviewers, locked: section.locked },
      html: text.html,
      words: text.words,
      readOnlyReason: readOnlyReason(user, sectionResource(section)),
    };
  });
}

export default function SectionPage() {
  const t = useT();
  const { codeId, section, html, words, readOnlyReason } = useLoaderData<typeof loader>();
  return (
    <article aria-labelledby="section-title" className="section-page">
      <p>
        <Link to={`/codes/${codeId}`}>← {t("section.backToDraft")}</Link>
      </p>
      <h1 id="section-title">
        <span className="section-number">{section.position}.</span> {section.title}
      </h1>
      <p className="meta">
        {t("draft.reviewers")}: {section.reviewers.map((r) => r.name).join(", ")} · {t("section.words", { count: words })}
      </p>
      {readOnlyReason ? (
        <p className="notice" data-testid="read-only">
          <strong>{t("section.readOnly")}:</strong> {t(`section.reason.${readOnlyReason}`)}
        </p>
      ) : (
        <p className="notice notice-ok" data-testid="can-edit">
          {t("section.canEdit")}
        </p>
      )}
      {html ? <div className="prose" dangerouslySetInnerHTML={{ __html: html }} /> : <p>{t("section.empty")}</p>}
    </article>
  );
}
