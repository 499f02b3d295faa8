// Follows the guardian's e-mailed pledge link (single use, 48 hours); confirming takes a click.
// Failed attempts (unknown, used, expired links) are rate-limited per client address.
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { pageTitle } from "~/components/meta";
import { ConfirmLink } from "~/components/pledges/ConfirmLink";
import { keepPageAfterSubmit } from "~/components/single-use-link";
import { db } from "~/db.server";
import { handleAction, handleLoader } from "~/http.server";
import { confirmPledge, peekPledgeToken } from "~/models/pledges.server";
import pledgesCss from "~/styles/pledges.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: pledgesCss }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "pledge.guardian.title");
export const shouldRevalidate = keepPageAfterSubmit;

// Remix runs the loader again after the action of the same request: that is not a second attempt.
const attempted = new WeakSet<object>();

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  if (attempted.has(context)) return null;
  return handleLoader(request, null, () => peekPledgeToken(db(), "pledge_guardian", params.token ?? "", context.clientIp));
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  attempted.add(context);
  return handleAction(request, null, async () => {
    const done = await confirmPledge(db(), "pledge_guardian", params.token ?? "", context.clientIp);
    return json({ ok: true as const, ...done });
  });
}

export default function ConfirmGuardian() {
  return <ConfirmLink titleKey="pledge.guardian.title" introKey="pledge.guardian.intro" submitKey="pledge.guardian.submit" />;
}
