// One section: the live editor over its text (rendered on the server for the first paint),
// reviewers and whether you may edit.
import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { SectionDiscussion } from "~/components/comments/SectionDiscussion";
import { HistoryBar, useAttribution } from "~/components/history/AttributionPanel";
import { db } from "~/db.server";
import { useT } from "~/hooks";
import { handleLoader, privateCache, privateCacheFromLoader } from "~/http.server";
import { docName } from "~/domain/richtext";
import { getSectionForPage, sectionResource, sectionText } from "~/models/sections.server";
import { authorize, readOnlyReason } from "~/policies.server";
import { requireUser } from "~/session.server";
import editorStyles from "~/styles/editor.css";
import sectionTextStyles from "~/components/editor/section-text.css";
import commentsStyles from "~/styles/comments.css";
import historyStyles from "~/styles/history.css";
import { sectionDiscussion } from "~/models/comments.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: editorStyles },
  { rel: "stylesheet", href: sectionTextStyles },
  { rel: "stylesheet", href: commentsStyles },
  { rel: "stylesheet", href: historyStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.section.title} · Codewerf` : "Codewerf" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return handleLoader(request, user, async () => {
    authorize(user, "draft.read");
    const { codeId, section, docVersion } = await getSectionForPage(db(), params.codeId ?? "", params.sectionId ?? "");
    const text = await sectionText(db(), codeId, section.id, docVersion);
    const data = {
      codeId,
      section: { id: section.id, title: section.title, position: section.position, reviewers: section.reviewers, locked: section.locked },
      html: text.html,
      words: text.words,
      readOnlyReason: readOnlyReason(user, sectionResource(section)),
      user: { id: user.id, name: user.display_name },
      discussion: await sectionDiscussion(db(), user, codeId, section.id, section.reviewers.map((r) => r.id)),
    };
    // Everything above besides the text is covered by the section's change notices (and the
    // person's own and the global ones); the text by the document version read first.
    return json(data, { headers: privateCache({ userId: user.id, doc: docName(codeId, section.id), docVersion, scopes: [`s:${codeId}/${section.id}`] }) });
  });
}

export const headers = privateCacheFromLoader;

export default function SectionPage() {
  const t = useT();
  const { codeId, section, html, words, readOnlyReason, user, discussion } = useLoaderData<typeof loader>();
  const attribution = useAttribution(codeId, section.id, user);
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
      <HistoryBar codeId={codeId} sectionId={section.id} attribution={attribution} />
      <SectionDiscussion
        editor={{ codeId, sectionId: section.id, user, initialHtml: html, readOnlyReason, extensions: attribution.extensions, onReady: attribution.onReady }}
        discussion={discussion}
      />
    </article>
  );
}
