// Re-pledging after a new major release: the redline from the signed version to the current
// one comes first, then the signing form (prefilled with the previous name and handles).
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { pageTitle } from "~/components/meta";
import { PledgeForm, PledgeText } from "~/components/pledges/PledgeForm";
import { ComparisonView } from "~/components/releases/Redline";
import { db } from "~/db.server";
import { useT } from "~/hooks";
import { handleLoader } from "~/http.server";
import { pledgeOffer, renewalFor } from "~/models/pledges.server";
import { compareReleases } from "~/models/releases.server";
import { requireUser } from "~/session.server";
import pledgesCss from "~/styles/pledges.css";
import releasesCss from "~/styles/releases.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: releasesCss },
  { rel: "stylesheet", href: pledgesCss },
];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "pledge.renew.title");

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return handleLoader(request, user, async () => {
    const renewal = await renewalFor(db(), user.id);
    if (!renewal) return { renewal: null, comparison: null, offer: null, defaults: null };
    const [comparison, offer] = await Promise.all([compareReleases(db(), renewal.pledge.codeId, renewal.from, renewal.to), pledgeOffer(db(), renewal.pledge.codeId)]);
    return {
      renewal: { from: renewal.from, to: renewal.to },
      comparison,
      offer: { codeId: offer.codeId, version: offer.version, text: offer.text, textSha256: offer.textSha256 },
      defaults: { publicName: renewal.pledge.name, ...renewal.pledge.handles },
    };
  });
}

export default function Renew() {
  const t = useT();
  const { renewal, comparison, offer, defaults } = useLoaderData<typeof loader>();
  if (!renewal || !comparison || !offer) {
    return (
      <section aria-labelledby="renew-title">
        <h1 id="renew-title">{t("pledge.renew.title")}</h1>
        <p>{t("pledge.renew.none")}</p>
        <p>
          <Link to="/pledge">{t("pledge.sign.title")}</Link>
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby="renew-title">
      <h1 id="renew-title">{t("pledge.renew.title")}</h1>
      <p className="lead">{t("pledge.renew.intro", { from: renewal.from, to: renewal.to })}</p>
      <ComparisonView comparison={comparison} />
      <h2 id="renew-sign">{t("pledge.renew.sign")}</h2>
      <PledgeText offer={offer} />
      <PledgeForm offer={offer} defaults={defaults ?? undefined} />
    </section>
  );
}
