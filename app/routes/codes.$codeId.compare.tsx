// The redline between two releases (or, for signed-in users, a release and the live draft).
import type { HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { pageTitle } from "~/components/meta";
import { ComparisonView } from "~/components/releases/Redline";
import { db } from "~/db.server";
import { useT } from "~/hooks";
import { handleLoader, parseWith, sharedCache, sharedCacheFromLoader } from "~/http.server";
import { compareReleases, getRelease, listReleases } from "~/models/releases.server";
import { getCode } from "~/models/sections.server";
import { currentUser, loginPath } from "~/session.server";
import releasesCss from "~/styles/releases.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: releasesCss }];

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "release.compare.title");

const CompareQuery = z.object({
  from: z.string().max(20).optional(),
  to: z.string().max(20).optional(),
});

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await currentUser(request, context);
  return handleLoader(request, user, async () => {
    const query = parseWith(CompareQuery, Object.fromEntries(new URL(request.url).searchParams));
    if (query.to === "draft" && !user) throw redirect(loginPath(request));
    const code = await getCode(db(), params.codeId ?? "");
    const releases = await listReleases(db(), code.id);
    const versions = releases.map((r) => r.version);
    // Defaults: the newest release against the one before it (or the one before `to`).
    const to = query.to ?? versions[0];
    const toIndex = to === "draft" ? -1 : versions.indexOf(to ?? "");
    const from = query.from ?? versions[toIndex + 1];
    const choices = { versions, draft: Boolean(user) };
    if (!from || !to) return { codeId: code.id, from: from ?? null, to: to ?? null, choices, comparison: null };
    const started = performance.now();
    // Loaded first on their own, so Server-Timing can tell loading from comparing.
    await Promise.all([from, to].filter((v) => v !== "draft").map((v) => getRelease(db(), code.id, v)));
    const loaded = performance.now();
    const comparison = await compareReleases(db(), code.id, from, to, user);
    const done = performance.now();
    const headers: Record<string, string> = { "Server-Timing": `compare;dur=${(done - started).toFixed(1)}, load;dur=${(loaded - started).toFixed(1)}, diff;dur=${(done - loaded).toFixed(1)}` };
    // Two releases compare the same for every anonymous reader (the default pair moves on a publish).
    if (to !== "draft") Object.assign(headers, sharedCache(300, [`releases:${code.id}`]));
    return json({ codeId: code.id, from, to, choices, comparison }, { headers });
  });
}

export const headers: HeadersFunction = ({ loaderHeaders }) => {
  const timing = loaderHeaders.get("Server-Timing");
  return { ...sharedCacheFromLoader({ loaderHeaders }), ...(timing ? { "Server-Timing": timing } : {}) };
};

export default function Compare() {
  const t = useT();
  const { codeId, from, to, choices, comparison } = useLoaderData<typeof loader>();
  const label = (v: string | null) => (v === "draft" ? t("release.compare.draft") : v ? t("release.version", { version: v }) : "");
  return (
    <section aria-labelledby="compare-title">
      <h1 id="compare-title">{comparison ? t("release.compare.heading", { from: label(from), to: label(to) }) : t("release.compare.title")}</h1>
      <Form method="get" action={`/codes/${codeId}/compare`} className="compare-form card">
        <label>
          {t("release.compare.from")}
          <select name="from" defaultValue={from ?? undefined}>
            {choices.versions.map((v) => (
              <option key={v} value={v}>
                {label(v)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("release.compare.to")}
          <select name="to" defaultValue={to ?? undefined}>
            {choices.draft ? <option value="draft">{label("draft")}</option> : null}
            {choices.versions.map((v) => (
              <option key={v} value={v}>
                {label(v)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button">
          {t("release.compare.submit")}
        </button>
      </Form>
      {!choices.draft ? <p className="meta">{t("release.compare.draftLogin")}</p> : null}
      {comparison ? <ComparisonView comparison={comparison} /> : <p>{t("release.compare.needTwo")}</p>}
    </section>
  );
}
