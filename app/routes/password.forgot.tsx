// Asks for a reset link; answers the same whether or not the address has an account.
import type { ActionFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { failure } from "~/components/action-data";
import { Field, FormError, Notice } from "~/components/Field";
import { db } from "~/db.server";
import { EmailOnlySchema } from "~/domain/schemas";
import { useT } from "~/hooks";
import { handleAction, parseForm } from "~/http.server";
import { requestPasswordReset } from "~/models/users.server";
import { pageTitle } from "~/components/meta";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "reset.forgot.title");

export async function action({ request }: ActionFunctionArgs) {
  return handleAction(request, null, async () => {
    const { email } = await parseForm(request, EmailOnlySchema);
    await requestPasswordReset(db(), email);
    return json({ ok: true as const, email });
  });
}

export default function ForgotPassword() {
  const t = useT();
  const data = useActionData<typeof action>();
  const result = failure(data);
  return (
    <section className="narrow" aria-labelledby="forgot-title">
      <h1 id="forgot-title">{t("reset.forgot.title")}</h1>
      {data && "email" in data ? (
        <Notice>{t("reset.forgot.sent", { email: data.email })}</Notice>
      ) : (
        <>
          <p>{t("reset.forgot.intro")}</p>
          <Form method="post" noValidate>
            <FormError message={result?.formError} />
            <Field name="email" type="email" autoComplete="email" label={t("login.email")} required error={result?.fieldErrors.email} />
            <button type="submit" className="button">
              {t("reset.forgot.submit")}
            </button>
          </Form>
        </>
      )}
    </section>
  );
}
