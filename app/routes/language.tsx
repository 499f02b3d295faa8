// Switches the interface language (cookie, and the account's setting when signed in).
import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { db } from "~/db.server";
import { LocaleSchema } from "~/domain/schemas";
import { handleAction, parseForm } from "~/http.server";
import { setLocale } from "~/models/users.server";
import { currentUser, safeRedirect } from "~/session.server";

export async function action({ request }: ActionFunctionArgs) {
  const user = await currentUser(request);
  return handleAction(request, user, async () => {
    const input = await parseForm(request, LocaleSchema);
    if (user) await setLocale(db(), user.id, input.locale);
    const cookie = `codewerf_lang=${encodeURIComponent(input.locale)}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly`;
    return redirect(safeRedirect(input.redirectTo), { headers: { "Set-Cookie": cookie } });
  });
}

export function loader() {
  return redirect("/");
}
