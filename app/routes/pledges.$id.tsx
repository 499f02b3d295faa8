// One pledge, verifiable: who, which release, when, status, the signed text and its hash;
// badge snippets; for the signer, one button to withdraw (one confirmation, optional reason).
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { failure } from "~/components/action-data";
import { FormError, Notice } from "~/components/Field";
import { pageTitle } from "~/components/meta";
import { BadgeSnippets } from "~/components/pledges/BadgeSnippets";
import { Handles, StatusTag } from "~/components/pledges/PledgeBits";
import { config } from "~/config.server";
import { db } from "~/db.server";
import { WithdrawSchema } from "~/domain/pledges";
import { useLocale, useT } from "~/hooks";
import { formatDateTime } from "~/i18n";
import { handleAction, handleLoader, parseForm } from "~/http.server";
import { getPledge, withdrawPledge } from "~/models/pledges.server";
import { currentUser, requireUser } from "~/session.server";
import pledgesCss from "~/styles/pledges.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: pledgesCss }];
export const meta: MetaFunction<typeof loader> = ({ matches, data }) => pageTitle(matches, "pledge.page.title", { name: data?.pledge.name ?? "" });

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await currentUser(request, context);
  return handleLoader(request, user, async () => {
    const record = await getPledge(db(), params.id ?? "", user?.id);
    return { ...record, origin: config().publicOrigin };
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  return handleAction(request, user, async () => {
    const input = await parseForm(request, WithdrawSchema);
    await withdrawPledge(db(), user, params.id ?? "", input.reason);
    return redirect(`/pledges/${params.id}?withdrawn=1`);
  });
}

export default function PledgePage() {
  const t = useT();
  const locale = useLocale();
  const { pledge, mine, text, textVerified, withdrawReason, origin } = useLoaderData<typeof loader>();
  const result = failure(useActionData<typeof action>());
  const [params] = useSearchParams();
  const confirming = params.get("withdraw") === "1" || Boolean(result);
  return (
    <section aria-labelledby="pledge-title">
      <h1 id="pledge-title">{t("pledge.page.title", { name: pledge.name })}</h1>
      {params.get("signed") && mine && pledge.status === "unconfirmed" ? <Notice>{t("pledge.sent.body")}</Notice> : null}
      {params.get("withdrawn") && pledge.withdrawnAt ? <Notice>{t("pledge.withdraw.done")}</Notice> : null}
      {pledge.status === "unconfirmed" ? <p className="notice">{t("pledge.page.unconfirmed")}</p> : null}
      <div className="card">
        <p>{t("pledge.page.signed", { name: pledge.name, version: pledge.release, when: formatDateTime(pledge.signedAt, locale) })}</p>
        <Handles handles={pledge.handles} />
        <dl className="facts">
          <dt>{t("pledge.page.status")}</dt>
          <dd data-testid="pledge-status">
            <StatusTag status={pledge.status} />
            {pledge.withdrawnAt ? <> {t("pledge.page.withdrawnOn", { when: formatDateTime(pledge.withdrawnAt, locale) })}</> : null}
          </dd>
          {pledge.confirmedAt ? (
            <>
              <dt>{t("pledge.page.confirmed", { when: "" }).replace(/\s*$/, "")}</dt>
              <dd>{formatDateTime(pledge.confirmedAt, locale)}</dd>
            </>
          ) : null}
        </dl>
        {pledge.outdated && !pledge.withdrawnAt ? <p className="notice">{t("pledge.page.outdated", { version: pledge.release })}</p> : null}
        {withdrawReason ? <p className="meta">{t("pledge.page.withdrawReason", { reason: withdrawReason })}</p> : null}
        <p>
          <Link to={`/codes/${pledge.codeId}/releases/${pledge.release}`}>{t("pledge.page.readRelease", { version: pledge.release })}</Link>
        </p>
      </div>
      {mine && !pledge.withdrawnAt ? (
        <div className="card danger-zone">
          {confirming ? (
            <Form method="post">
              <h2>{t("pledge.withdraw.confirmTitle")}</h2>
              <p>{t("pledge.withdraw.confirmIntro")}</p>
              <FormError message={result?.formError} />
              <input type="hidden" name="intent" value="withdraw" />
              <div className="field">
                <label htmlFor="withdraw-reason">{t("pledge.withdraw.reason")}</label>
                <textarea id="withdraw-reason" name="reason" maxLength={500} rows={3} />
              </div>
              <p className="pager">
                <button type="submit" className="button button-danger">
                  {t("pledge.withdraw.confirm")}
                </button>
                <Link to={`/pledges/${pledge.id}`}>{t("pledge.withdraw.cancel")}</Link>
              </p>
            </Form>
          ) : (
            <Link className="button button-secondary" to={`/pledges/${pledge.id}?withdraw=1`}>
              {t("pledge.withdraw.button")}
            </Link>
          )}
        </div>
      ) : null}
      <section className="card" aria-labelledby="verify-title">
        <h2 id="verify-title">{t("pledge.page.verify")}</h2>
        <p>{t("pledge.page.verifyIntro")}</p>
        <p className="pledge-hash" data-testid="pledge-hash">
          {pledge.textSha256}
        </p>
        <p>{textVerified ? t("pledge.page.verified") : t("pledge.page.unverified")}</p>
        <h3>{t("pledge.page.text")}</h3>
        <blockquote>{text}</blockquote>
        <p className="meta">
          <a href={`/api/pledges/${pledge.id}`}>{t("pledge.page.json")}</a>
        </p>
      </section>
      {pledge.confirmedAt ? <BadgeSnippets id={pledge.id} version={pledge.release} status={pledge.status} origin={origin} /> : null}
    </section>
  );
}
