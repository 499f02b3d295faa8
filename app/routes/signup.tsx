// Influencer self-signup: the account works once the e-mailed link is followed.
import type { ActionFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useNavigation } from "@remix-run/react";
import { failure } from "~/components/action-data";
import { Field, FormError } from "~/components/Field";
import { NewPasswordField } from "~/components/NewPasswordForm";
import { db } from "~/db.server";
import { SignupSchema } from "~/domain/schemas";
import { useT } from "~/hooks";
import { handleAction, parseForm, requestLocale } from "~/http.server";
import { signUpInfluencer } from "~/models/users.server";
import { pageTitle } from "~/components/meta";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "signup.title");

export async function action({ request }: ActionFunctionArgs) {
  return handleAction(request, null, async () => {
    const input = await parseForm(request, SignupSchema);
    await signUpInfluencer(db(), { ...input, locale: requestLocale(request) });
    return json({ ok: true as const, email: input.email });
  });
}

export default function Signup() {
  const t = useT();
  const data = useActionData<typeof action>();
  const result = failure(data);
  const busy = useNavigation().state === "submitting";
  if (data && "email" in data) {
    return (
      <section className="narrow" aria-labelledby="sent-title">
        <h1 id="sent-title">{t("signup.sent.title")}</h1>
        <p role="status">{t("signup.sent.body", { email: data.email })}</p>
      </section>
    );
  }
  return (
    <section className="narrow" aria-labelledby="signup-title">
      <h1 id="signup-title">{t("signup.title")}</h1>
      <p>{t("signup.intro")}</p>
      <Form method="post" noValidate>
        <FormError message={result?.formError} />
        <Field name="displayName" autoComplete="nickname" label={t("signup.displayName")} required maxLength={80} error={result?.fieldErrors.displayName} />
        <Field name="email" type="email" autoComplete="email" label={t("login.email")} required error={result?.fieldErrors.email} />
        <NewPasswordField error={result?.fieldErrors.password} />
        <button type="submit" className="button" disabled={busy}>
          {t("signup.submit")}
        </button>
      </Form>
    </section>
  );
}
