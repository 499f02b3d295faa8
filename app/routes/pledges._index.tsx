// The public registry: active confirmed pledges (name, handles, release, date, "verouderd"),
// search by name or handle, counts per release, keyset pagination.
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { pageTitle } from "~/components/meta";
import { Handles, StatusTag } from "~/components/pledges/PledgeBits";
import { db } from "~/db.server";
import { RegistryQuery } from "~/domain/pledges";
import { useLocale, useT } from "~/hooks";
import { formatDateTime } from "~/i18n";
import { handleLoader, parseWith } from "~/http.server";
import { listRegistry } from "~/models/pledges.server";
import pledgesCss from "~/styles/pledges.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: pledgesCss }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "pledge.registry.title");

export async function loader({ request }: LoaderFunctionArgs) {
  return handleLoader(request, null, async () => {
    const query = parseWith(RegistryQuery, Object.fromEntries(new URL(request.url).searchParams));
    const { items, next, counts } = await listRegistry(db(), query);
    return { q: query.q, release: query.release ?? null, paged: Boolean(query.after), items, next, counts };
  });
}

export default function Registry() {
  const t = useT();
  const locale = useLocale();
  const { q, release, paged, items, next, counts } = useLoaderData<typeof loader>();
  const search = (extra: Record<string, string>) => {
    const p = new URLSearchParams({ ...(q ? { q } : {}), ...(release ? { release } : {}), ...extra });
    return `/pledges?${p.toString()}`;
  };
  return (
    <section aria-labelledby="registry-title">
      <h1 id="registry-title">{t("pledge.registry.title")}</h1>
      <p className="lead">{t("pledge.registry.intro")}</p>
      <p>
        <Link className="button" to="/pledge">
          {t("pledge.registry.sign")}
        </Link>
      </p>
      <h2>{t("pledge.registry.counts")}</h2>
      <ul className="registry-counts" data-testid="counts">
        {counts.map((c) => (
          <li key={c.release} data-release={c.release} data-count={c.count}>
            <Link to={`/pledges?release=${c.release}`}>{t("pledge.registry.count", { version: c.release, count: c.count })}</Link>
          </li>
        ))}
      </ul>
      <Form method="get" className="registry-search card" role="search">
        <div className="field">
          <label htmlFor="registry-q">{t("pledge.registry.search")}</label>
          <input id="registry-q" name="q" type="search" defaultValue={q} maxLength={80} />
        </div>
        {release ? <input type="hidden" name="release" value={release} /> : null}
        <button type="submit" className="button">
          {t("pledge.registry.searchSubmit")}
        </button>
      </Form>
      {items.length === 0 ? <p>{t("pledge.registry.empty")}</p> : null}
      <ol className="registry-list">
        {items.map((p) => (
          <li key={p.id} className="card" data-pledge={p.id}>
            <h2>
              <Link to={`/pledges/${p.id}`}>{p.name}</Link>
            </h2>
            <Handles handles={p.handles} />
            <p className="meta">
              {t("pledge.registry.release")} {p.release} · {t("pledge.registry.date")} {formatDateTime(p.signedAt, locale)} <StatusTag status={p.status} />
            </p>
          </li>
        ))}
      </ol>
      <nav className="pager" aria-label={t("pledge.registry.next")}>
        {paged ? <Link to={search({})}>{t("pledge.registry.first")}</Link> : null}
        {next ? (
          <Link to={search({ after: next })} rel="next">
            {t("pledge.registry.next")}
          </Link>
        ) : null}
      </nav>
      <p className="meta">
        <a href="/api/pledges">{t("pledge.registry.api")}</a>
      </p>
    </section>
  );
}
