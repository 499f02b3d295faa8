// Ministry: the organisations taking part, with their fields and number of members.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { db } from "~/db.server";
import { useT } from "~/hooks";
import { handleLoader } from "~/http.server";
import { listOrganisations } from "~/models/users.server";
import { authorize } from "~/policies.server";
import { requireUser } from "~/session.server";
import { pageTitle } from "~/components/meta";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "orgs.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return handleLoader(request, user, async () => {
    authorize(user, "users.manage");
    return { organisations: await listOrganisations(db()) };
  });
}

export default function Organisations() {
  const t = useT();
  const { organisations } = useLoaderData<typeof loader>();
  return (
    <section aria-labelledby="orgs-title">
      <h1 id="orgs-title">{t("orgs.title")}</h1>
      <ul className="card-grid">
        {organisations.map((o) => (
          <li key={o.id} className="card">
            <h2>{o.name}</h2>
            <p className="meta">
              {t(`orgs.kind.${o.kind}`)} · {t("orgs.members", { count: Number(o.members) })}
            </p>
            <p>{o.description}</p>
            {o.fields.length ? (
              <ul className="tags">
                {o.fields.map((f) => (
                  <li key={f} className="tag">
                    {f}
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
