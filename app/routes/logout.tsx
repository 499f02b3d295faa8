// Sign out: the session row is deleted, so the old cookie no longer works anywhere.
import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { endSession } from "~/session.server";

export async function action({ request }: ActionFunctionArgs) {
  return redirect("/", { headers: { "Set-Cookie": await endSession(request) } });
}

export function loader() {
  return redirect("/");
}
