// The page behind an e-mailed pledge link (signer or guardian): shows what is confirmed and a
// button; the click (a POST) uses the single-use link, so link scanners cannot.
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { failure } from "~/components/action-data";
import { FormError } from "~/components/Field";
import { useT } from "~/hooks";
import type { MessageKey } from "~/i18n";

interface Loaded {
  id: string;
  publicName: string;
  version: string;
  text: string;
}

export function ConfirmLink({ titleKey, introKey, submitKey }: { titleKey: MessageKey; introKey: MessageKey; submitKey: MessageKey }) {
  const t = useT();
  const pledge = useLoaderData<Loaded | null>();
  const data = useActionData<{ ok: true; id: string; public: boolean } | { ok: false }>();
  const result = failure(data);
  if (data && data.ok) {
    return (
      <section className="narrow" aria-labelledby="confirmed-title">
        <h1 id="confirmed-title">{t("pledge.confirmed.title")}</h1>
        <p role="status">{data.public ? t("pledge.confirmed.public") : t("pledge.confirmed.waitingGuardian")}</p>
        {data.public ? (
          <p>
            <Link className="button" to={`/pledges/${data.id}`}>
              {t("pledge.confirmed.view")}
            </Link>
          </p>
        ) : null}
      </section>
    );
  }
  return (
    <section className="narrow" aria-labelledby="confirm-title">
      <h1 id="confirm-title">{t(titleKey)}</h1>
      {pledge ? (
        <>
          <p>{t(introKey, { name: pledge.publicName, version: pledge.version })}</p>
          <blockquote className="card">{pledge.text}</blockquote>
        </>
      ) : null}
      <Form method="post">
        <FormError message={result?.formError} />
        <button type="submit" className="button">
          {t(submitKey)}
        </button>
      </Form>
    </section>
  );
}
