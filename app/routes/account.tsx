// The signed-in person's own details: name and language; role and drafting-group status.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { failure } from "~/components/action-data";
import { Field, FormError, Notice } from "~/components/Field";
import { db } from "~/db.server";
import { ProfileSchema } from "~/domain/schemas";
import { useT } from "~/hooks";
import { handleAction, parseForm } from "~/http.server";
import { updateProfile } from "~/models/users.server";
import { requireUser } from "~/session.server";
import { pageTitle } from "~/components/meta";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "account.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return {
    email: user.email,
    displayName: user.display_name,
    role: user.role,
    organisationName: user.organisation_name,
    inDraftingGroup: user.role === "influencer" ? user.in_drafting_group : true,
    locale: user.locale,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  return handleAction(request, user, async () => {
    const input = await parseForm(request, ProfileSchema);
    await updateProfile(db(), user.id, input);
    return json({ ok: true as const });
  });
}

export default function Account() {
  const t = useT();
  const me = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const result = failure(data);
  return (
    <section className="narrow" aria-labelledby="account-title">
      <h1 id="account-title">{t("account.title")}</h1>
      {data && !result ? <Notice>{t("account.saved")}</Notice> : null}
      <dl className="facts">
        <dt>{t("login.email")}</dt>
        <dd>{me.email}</dd>
        <dt>{t("account.role")}</dt>
        <dd>{t(`role.${me.role}`)}</dd>
        {me.organisationName ? (
          <>
            <dt>{t("account.organisation")}</dt>
            <dd>{me.organisationName}</dd>
          </>
        ) : null}
        <dt>{t("account.draftingGroup")}</dt>
        <dd>{me.inDraftingGroup ? t("account.inGroup") : t("account.notInGroup")}</dd>
      </dl>
      <Form method="post" noValidate>
        <FormError message={result?.formError} />
        <Field name="displayName" label={t("signup.displayName")} defaultValue={me.displayName} required maxLength={80} error={result?.fieldErrors.displayName} />
        <div className="field">
          <label htmlFor="field-locale">{t("account.language")}</label>
          <select id="field-locale" name="locale" defaultValue={me.locale}>
            <option value="nl-BE">Nederlands</option>
            <option value="en">English</option>
          </select>
        </div>
        <button type="submit" className="button">
          {t("account.save")}
        </button>
      </Form>
    </section>
  );
}
