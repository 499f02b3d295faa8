// One release in a clean reading layout: contents, clause anchors (#<sectionId>, stable across
// releases), the overrides and review states it was published with, downloads, print.
import { json, type HeadersFunction, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { db } from "~/db.server";
import { useLocale, useT } from "~/hooks";
import { formatDateTime, messages } from "~/i18n";
import { handleLoader, sharedCache, sharedCacheFromLoader } from "~/http.server";
import { getRelease, type Release } from "~/models/releases.server";
import releasesCss from "~/styles/releases.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: releasesCss }];

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => {
  const root = matches.find((m) => m.id === "root")?.data as { locale?: string } | undefined;
  const t = messages(root?.locale);
  return [{ title: data ? `${t("release.title", { title: data.codeTitle, version: data.version })} · ${t("app.name")}` : t("app.name") }];
};

/** The page's view of a release (without the ProseMirror JSON), built once per release. */
const views = new WeakMap<Release, ReturnType<typeof toView>>();
function toView(r: Release) {
  const titles = new Map(r.sections.map((s) => [s.sectionId, s.title]));
  return {
    codeId: r.codeId,
    codeTitle: r.codeTitle,
    version: r.version,
    notes: r.notes,
    publishedAt: r.publishedAt,
    publisher: r.publishedBy?.name ?? null,
    overrides: r.overrides.map((o) => ({ ...o, title: titles.get(o.sectionId) ?? o.sectionId })),
    reviews: r.reviewStates.map((s) => ({ sectionId: s.sectionId, title: titles.get(s.sectionId) ?? s.sectionId, ready: s.ready, cells: s.cells.map((c) => ({ organisationName: c.organisationName, state: c.state })) })),
    sections: r.sections.map((s) => ({ id: s.sectionId, position: s.position, title: s.title, html: s.html })),
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleLoader(request, null, async () => {
    const release = await getRelease(db(), params.codeId ?? "", params.version ?? "");
    let view = views.get(release);
    if (!view) views.set(release, (view = toView(release)));
    // The same page for every anonymous reader until the next release is published.
    return json(view, { headers: sharedCache(300, [`releases:${release.codeId}`]) });
  });
}

export const headers: HeadersFunction = sharedCacheFromLoader;

export default function ReleasePage() {
  const t = useT();
  const locale = useLocale();
  const r = useLoaderData<typeof loader>();
  const [search] = useSearchParams();
  const base = `/codes/${r.codeId}/releases/${r.version}`;
  return (
    <article aria-labelledby="release-title" className="release">
      <p className="no-print">
        <Link to={`/codes/${r.codeId}/releases`}>← {t("release.list.title")}</Link>
      </p>
      {search.get("published") ? (
        <p className="notice notice-ok no-print" role="status">
          {t("release.publish.done", { version: r.version })}
        </p>
      ) : null}
      <h1 id="release-title">{t("release.title", { title: r.codeTitle, version: r.version })}</h1>
      <p className="meta">
        {r.publisher ? t("release.publishedBy", { when: formatDateTime(r.publishedAt, locale), name: r.publisher }) : t("release.published", { when: formatDateTime(r.publishedAt, locale) })}
      </p>
      {r.notes ? (
        <section aria-labelledby="notes-title">
          <h2 id="notes-title">{t("release.notes")}</h2>
          <p className="release-notes">{r.notes}</p>
        </section>
      ) : null}
      <div className="release-actions">
        <span>{t("release.export.title")}:</span>
        <a href={`${base}/export?format=html`}>{t("release.export.html")}</a>
        <a href={`${base}/export?format=md`}>{t("release.export.md")}</a>
        <a href={`${base}/export?format=json`}>{t("release.export.json")}</a>
        <Link to={`/codes/${r.codeId}/compare?to=${r.version}`}>{t("release.compareLink")}</Link>
      </div>
      {r.overrides.length ? (
        <section className="notice" aria-labelledby="overrides-title" data-testid="overrides">
          <h2 id="overrides-title">{t("release.overrides.title")}</h2>
          <p>{t("release.overrides.intro")}</p>
          <ul>
            {r.overrides.map((o) => (
              <li key={o.sectionId} data-section={o.sectionId}>
                <a href={`#${o.sectionId}`}>{o.title}</a>: {o.reason}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <div className="release-layout">
        <nav className="release-toc" aria-labelledby="toc-title">
          <h2 id="toc-title">{t("release.toc")}</h2>
          <ol>
            {r.sections.map((s) => (
              <li key={s.id}>
                <a href={`#${s.id}`}>{s.title}</a>
              </li>
            ))}
          </ol>
        </nav>
        <div className="release-text">
          {r.sections.map((s) => (
            <section key={s.id} id={s.id} className="release-clause" aria-labelledby={`title-${s.id}`}>
              <h2 id={`title-${s.id}`}>
                <span className="section-number">{s.position}.</span> {s.title}
                <a className="clause-anchor" href={`#${s.id}`} aria-label={`${t("release.linkToClause")}: ${s.title}`}>
                  #
                </a>
              </h2>
              <div className="prose" dangerouslySetInnerHTML={{ __html: s.html }} />
            </section>
          ))}
        </div>
      </div>
      {r.reviews.length ? (
        <details className="card no-print">
          <summary>{t("release.reviews.title")}</summary>
          <ul>
            {r.reviews.map((s) => (
              <li key={s.sectionId}>
                {s.title}: {s.cells.length ? s.cells.map((c) => `${c.organisationName} (${t(`release.state.${c.state}`)})`).join(", ") : "–"}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </article>
  );
}
