// One-click unsubscribe from the daily digest, through the token in every e-mail (no sign-in).
// GET only shows the question (mail scanners follow links); the button POSTs.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { db } from "~/db.server";
import { useT } from "~/hooks";
import { unsubscribe, unsubscribeTarget } from "~/models/notifications.server";

export const meta: MetaFunction = () => [{ title: "Uitschrijven · Codewerf" }, { name: "robots", content: "noindex" }];

function maskEmail(email: string) {
  const [local, domain] = email.split("@");
  return `${local.slice(0, 2)}…@${domain}`;
}

export async function loader({ params }: LoaderFunctionArgs) {
  const target = await unsubscribeTarget(db(), params.token ?? "");
  return json({ valid: Boolean(target), email: target ? maskEmail(target.email) : null }, { status: target ? 200 : 404 });
}

export async function action({ params }: ActionFunctionArgs) {
  const ok = await unsubscribe(db(), params.token ?? "");
  return json({ done: ok }, { status: ok ? 200 : 404 });
}

export default function Unsubscribe() {
  const t = useT();
  const data = useLoaderData<typeof loader>();
  const done = useActionData<typeof action>();
  return (
    <section aria-labelledby="unsub-title">
      <h1 id="unsub-title">{t("inbox.unsubscribe.title")}</h1>
      {done?.done ? (
        <p role="status" className="notice notice-ok" data-testid="unsubscribed">
          {t("inbox.unsubscribe.done")}
        </p>
      ) : !data.valid || done ? (
        <p className="notice">{t("inbox.unsubscribe.invalid")}</p>
      ) : (
        <Form method="post">
          <p>{t("inbox.unsubscribe.confirm", { email: data.email ?? "" })}</p>
          <button type="submit" className="button">
            {t("inbox.unsubscribe.button")}
          </button>
        </Form>
      )}
    </section>
  );
}
