// The draft: its sections in order, who reviews each, and which are locked.
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { failure } from "~/components/action-data";
import { LiveSectionStatus, useLiveSections, type LiveSection } from "~/components/editor/LiveSectionStatus";
import { FormError } from "~/components/Field";
import { db } from "~/db.server";
import { SectionLockSchema } from "~/domain/schemas";
import { useLocale, useT } from "~/hooks";
import { formatDateTime } from "~/i18n";
import { handleAction, handleLoader, parseForm } from "~/http.server";
import { recentEvents } from "~/models/audit.server";
import { lastChanges, presenceRegistry } from "~/models/presence.server";
import { getCode, listSections, sectionResource, setSectionLock } from "~/models/sections.server";
import { authorize, can } from "~/policies.server";
import { requireUser } from "~/session.server";
import { pageTitle } from "~/components/meta";
import editorStyles from "~/styles/editor.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: editorStyles }];

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => pageTitle(matches, "draft.title", { title: data?.code.title ?? "" });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return handleLoader(request, user, async () => {
    authorize(user, "draft.read");
    const code = await getCode(db(), params.codeId ?? "");
    const [sections, events, changes] = await Promise.all([listSections(db(), code.id), recentEvents(db(), "section", `${code.id}/`), lastChanges(db(), code.id)]);
    const live: Record<string, LiveSection> = Object.fromEntries(
      sections.map((s) => [s.id, { here: [], change: { at: new Date(s.updatedAt).toISOString(), by: [] } }]),
    );
    for (const p of presenceRegistry().presence(code.id)) if (live[p.sectionId]) live[p.sectionId].here = p.here;
    for (const c of changes) if (live[c.sectionId] && c.at > live[c.sectionId].change!.at) live[c.sectionId].change = { at: c.at, by: c.by };
    const titles = new Map(sections.map((s) => [s.id, s.title]));
    return {
      activity: events.map((e) => ({
        id: String(e.id),
        at: e.at,
        action: e.action,
        actor: e.actor_name,
        section: titles.get(e.subject_id.slice(code.id.length + 1)) ?? e.subject_id,
      })),
      code: { id: code.id, title: code.title, description: code.description },
      canLock: can(user, "section.lock"),
      sections: sections.map((s) => ({ ...s, canEdit: can(user, "section.edit", sectionResource(s)) })),
      live,
    };
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  return handleAction(request, user, async () => {
    const input = await parseForm(request, SectionLockSchema);
    await setSectionLock(db(), user, params.codeId ?? "", input.sectionId, input.intent === "lock");
    return json({ ok: true as const });
  });
}

export default function Draft() {
  const t = useT();
  const locale = useLocale();
  const { code, sections, canLock, activity, live: initialLive } = useLoaderData<typeof loader>();
  const live = useLiveSections(code.id, initialLive);
  const result = failure(useActionData<typeof action>());
  const anyEditable = sections.some((s) => s.canEdit);
  return (
    <section aria-labelledby="draft-title">
      <h1 id="draft-title">{t("draft.title", { title: code.title })}</h1>
      <p className="lead">{code.description}</p>
      <p>{t("draft.intro")}</p>
      <p className={anyEditable ? "notice notice-ok" : "notice"} data-testid="edit-rights">
        {anyEditable ? t("draft.canEdit") : t("draft.readOnly")}
      </p>
      <FormError message={result?.formError} />
      <ol className="section-list">
        {sections.map((s) => (
          <li key={s.id} className="card section-card" id={s.id}>
            <h2>
              <Link to={`/codes/${code.id}/sections/${s.id}`}>
                <span className="section-number">{s.position}.</span> {s.title}
              </Link>
            </h2>
            <p className="meta">
              {t("draft.reviewers")}: {s.reviewers.map((r) => r.name).join(", ")}
            </p>
            <LiveSectionStatus sectionId={s.id} state={live[s.id]} />
            <div className="section-state">
              {s.locked ? (
                <span className="tag tag-warn" title={t("draft.lockedHelp")}>
                  🔒 {t("draft.locked")}
                </span>
              ) : (
                <span className="tag">{t("draft.open")}</span>
              )}
              {canLock ? (
                <Form method="post" className="inline-form">
                  <input type="hidden" name="sectionId" value={s.id} />
                  <button
                    type="submit"
                    name="intent"
                    value={s.locked ? "unlock" : "lock"}
                    className="button button-small button-secondary"
                    aria-label={`${s.locked ? t("draft.unlock") : t("draft.lock")}: ${s.title}`}
                  >
                    {s.locked ? t("draft.unlock") : t("draft.lock")}
                  </button>
                </Form>
              ) : null}
            </div>
          </li>
        ))}
      </ol>
      <section aria-labelledby="activity-title">
        <h2 id="activity-title">{t("draft.activity")}</h2>
        {activity.length === 0 ? <p>{t("draft.noActivity")}</p> : null}
        <ul className="activity">
          {activity.map((a) => (
            <li key={a.id}>
              {t(`activity.${a.action}`, { actor: a.actor ?? t("activity.someone"), section: a.section })}{" "}
              <time className="meta" dateTime={String(a.at)}>
                {formatDateTime(a.at, locale)}
              </time>
            </li>
          ))}
        </ul>
      </section>
    </section>
  );
}
