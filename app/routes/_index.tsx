// Home: what Codewerf is, and the state of the draft.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { db } from "~/db.server";
import { useLocale, useT } from "~/hooks";
import { formatDateTime } from "~/i18n";
import { currentRelease } from "~/models/releases.server";
import { listSections } from "~/models/sections.server";
import { CODE_ID } from "~/models/codes";
import { currentUser } from "~/session.server";
import { pageTitle } from "~/components/meta";

export const meta: MetaFunction = ({ matches }) => [
  ...pageTitle(matches, "home.title"),
  { name: "description", content: "Influencers, bureaus en expertorganisaties schrijven samen de Vlaamse code voor en door influencers." },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const [user, sections, release] = await Promise.all([currentUser(request), listSections(db(), CODE_ID), currentRelease(db(), CODE_ID)]);
  const lastChange = sections.reduce<Date | null>((max, s) => (!max || s.updatedAt > max ? s.updatedAt : max), null);
  return {
    release: release && { version: release.version, publishedAt: release.publishedAt, notes: release.notes },
    signedIn: Boolean(user), sectionCount: sections.length, locked: sections.filter((s) => s.locked).length, lastChange };
}

export default function Home() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  return (
    <>
      <section className="hero" aria-labelledby="home-title">
        <h1 id="home-title">{t("home.title")}</h1>
        <p className="lead">{t("home.intro")}</p>
        <p>
          <Link className="button" to={data.signedIn ? `/codes/${CODE_ID}` : `/login?redirectTo=/codes/${CODE_ID}`}>
            {data.signedIn ? t("home.cta.draft") : t("home.cta.login")}
          </Link>
        </p>
      </section>
      <section aria-labelledby="current-release-title" className="card" data-testid="current-release">
        <h2 id="current-release-title">{t("release.current.title")}</h2>
        {data.release ? (
          <>
            <p>
              <Link className="button" to={`/codes/${CODE_ID}/releases/${data.release.version}`}>
                {t("release.current.read", { version: data.release.version })}
              </Link>
            </p>
            <p className="meta">{t("release.published", { when: formatDateTime(data.release.publishedAt, locale) })}</p>
            {data.release.notes ? <p>{data.release.notes}</p> : null}
          </>
        ) : (
          <p>{t("release.current.none")}</p>
        )}
        <p>
          <Link to={`/codes/${CODE_ID}/releases`}>{t("release.current.all")}</Link>
        </p>
      </section>
      <section aria-labelledby="how-title">
        <h2 id="how-title">{t("home.how.title")}</h2>
        <ol className="steps">
          <li>{t("home.how.write")}</li>
          <li>{t("home.how.review")}</li>
          <li>{t("home.how.publish")}</li>
          <li>{t("home.how.pledge")}</li>
        </ol>
      </section>
      <section aria-labelledby="state-title" className="card">
        <h2 id="state-title">{t("home.state.title")}</h2>
        <ul className="stats">
          <li>{t("home.state.sections", { count: data.sectionCount })}</li>
          <li>{t("home.state.locked", { count: data.locked })}</li>
          <li>{t("home.state.lastChange", { when: data.lastChange ? formatDateTime(data.lastChange, locale) : t("time.never") })}</li>
        </ul>
      </section>
    </>
  );
}
