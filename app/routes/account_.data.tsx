// My data (GDPR): download everything stored about me as JSON, or erase my account.
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { z } from "zod";
import { failure } from "~/components/action-data";
import { FormError, Notice } from "~/components/Field";
import { pageTitle } from "~/components/meta";
import { db } from "~/db.server";
import { useT } from "~/hooks";
import { handleAction, parseForm } from "~/http.server";
import { eraseAccount } from "~/models/privacy.server";
import { endSession, requireUser } from "~/session.server";
import pledgesCss from "~/styles/pledges.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: pledgesCss }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "pledge.data.title");

const EraseSchema = z.object({ confirm: z.literal("yes", { message: "pledge.data.confirmRequired" }) });

// After an erasure in this same request the session is gone: the page shows the goodbye.
const erased = new WeakSet<object>();

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (!erased.has(context)) await requireUser(request, context);
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  return handleAction(request, user, async () => {
    await parseForm(request, EraseSchema);
    await eraseAccount(db(), user.id);
    erased.add(context);
    return json({ ok: true as const }, { headers: { "Set-Cookie": await endSession(request) } });
  });
}

export default function MyData() {
  const t = useT();
  const data = useActionData<typeof action>();
  const result = failure(data);
  if (data && !result) {
    return (
      <section className="narrow" aria-labelledby="data-title">
        <h1 id="data-title">{t("pledge.data.title")}</h1>
        <Notice>{t("pledge.data.deleted")}</Notice>
      </section>
    );
  }
  return (
    <section className="narrow" aria-labelledby="data-title">
      <h1 id="data-title">{t("pledge.data.title")}</h1>
      <p>{t("pledge.data.intro")}</p>
      <p>
        <a className="button" href="/account/data.json" download>
          {t("pledge.data.download")}
        </a>
      </p>
      <Form method="post" className="card danger-zone">
        <h2>{t("pledge.data.deleteTitle")}</h2>
        <p>{t("pledge.data.deleteIntro")}</p>
        <FormError message={result?.formError} />
        <label className="choice">
          <input type="checkbox" name="confirm" value="yes" required /> {t("pledge.data.deleteConfirm")}
        </label>
        {result?.fieldErrors.confirm ? (
          <p className="field-message" role="alert">
            {result.fieldErrors.confirm}
          </p>
        ) : null}
        <button type="submit" className="button button-danger">
          {t("pledge.data.deleteSubmit")}
        </button>
      </Form>
    </section>
  );
}
