// A section's version history: every version with its time, authors and word-count change,
// and (for people who may edit) a form to name the current text as a version.
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { failure } from "~/components/action-data";
import { Field, FormError } from "~/components/Field";
import { useVersionLabel } from "~/components/history/VersionLabel";
import { pageTitle } from "~/components/meta";
import { db } from "~/db.server";
import { useLocale, useT } from "~/hooks";
import { formatDateTime } from "~/i18n";
import { handleAction, handleLoader, parseForm, translator } from "~/http.server";
import { listVersions, nameVersion } from "~/models/history.server";
import { getSectionForPage, sectionResource } from "~/models/sections.server";
import { authorize, can } from "~/policies.server";
import { currentUser, requireUser } from "~/session.server";
import historyStyles from "~/styles/history.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: historyStyles }];

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => pageTitle(matches, "history.title", { title: data?.section.title ?? "" });

const NameVersionSchema = z.object({
  intent: z.literal("name", { message: "field.invalid" }),
  name: z.string().trim().min(1, "field.required").max(120, "field.tooLong"),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return handleLoader(request, user, async () => {
    authorize(user, "draft.read");
    const { codeId, section } = await getSectionForPage(db(), params.codeId ?? "", params.sectionId ?? "");
    const versions = await listVersions(db(), codeId, section.id);
    return {
      codeId,
      section: { id: section.id, title: section.title, position: section.position },
      canEdit: can(user, "section.edit", sectionResource(section)),
      versions,
    };
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await currentUser(request);
  // A POST without a session is refused outright: 403, not a redirect to the login form.
  if (!user) throw json({ message: translator(request)("errors.unauthenticated") }, { status: 403 });
  return handleAction(request, user, async () => {
    const input = await parseForm(request, NameVersionSchema);
    await nameVersion(db(), user, params.codeId ?? "", params.sectionId ?? "", input.name);
    return json({ ok: true as const, named: input.name });
  });
}

export default function History() {
  const t = useT();
  const locale = useLocale();
  const label = useVersionLabel();
  const { codeId, section, canEdit, versions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const error = failure(result);
  const named = result && "named" in result ? result.named : null;
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const base = `/codes/${codeId}/sections/${section.id}`;
  return (
    <article aria-labelledby="history-title" className="history-page">
      <p>
        <Link to={base}>← {t("history.backToSection")}</Link>
      </p>
      <h1 id="history-title">{t("history.title", { title: section.title })}</h1>
      <p className="lead">{t("history.intro")}</p>
      {params.get("restored") ? (
        <p className="notice notice-ok" role="status">
          {t("history.restored")}
        </p>
      ) : null}
      {named ? (
        <p className="notice notice-ok" role="status">
          {t("history.named", { name: named })}
        </p>
      ) : null}
      {canEdit ? (
        <Form method="post" className="card history-name-form" key={named ?? "form"}>
          <input type="hidden" name="intent" value="name" />
          <FormError message={error?.formError} />
          <Field name="name" label={t("history.nameLabel")} help={t("history.nameHelp")} error={error?.fieldErrors.name} maxLength={120} required />
          <button type="submit" className="button" disabled={busy}>
            {t("history.nameSubmit")}
          </button>
        </Form>
      ) : null}
      {versions.length === 0 ? (
        <p>{t("history.empty")}</p>
      ) : (
        <ol className="version-list" data-testid="versions">
          {versions.map((v) => (
            <li key={v.id} className={`card version version-${v.kind}`} data-version-id={v.id}>
              <h2 className="version-title">
                <Link to={`${base}/history/${v.id}`}>{label(v)}</Link>
              </h2>
              <p className="meta">
                <time dateTime={new Date(v.createdAt).toISOString()}>{formatDateTime(v.createdAt, locale)}</time>
                {" · "}
                <span className="version-delta" aria-label={t("history.deltaLabel", { added: v.wordsAdded, removed: v.wordsRemoved })}>
                  {t("history.delta", { added: v.wordsAdded, removed: v.wordsRemoved })}
                </span>
                {" · "}
                {t("history.words", { count: v.words })}
              </p>
              <p className="meta version-authors">
                {v.authors.length
                  ? t(v.kind === "restore" ? "history.restoredBy" : "history.by", { names: v.authors.map((a) => a || t("user.deleted")).join(", ") })
                  : t("history.noAuthors")}
              </p>
            </li>
          ))}
        </ol>
      )}
    </article>
  );
}
