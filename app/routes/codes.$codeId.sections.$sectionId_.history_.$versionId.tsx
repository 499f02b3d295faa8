// One version of a section, read-only (rendered on the server through the schema), its redline
// against the current text or another version, and (for people who may edit) restoring it.
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { failure } from "~/components/action-data";
import { FormError } from "~/components/Field";
import { Redline } from "~/components/history/Redline";
import { useVersionLabel } from "~/components/history/VersionLabel";
import { pageTitle } from "~/components/meta";
import { db } from "~/db.server";
import { useLocale, useT } from "~/hooks";
import { formatDateTime } from "~/i18n";
import { handleAction, handleLoader, parseForm, translator } from "~/http.server";
import { currentPlainText, getVersion, listVersions, redline, restoreVersion } from "~/models/history.server";
import { getSectionForPage, sectionResource } from "~/models/sections.server";
import { authorize, can } from "~/policies.server";
import { currentUser, requireUser } from "~/session.server";
import historyStyles from "~/styles/history.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: historyStyles }];

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => pageTitle(matches, "history.title", { title: data?.section.title ?? "" });

const RestoreSchema = z.object({ intent: z.literal("restore", { message: "field.invalid" }) });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return handleLoader(request, user, async () => {
    authorize(user, "draft.read");
    const { codeId, section } = await getSectionForPage(db(), params.codeId ?? "", params.sectionId ?? "");
    const version = await getVersion(db(), codeId, section.id, params.versionId ?? "");
    const against = new URL(request.url).searchParams.get("against") ?? "current";
    const [versions, otherText] = await Promise.all([
      listVersions(db(), codeId, section.id),
      against === "current"
        ? currentPlainText(db(), codeId, section.id)
        : getVersion(db(), codeId, section.id, against).then((v) => v.text),
    ]);
    return {
      codeId,
      section: { id: section.id, title: section.title },
      canEdit: can(user, "section.edit", sectionResource(section)),
      version: { id: version.id, kind: version.kind, name: version.name, createdAt: version.createdAt, restoredFrom: version.restoredFrom, html: version.html, words: version.words },
      against,
      others: versions.filter((v) => v.id !== version.id),
      parts: redline(version.text, otherText),
    };
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await currentUser(request);
  // A POST without a session is refused outright: 403, not a redirect to the login form.
  if (!user) throw json({ message: translator(request)("errors.unauthenticated") }, { status: 403 });
  return handleAction(request, user, async () => {
    await parseForm(request, RestoreSchema);
    const codeId = params.codeId ?? "";
    const sectionId = params.sectionId ?? "";
    await restoreVersion(db(), user, codeId, sectionId, params.versionId ?? "");
    return redirect(`/codes/${codeId}/sections/${sectionId}/history?restored=1`);
  });
}

export default function Version() {
  const t = useT();
  const locale = useLocale();
  const label = useVersionLabel();
  const { codeId, section, canEdit, version, against, others, parts } = useLoaderData<typeof loader>();
  const error = failure(useActionData<typeof action>());
  const busy = useNavigation().state === "submitting";
  const base = `/codes/${codeId}/sections/${section.id}`;
  const when = formatDateTime(version.createdAt, locale);
  const againstVersion = others.find((v) => v.id === against);
  const againstLabel = againstVersion ? `“${label(againstVersion)}” (${formatDateTime(againstVersion.createdAt, locale)})` : t("history.current");
  return (
    <article aria-labelledby="version-title" className="history-page">
      <p>
        <Link to={`${base}/history`}>← {t("history.backToList")}</Link>
      </p>
      <h1 id="version-title">{label(version)}</h1>
      <p className="meta">
        {section.title} · <time dateTime={new Date(version.createdAt).toISOString()}>{when}</time> · {t("history.words", { count: version.words })}
      </p>
      <p className="notice">{t("history.readOnly", { when })}</p>
      {version.html ? (
        <div className="prose version-text" data-testid="version-text" dangerouslySetInnerHTML={{ __html: version.html }} />
      ) : (
        <p>{t("section.empty")}</p>
      )}

      {canEdit ? (
        <Form method="post" className="card restore-form">
          <input type="hidden" name="intent" value="restore" />
          <FormError message={error?.formError} />
          <p>{t("history.restoreHelp")}</p>
          <button type="submit" className="button" disabled={busy}>
            {t("history.restore")}
          </button>
        </Form>
      ) : null}

      <section aria-labelledby="redline-title" className="redline-section">
        <h2 id="redline-title">{t("history.redlineTitle", { against: againstLabel })}</h2>
        <Form method="get" className="compare-form">
          <label htmlFor="against">{t("history.compareWith")}</label>{" "}
          <select id="against" name="against" defaultValue={against}>
            <option value="current">{t("history.current")}</option>
            {others.map((v) => (
              <option key={v.id} value={v.id}>
                {label(v)} · {formatDateTime(v.createdAt, locale)}
              </option>
            ))}
          </select>{" "}
          <button type="submit" className="button button-small button-secondary">
            {t("history.compare")}
          </button>
        </Form>
        <p className="meta">{t("history.redlineLegend", { against: againstLabel })}</p>
        <Redline parts={parts} />
      </section>
    </article>
  );
}
