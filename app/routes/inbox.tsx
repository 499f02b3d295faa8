// The inbox: mentions, replies in my threads, review requests for my organisation and new
// releases; mark read; the daily e-mail digest on or off.
import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { db } from "~/db.server";
import { useLocale, useT } from "~/hooks";
import { handleAction, handleLoader, parseForm } from "~/http.server";
import { formatDateTime } from "~/i18n";
import { digestEnabled, listInbox, markRead, setDigest } from "~/models/notifications.server";
import { requireUser } from "~/session.server";
import commentsStyles from "~/styles/comments.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: commentsStyles }];
export const meta: MetaFunction = () => [{ title: "Inbox · Codewerf" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return handleLoader(request, user, async () => {
    const [items, digest] = await Promise.all([listInbox(db(), user.id), digestEnabled(db(), user.id)]);
    return json({ items, digest }, { headers: { "Cache-Control": "no-store" } });
  });
}

const InboxSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("read-all") }),
  z.object({ intent: z.literal("read"), id: z.string().regex(/^\d{1,18}$/, "field.invalid") }),
  z.object({ intent: z.literal("digest"), digest: z.string().optional() }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  return handleAction(request, user, async () => {
    const input = await parseForm(request, InboxSchema);
    if (input.intent === "read-all") await markRead(db(), user.id, "all");
    else if (input.intent === "read") await markRead(db(), user.id, [input.id]);
    else await setDigest(db(), user.id, input.digest === "on");
    return json({ ok: true as const, intent: input.intent });
  });
}

export default function Inbox() {
  const t = useT();
  const locale = useLocale();
  const { items, digest } = useLoaderData<typeof loader>();
  const done = useActionData<typeof action>();
  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title">{t("inbox.title")}</h1>
      {items.some((i) => !i.read) ? (
        <Form method="post">
          <button type="submit" name="intent" value="read-all" className="button button-secondary button-small">
            {t("inbox.markAllRead")}
          </button>
        </Form>
      ) : null}
      {items.length === 0 ? <p>{t("inbox.empty")}</p> : null}
      <ul className="inbox-list" data-testid="inbox">
        {items.map((i) => {
          const href = i.codeId && i.sectionId ? `/codes/${i.codeId}/sections/${i.sectionId}${i.threadId ? `#thread-${i.threadId}` : i.kind === "review_request" ? "#review" : ""}` : i.kind === "release" && i.codeId ? `/codes/${i.codeId}/releases/${String(i.data.version ?? "")}` : null;
          return (
            <li key={i.id} className={i.read ? undefined : "is-unread"} data-kind={i.kind}>
              {!i.read ? <span className="tag tag-warn">{t("inbox.unread")}</span> : null}{" "}
              {t(`inbox.kind.${i.kind}`, { name: i.actorName || t("user.deleted"), version: String(i.data.version ?? "") })}
              {i.sectionTitle ? <> — {href ? <Link to={href}>{i.sectionTitle}</Link> : i.sectionTitle}</> : href ? <> — <Link to={href}>{String(i.data.version ?? "")}</Link></> : null}
              <br />
              <small className="muted">
                <time dateTime={i.createdAt}>{formatDateTime(i.createdAt, locale)}</time>
              </small>
              {i.excerpt ? <blockquote className="quote">{i.excerpt}</blockquote> : null}
              {!i.read ? (
                <Form method="post" className="inline-form">
                  <input type="hidden" name="id" value={i.id} />
                  <button type="submit" name="intent" value="read" className="link-button">
                    {t("inbox.markRead")}
                  </button>
                </Form>
              ) : null}
            </li>
          );
        })}
      </ul>
      <h2>{t("inbox.digest.title")}</h2>
      <p>{t("inbox.digest.help")}</p>
      <Form method="post">
        <input type="hidden" name="intent" value="digest" />
        <label>
          <input type="checkbox" name="digest" defaultChecked={digest} /> {t("inbox.digest.on")}
        </label>{" "}
        <button type="submit" className="button button-small">
          {t("inbox.digest.save")}
        </button>
        {done && "intent" in done && done.intent === "digest" ? (
          <p role="status" className="notice notice-ok">
            {t("inbox.digest.saved")}
          </p>
        ) : null}
      </Form>
    </section>
  );
}
