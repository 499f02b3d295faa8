// Choosing a new password from the e-mailed link; every old session ends.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useActionData } from "@remix-run/react";
import { failure } from "~/components/action-data";
import { Notice } from "~/components/Field";
import { NewPasswordForm } from "~/components/NewPasswordForm";
import { db } from "~/db.server";
import { NewPasswordSchema } from "~/domain/schemas";
import { useT } from "~/hooks";
import { handleAction, handleLoader, parseForm } from "~/http.server";
import { peekToken } from "~/models/tokens.server";
import { resetPassword } from "~/models/users.server";
import { pageTitle } from "~/components/meta";
import { keepPageAfterSubmit } from "~/components/single-use-link";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "reset.title");

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleLoader(request, null, async () => {
    await peekToken(db(), "password_reset", params.token ?? "");
    return null;
  });
}

export const shouldRevalidate = keepPageAfterSubmit;

export async function action({ request, params }: ActionFunctionArgs) {
  return handleAction(request, null, async () => {
    const { password } = await parseForm(request, NewPasswordSchema);
    await resetPassword(db(), params.token ?? "", password);
    return json({ ok: true as const });
  });
}

export default function ResetPassword() {
  const t = useT();
  const data = useActionData<typeof action>();
  const result = failure(data);
  if (data && !result) {
    return (
      <section className="narrow" aria-labelledby="reset-done-title">
        <h1 id="reset-done-title">{t("reset.title")}</h1>
        <Notice>{t("reset.done")}</Notice>
        <p>
          <Link className="button" to="/login">
            {t("nav.login")}
          </Link>
        </p>
      </section>
    );
  }
  return <NewPasswordForm title={t("reset.title")} submit={t("reset.submit")} result={result} />;
}
