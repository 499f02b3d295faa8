// Signing the current release: the exact text and version, a public name and handles, the
// under-13 question. After signing, the pledge page says to check the mailbox.
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { failure } from "~/components/action-data";
import { Notice } from "~/components/Field";
import { pageTitle } from "~/components/meta";
import { PledgeForm, PledgeText } from "~/components/pledges/PledgeForm";
import { db } from "~/db.server";
import { remixAction, signPledgeAction } from "~/form-actions.server";
import { useT } from "~/hooks";
import { handleLoader } from "~/http.server";
import { pledgeOffer, renewalFor } from "~/models/pledges.server";
import { can } from "~/policies.server";
import { currentUser } from "~/session.server";
import pledgesCss from "~/styles/pledges.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: pledgesCss }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "pledge.sign.title");

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await currentUser(request, context);
  return handleLoader(request, user, async () => {
    const offer = await pledgeOffer(db());
    const mine = user
      ? await db().selectFrom("pledges").select("id").where("user_id", "=", user.id).where("release_id", "=", offer.releaseId).where("withdrawn_at", "is", null).executeTakeFirst()
      : undefined;
    const renewal = user ? await renewalFor(db(), user.id) : null;
    return {
      offer: { codeId: offer.codeId, version: offer.version, text: offer.text, textSha256: offer.textSha256 },
      signedIn: Boolean(user),
      maySign: can(user, "pledge.create"),
      mine: mine?.id ?? null,
      renewFrom: renewal?.from ?? null,
      defaults: renewal ? { publicName: renewal.pledge.name, ...renewal.pledge.handles } : { publicName: user?.display_name ?? "" },
    };
  });
}

// Also answered before Remix by the server when nothing goes wrong (app/form-actions.server.ts).
export const action = remixAction(signPledgeAction);

export default function Sign() {
  const t = useT();
  const { offer, signedIn, maySign, mine, renewFrom, defaults } = useLoaderData<typeof loader>();
  const result = failure(useActionData<typeof action>());
  return (
    <section aria-labelledby="sign-title">
      <h1 id="sign-title">{t("pledge.sign.title")}</h1>
      <p className="lead">{t("pledge.sign.intro")}</p>
      {renewFrom ? (
        <Notice>
          <Link to="/pledge/renew">{t("pledge.renew.invite")}</Link>
        </Notice>
      ) : null}
      <PledgeText offer={offer} />
      {mine ? (
        <Notice>
          {t("pledge.sign.already", { version: offer.version })} <Link to={`/pledges/${mine}`}>{t("pledge.sign.viewMine")}</Link>
        </Notice>
      ) : !signedIn ? (
        <p>
          <Link className="button" to="/login?redirectTo=%2Fpledge">
            {t("pledge.sign.login")}
          </Link>
        </p>
      ) : !maySign ? (
        <p>{t("pledge.sign.notAllowed")}</p>
      ) : (
        <PledgeForm offer={offer} failure={result} defaults={defaults} />
      )}
    </section>
  );
}
