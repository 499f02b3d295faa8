// Follows the e-mailed confirmation link (single use, 48 hours). The `signup_` prefix keeps
// this page out of signup.tsx's layout (which has no <Outlet/>), so /signup/confirm/:token
// renders this page and not the signup form.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { failure } from "~/components/action-data";
import { FormError } from "~/components/Field";
import { db } from "~/db.server";
import { useT } from "~/hooks";
import { handleAction, handleLoader } from "~/http.server";
import { peekToken } from "~/models/tokens.server";
import { confirmEmail } from "~/models/users.server";
import { pageTitle } from "~/components/meta";
import { keepPageAfterSubmit } from "~/components/single-use-link";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "signup.confirm.title");

// Confirming takes a click (a POST), so mail scanners that prefetch links do not use them up.
export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleLoader(request, null, async () => {
    await peekToken(db(), "confirm_email", params.token ?? "");
    return null;
  });
}

export const shouldRevalidate = keepPageAfterSubmit;

export async function action({ request, params }: ActionFunctionArgs) {
  return handleAction(request, null, async () => {
    await confirmEmail(db(), params.token ?? "");
    return json({ ok: true as const });
  });
}

export default function Confirm() {
  const t = useT();
  const data = useActionData<typeof action>();
  const result = failure(data);
  if (data && !result) {
    return (
      <section className="narrow" aria-labelledby="confirmed-title">
        <h1 id="confirmed-title">{t("signup.confirmed.title")}</h1>
        <p role="status">{t("signup.confirmed.body")}</p>
        <p>
          <Link className="button" to="/login">
            {t("nav.login")}
          </Link>
        </p>
      </section>
    );
  }
  return (
    <section className="narrow" aria-labelledby="confirm-title">
      <h1 id="confirm-title">{t("signup.confirm.title")}</h1>
      <Form method="post">
        <FormError message={result?.formError} />
        <button type="submit" className="button">
          {t("signup.confirm.submit")}
        </button>
      </Form>
    </section>
  );
}
