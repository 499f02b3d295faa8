// The ministry publishes the draft as a new, immutable version: readiness matrix, the proposed
// version numbers, release notes, "waarom dit veranderde" per changed section, and overrides.
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { failure } from "~/components/action-data";
import { FormError } from "~/components/Field";
import { pageTitle } from "~/components/meta";
import { db } from "~/db.server";
import { useT } from "~/hooks";
import { handleAction, handleLoader, parseWith, readForm } from "~/http.server";
import { publishPreview, publishRelease } from "~/models/releases.server";
import { authorize } from "~/policies.server";
import { requireUser } from "~/session.server";
import releasesCss from "~/styles/releases.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: releasesCss }];

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "release.publish.title");

const SECTION_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

const PublishForm = z.object({
  kind: z.enum(["minor", "major"]),
  expectedLatest: z.string().max(20),
  notes: z.string().trim().max(4000),
});

/** The fixed fields, plus `why.<sectionId>` notes and `override.<sectionId>` + `reason.<sectionId>` pairs. */
function parsePublishForm(form: Record<string, string>) {
  const base = parseWith(PublishForm, form);
  const whyChanged: Record<string, string> = {};
  const overrides: { sectionId: string; reason: string }[] = [];
  for (const [key, value] of Object.entries(form)) {
    const [prefix, id] = key.split(".", 2);
    if (!id || !SECTION_ID.test(id)) continue;
    if (prefix === "why") whyChanged[id] = value.slice(0, 2000);
    if (prefix === "override" && value === "on") overrides.push({ sectionId: id, reason: (form[`reason.${id}`] ?? "").slice(0, 2000) });
  }
  return { ...base, whyChanged, overrides };
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return handleLoader(request, user, async () => {
    const preview = await publishPreview(db(), user, params.codeId ?? "");
    const titles = new Map(preview.sections.map((s) => [s.id, s.title]));
    return {
      codeId: params.codeId ?? "",
      latest: preview.latest?.version ?? "",
      proposed: preview.proposed,
      readiness: preview.readiness.map((r) => ({ ...r, title: titles.get(r.sectionId) ?? r.sectionId })),
      sections: preview.sections,
    };
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  return handleAction(request, user, async () => {
    authorize(user, "release.publish");
    const input = parsePublishForm(await readForm(request));
    const release = await publishRelease(db(), user, { codeId: params.codeId ?? "", ...input });
    return redirect(`/codes/${release.codeId}/releases/${release.version}?published=1`);
  });
}

export default function Publish() {
  const t = useT();
  const { latest, proposed, readiness, sections } = useLoaderData<typeof loader>();
  const result = failure(useActionData<typeof action>());
  const busy = useNavigation().state === "submitting";
  const unready = sections.filter((s) => !s.ready);
  const changed = sections.filter((s) => s.changed);
  return (
    <section aria-labelledby="publish-title">
      <h1 id="publish-title">{t("release.publish.title")}</h1>
      <p className="lead">{t("release.publish.intro")}</p>
      <p>{latest ? t("release.publish.latest", { version: latest }) : t("release.publish.first")}</p>

      <section className="card" aria-labelledby="readiness-title">
        <h2 id="readiness-title">{t("release.publish.readiness")}</h2>
        <div className="table-scroll">
          <table className="readiness-table" data-testid="readiness">
            <thead>
              <tr>
                <th scope="col">{t("release.publish.section")}</th>
                <th scope="col">{t("draft.reviewers")}</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {readiness.map((r) => (
                <tr key={r.sectionId} data-section={r.sectionId} data-ready={r.ready ? "yes" : "no"}>
                  <th scope="row">{r.title}</th>
                  <td>{r.cells.length ? r.cells.map((c) => `${c.organisationName}: ${t(`release.state.${c.state}`)}`).join(" · ") : "–"}</td>
                  <td>{r.ready ? <span className="tag tag-ok">{t("release.publish.ready")}</span> : <span className="tag tag-warn">{t("release.publish.notReady")}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <Form method="post" className="publish-form" noValidate>
        <FormError message={result?.formError} />
        <input type="hidden" name="expectedLatest" value={latest} />
        <fieldset>
          <legend>{t("release.publish.kind")}</legend>
          <label className="choice">
            <input type="radio" name="kind" value="minor" defaultChecked /> {t("release.publish.minor", { version: proposed.minor })}
          </label>
          <label className="choice">
            <input type="radio" name="kind" value="major" /> {t("release.publish.major", { version: proposed.major })}
          </label>
        </fieldset>
        <fieldset>
          <legend>
            <label htmlFor="field-notes">{t("release.publish.notes")}</label>
          </legend>
          <p className="field-help" id="notes-help">
            {t("release.publish.notesHelp")}
          </p>
          <textarea id="field-notes" name="notes" rows={4} aria-describedby="notes-help" maxLength={4000} />
        </fieldset>
        <fieldset>
          <legend>{t("release.publish.changed")}</legend>
          {changed.length === 0 ? <p>{t("release.publish.noChanges")}</p> : null}
          {changed.map((s) => (
            <div className="field" key={s.id}>
              <label htmlFor={`why-${s.id}`}>{t("release.publish.whyChanged", { title: s.title })}</label>
              <textarea id={`why-${s.id}`} name={`why.${s.id}`} rows={2} defaultValue={s.whyChanged} maxLength={2000} />
            </div>
          ))}
        </fieldset>
        {unready.length ? (
          <fieldset data-testid="overrides">
            <legend>{t("release.publish.overrides")}</legend>
            <p>{t("release.publish.overridesIntro")}</p>
            {unready.map((s) => {
              const error = result?.fieldErrors[`override.${s.id}`];
              return (
                <div className={error ? "field field-error" : "field"} key={s.id}>
                  <label className="choice">
                    <input type="checkbox" name={`override.${s.id}`} /> {t("release.publish.override", { title: s.title })}
                  </label>
                  <label htmlFor={`reason-${s.id}`}>{t("release.publish.reason")}</label>
                  <input type="text" id={`reason-${s.id}`} name={`reason.${s.id}`} maxLength={2000} aria-invalid={error ? true : undefined} aria-describedby={error ? `reason-${s.id}-error` : undefined} />
                  {error ? (
                    <p className="field-message" id={`reason-${s.id}-error`}>
                      {error}
                    </p>
                  ) : null}
                </div>
              );
            })}
          </fieldset>
        ) : null}
        <button type="submit" className="button" disabled={busy}>
          {t("release.publish.submit")}
        </button>
      </Form>
    </section>
  );
}
