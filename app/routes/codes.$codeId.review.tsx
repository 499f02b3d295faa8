// The review overview for everyone signed in: sections × organisations with their states. The
// ministry also sees what blocks a release, edits the required organisations per section, and
// reads the moderation trail (hidden comments, locks).
import { type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { ReviewStateTag } from "~/components/comments/ReviewPanel";
import { db } from "~/db.server";
import { useLocale, useT } from "~/hooks";
import { handleLoader } from "~/http.server";
import { formatDateTime } from "~/i18n";
import { moderationTrail } from "~/models/comments.server";
import { readiness } from "~/models/reviews.server";
import { getCode, listSections } from "~/models/sections.server";
import { authorize, can } from "~/policies.server";
import { requireUser } from "~/session.server";
import commentsStyles from "~/styles/comments.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: commentsStyles }];
export const meta: MetaFunction = () => [{ title: "Nalezing · Codewerf" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return handleLoader(request, user, async () => {
    authorize(user, "draft.read");
    const code = await getCode(db(), params.codeId ?? "");
    const [rows, sections] = await Promise.all([readiness(db(), code.id), listSections(db(), code.id)]);
    const ministry = can(user, "section.manage");
    const organisations = ministry
      ? await db().selectFrom("organisations").select(["id", "name"]).where("kind", "=", "expert").orderBy("name").execute()
      : [];
    const trail = ministry ? await moderationTrail(db(), code.id, 50) : [];
    const orgColumns = [...new Map(rows.flatMap((r) => r.cells.map((c) => [c.organisationId, c.organisationName] as const))).entries()].sort((a, b) => a[1].localeCompare(b[1]));
    return {
      codeId: code.id,
      ministry,
      orgColumns,
      organisations,
      sections: sections.map((s) => {
        const r = rows.find((x) => x.sectionId === s.id)!;
        return {
          id: s.id,
          title: s.title,
          position: s.position,
          ready: r?.ready ?? false,
          cells: (r?.cells ?? []).map((c) => ({ organisationId: c.organisationId, organisationName: c.organisationName, state: c.state, at: c.at ? c.at.toISOString() : null, by: c.by })),
        };
      }),
      trail: trail.map((e) => ({ id: String(e.id), at: new Date(e.at).toISOString(), action: e.action, subject: e.subject_id, actor: e.actor_name ?? "", data: e.data as Record<string, unknown> })),
    };
  });
}

export default function ReviewOverview() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const blocking = data.sections.filter((s) => !s.ready);
  return (
    <section aria-labelledby="review-overview-title">
      <h1 id="review-overview-title">{t("review.overview")}</h1>
      <p>{t("review.overviewIntro")}</p>
      <div className="table-scroll">
        <table className="review-matrix" data-testid="review-matrix">
          <thead>
            <tr>
              <th scope="col">{t("review.section")}</th>
              {data.orgColumns.map(([id, name]) => (
                <th key={id} scope="col">
                  {name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.sections.map((s) => (
              <tr key={s.id} data-section={s.id} data-ready={s.ready ? "yes" : "no"}>
                <th scope="row">
                  <Link to={`/codes/${data.codeId}/sections/${s.id}#review`}>
                    {s.position}. {s.title}
                  </Link>{" "}
                  <span className={s.ready ? "tag tag-ok" : "tag"}>{s.ready ? t("review.ready") : t("review.notReady")}</span>
                </th>
                {data.orgColumns.map(([id]) => {
                  const c = s.cells.find((x) => x.organisationId === id);
                  return c ? (
                    <td key={id} data-organisation={id} data-state={c.state}>
                      <ReviewStateTag state={c.state} />
                      {c.at ? (
                        <>
                          <br />
                          <small className="muted">{t("review.by", { name: c.by || t("user.deleted"), when: formatDateTime(c.at, locale) })}</small>
                        </>
                      ) : null}
                    </td>
                  ) : (
                    <td key={id} className="not-required" aria-label="—">
                      —
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {data.ministry ? (
        <>
          <h2>{t("review.blocking")}</h2>
          {blocking.length === 0 ? (
            <p className="notice notice-ok">{t("review.nothingBlocks")}</p>
          ) : (
            <ul data-testid="blocking">
              {blocking.map((s) => (
                <li key={s.id}>
                  {t("review.blockedBy", {
                    section: `${s.position}. ${s.title}`,
                    orgs: s.cells
                      .filter((c) => c.state !== "approved")
                      .map((c) => `${c.organisationName} (${t(`review.state.${c.state}`)})`)
                      .join(", ") || "—",
                  })}
                </li>
              ))}
            </ul>
          )}

          <h2>{t("review.reviewers")}</h2>
          {data.sections.map((s) => (
            <details key={s.id}>
              <summary>
                {s.position}. {s.title}: {s.cells.map((c) => c.organisationName).join(", ") || "—"}
              </summary>
              <Form method="post" action={`/codes/${data.codeId}/sections/${s.id}/review`}>
                <input type="hidden" name="intent" value="reviewers" />
                <fieldset>
                  <legend className="visually-hidden">{t("review.reviewers")}</legend>
                  {data.organisations.map((o) => (
                    <label key={o.id} style={{ display: "inline-block", marginRight: "1rem" }}>
                      <input type="checkbox" name={`org:${o.id}`} defaultChecked={s.cells.some((c) => c.organisationId === o.id)} /> {o.name}
                    </label>
                  ))}
                </fieldset>
                <button type="submit" className="button button-small">
                  {t("review.saveReviewers")}
                </button>
              </Form>
            </details>
          ))}

          <h2>{t("review.moderation")}</h2>
          {data.trail.length === 0 ? (
            <p>{t("review.moderationEmpty")}</p>
          ) : (
            <ul data-testid="moderation-trail">
              {data.trail.map((e) => (
                <li key={e.id}>
                  <time dateTime={e.at}>{formatDateTime(e.at, locale)}</time> — {e.actor || t("user.deleted")} {t(`review.audit.${e.action}`)} {e.subject}
                  {typeof e.data.reason === "string" ? <> — “{e.data.reason}”</> : null}
                </li>
              ))}
            </ul>
          )}
        </>
      ) : null}
    </section>
  );
}
