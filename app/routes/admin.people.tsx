// Ministry: invite experts and agencies, admit influencers to the drafting group, suspend.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { failure } from "~/components/action-data";
import { Field, FormError, Notice } from "~/components/Field";
import { db } from "~/db.server";
import { InviteSchema, UserFlagSchema } from "~/domain/schemas";
import { useT } from "~/hooks";
import { handleAction, handleLoader, parseWith, readForm } from "~/http.server";
import { inviteMember, listOrganisations, listPeople, setUserFlag } from "~/models/users.server";
import { authorize } from "~/policies.server";
import { requireUser } from "~/session.server";
import { pageTitle } from "~/components/meta";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "people.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return handleLoader(request, user, async () => {
    authorize(user, "users.manage");
    const [people, organisations] = await Promise.all([listPeople(db()), listOrganisations(db())]);
    return { me: user.id, people, organisations: organisations.filter((o) => o.kind !== "ministry").map((o) => ({ id: o.id, name: o.name, kind: o.kind })) };
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  return handleAction(request, user, async () => {
    const form = await readForm(request);
    if (form.intent === "invite") {
      await inviteMember(db(), user, parseWith(InviteSchema, form));
      return json({ ok: true as const, message: "people.invite.sent" });
    }
    const input = parseWith(UserFlagSchema, form);
    await setUserFlag(db(), user, input.userId, input.intent);
    return json({ ok: true as const, message: "people.updated" });
  });
}

export default function People() {
  const t = useT();
  const { people, organisations, me } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const result = failure(data);
  return (
    <section aria-labelledby="people-title">
      <h1 id="people-title">{t("people.title")}</h1>
      <p>{t("people.intro")}</p>
      {data && "message" in data ? <Notice>{t(data.message)}</Notice> : null}
      <FormError message={result?.formError} />
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">{t("people.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("people.name")}</th>
              <th scope="col">{t("people.role")}</th>
              <th scope="col">{t("people.status")}</th>
              <th scope="col">{t("people.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {people.map((p) => (
              <tr key={p.id}>
                <td>
                  <strong>{p.display_name}</strong>
                  <br />
                  <span className="meta">{p.email}</span>
                </td>
                <td>
                  {t(`role.${p.role}`)}
                  {p.organisation_name ? <span className="meta"> · {p.organisation_name}</span> : null}
                </td>
                <td>
                  <ul className="tags">
                    {p.suspended_at ? <li className="tag tag-warn">{t("people.suspended")}</li> : <li className="tag">{t("people.active")}</li>}
                    {p.invited ? <li className="tag">{t("people.invited")}</li> : null}
                    {!p.email_confirmed_at && !p.invited ? <li className="tag">{t("people.unconfirmed")}</li> : null}
                    {p.role === "influencer" && p.in_drafting_group ? <li className="tag tag-ok">{t("people.inGroup")}</li> : null}
                  </ul>
                </td>
                <td>
                  <div className="row-actions">
                    {p.role === "influencer" ? (
                      <Form method="post">
                        <input type="hidden" name="userId" value={p.id} />
                        <button
                          className="button button-small"
                          name="intent"
                          value={p.in_drafting_group ? "dismiss" : "admit"}
                          aria-label={`${t(p.in_drafting_group ? "people.dismiss" : "people.admit")}: ${p.display_name}`}
                        >
                          {t(p.in_drafting_group ? "people.dismiss" : "people.admit")}
                        </button>
                      </Form>
                    ) : null}
                    {p.id !== me ? (
                      <Form method="post">
                        <input type="hidden" name="userId" value={p.id} />
                        <button
                          className="button button-small button-secondary"
                          name="intent"
                          value={p.suspended_at ? "unsuspend" : "suspend"}
                          aria-label={`${t(p.suspended_at ? "people.unsuspend" : "people.suspend")}: ${p.display_name}`}
                        >
                          {t(p.suspended_at ? "people.unsuspend" : "people.suspend")}
                        </button>
                      </Form>
                    ) : null}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2 id="invite-title">{t("people.invite.title")}</h2>
      <Form method="post" noValidate aria-labelledby="invite-title" className="narrow">
        <input type="hidden" name="intent" value="invite" />
        <Field name="displayName" label={t("people.name")} required maxLength={80} error={result?.fieldErrors.displayName} />
        <Field name="email" type="email" label={t("people.email")} required error={result?.fieldErrors.email} />
        <div className="field">
          <label htmlFor="field-role">{t("people.role")}</label>
          <select id="field-role" name="role" defaultValue="expert">
            <option value="expert">{t("role.expert")}</option>
            <option value="agency">{t("role.agency")}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="field-organisation">{t("people.organisation")}</label>
          <select id="field-organisation" name="organisationId">
            {organisations.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name} ({t(`orgs.kind.${o.kind}`)})
              </option>
            ))}
          </select>
          {result?.fieldErrors.organisationId ? <p className="field-message">{result.fieldErrors.organisationId}</p> : null}
        </div>
        <button type="submit" className="button">
          {t("people.invite.submit")}
        </button>
      </Form>
    </section>
  );
}
