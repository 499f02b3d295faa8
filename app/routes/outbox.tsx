// The demo mailbox: in embedded/demo mode, shows the mail Codewerf would send.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { config } from "~/config.server";
import { db } from "~/db.server";
import { useLocale, useT } from "~/hooks";
import { formatDateTime } from "~/i18n";
import { listOutbox } from "~/models/mail.server";
import { pageTitle } from "~/components/meta";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "outbox.title");

export async function loader(_args: LoaderFunctionArgs) {
  const c = config();
  if (!c.embedded && c.production) throw json({ message: null }, { status: 404 });
  const mails = await listOutbox(db());
  return { publicOrigin: c.publicOrigin, mails: mails.map((m) => ({ id: m.id, to: m.to_address, subject: m.subject, body: m.text_body, at: m.created_at })) };
}

/** Splits a mail body so that links to Codewerf become clickable; everything else stays text. */
function Linkified({ text, origin }: { text: string; origin: string }) {
  const parts = text.split(/(https?:\/\/\S+)/g);
  return (
    <>
      {parts.map((part, i) => {
        if (!part.startsWith(`${origin}/`)) return <span key={i}>{part}</span>;
        return (
          <a key={i} href={part.slice(origin.length)}>
            {part}
          </a>
        );
      })}
    </>
  );
}

export default function Outbox() {
  const t = useT();
  const locale = useLocale();
  const { mails, publicOrigin } = useLoaderData<typeof loader>();
  return (
    <section aria-labelledby="outbox-title">
      <h1 id="outbox-title">{t("outbox.title")}</h1>
      <p>{t("outbox.intro")}</p>
      {mails.length === 0 ? <p>{t("outbox.empty")}</p> : null}
      <ol className="mail-list">
        {mails.map((m) => (
          <li key={m.id} className="card">
            <h2 className="mail-subject">{m.subject}</h2>
            <p className="meta">
              {t("outbox.to")}: {m.to} · <time dateTime={String(m.at)}>{formatDateTime(m.at, locale)}</time>
            </p>
            <pre className="mail-body">
              <Linkified text={m.body} origin={publicOrigin} />
            </pre>
          </li>
        ))}
      </ol>
    </section>
  );
}
