// Accepting an invitation from the ministry: choose a password, then you are signed in.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { failure } from "~/components/action-data";
import { NewPasswordForm } from "~/components/NewPasswordForm";
import { db } from "~/db.server";
import { NewPasswordSchema } from "~/domain/schemas";
import { useT } from "~/hooks";
import { handleAction, handleLoader, parseForm } from "~/http.server";
import { peekToken } from "~/models/tokens.server";
import { acceptInvite, findUser } from "~/models/users.server";
import { startSession } from "~/session.server";
import { pageTitle } from "~/components/meta";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "invite.title");

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleLoader(request, null, async () => {
    const userId = await peekToken(db(), "invite", params.token ?? "");
    const user = await findUser(db(), userId);
    return { email: user?.email ?? "" };
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleAction(request, null, async () => {
    const { password } = await parseForm(request, NewPasswordSchema);
    const userId = await acceptInvite(db(), params.token ?? "", password);
    return redirect("/codes/influencercode", { headers: { "Set-Cookie": await startSession(userId, request) } });
  });
}

export default function Invite() {
  const t = useT();
  const { email } = useLoaderData<typeof loader>();
  const result = failure(useActionData<typeof action>());
  return <NewPasswordForm title={t("invite.title")} intro={t("invite.intro", { email })} submit={t("invite.submit")} result={result} />;
}
