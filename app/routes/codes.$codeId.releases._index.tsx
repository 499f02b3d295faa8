// The list of a code's releases, newest first, with their notes.
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { pageTitle } from "~/components/meta";
import { currentUser } from "~/session.server";
import { db } from "~/db.server";
import { useLocale, useT } from "~/hooks";
import { formatDateTime } from "~/i18n";
import { handleLoader } from "~/http.server";
import { listReleases } from "~/models/releases.server";
import { getCode } from "~/models/sections.server";
import { can } from "~/policies.server";
import releasesCss from "~/styles/releases.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: releasesCss },
  { rel: "alternate", type: "application/atom+xml", href: "/codes/influencercode/feed", title: "Atom" },
];

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "release.list.title");

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await currentUser(request, context);
  return handleLoader(request, user, async () => {
    const code = await getCode(db(), params.codeId ?? "");
    const releases = await listReleases(db(), code.id);
    return { code: { id: code.id, title: code.title }, releases, canPublish: can(user, "release.publish") };
  });
}

export default function Releases() {
  const t = useT();
  const locale = useLocale();
  const { code, releases, canPublish } = useLoaderData<typeof loader>();
  return (
    <section aria-labelledby="releases-title">
      <h1 id="releases-title">{t("release.list.title")}</h1>
      <p className="lead">{t("release.list.intro")}</p>
      <p className="release-actions">
        {canPublish ? (
          <Link className="button" to={`/codes/${code.id}/publish`}>
            {t("release.list.publish")}
          </Link>
        ) : null}
        <a href={`/codes/${code.id}/feed`}>{t("release.list.feed")}</a>
      </p>
      {releases.length === 0 ? <p>{t("release.list.empty")}</p> : null}
      <ol className="release-list" reversed>
        {releases.map((r, i) => (
          <li key={r.id} className="card" data-version={r.version}>
            <h2>
              <Link to={`/codes/${code.id}/releases/${r.version}`}>{t("release.version", { version: r.version })}</Link>{" "}
              {i === 0 ? <span className="tag tag-ok">{t("release.list.current")}</span> : null}
            </h2>
            <p className="meta">
              {r.publishedBy
                ? t("release.publishedBy", { when: formatDateTime(r.publishedAt, locale), name: r.publishedBy.name })
                : t("release.published", { when: formatDateTime(r.publishedAt, locale) })}
            </p>
            {r.notes ? <p className="release-notes">{r.notes}</p> : null}
            {releases[i + 1] ? (
              <p>
                <Link to={`/codes/${code.id}/compare?from=${releases[i + 1].version}&to=${r.version}`}>
                  {t("release.list.compareWithPrevious", { version: releases[i + 1].version })}
                </Link>
              </p>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
