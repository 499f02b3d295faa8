// Sign in with e-mail and password; rate limited, generic errors, local redirects only.
import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { failure } from "~/components/action-data";
import { Field, FormError, Notice } from "~/components/Field";
import { config } from "~/config.server";
import { db } from "~/db.server";
import { LoginSchema } from "~/domain/schemas";
import { useT } from "~/hooks";
import { cookieLocale, handleAction, parseForm } from "~/http.server";
import { authenticate, setLocale } from "~/models/users.server";
import { currentUser, safeRedirect, startSession } from "~/session.server";
import { pageTitle } from "~/components/meta";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "login.title");

// A throttled login tells clients when to come back.
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await currentUser(request);
  const redirectTo = safeRedirect(new URL(request.url).searchParams.get("redirectTo"));
  if (user) throw redirect(redirectTo);
  return { demo: config().embedded || !config().production };
}

export async function action({ request, context }: ActionFunctionArgs) {
  return handleAction(request, null, async () => {
    const input = await parseForm(request, LoginSchema);
    const user = await authenticate(db(), { email: input.email, password: input.password, ip: context.clientIp });
    // A language picked in this browser before signing in is kept.
    const chosen = cookieLocale(request);
    if (chosen) await setLocale(db(), user.id, chosen);
    const cookie = await startSession(user.id, request);
    return redirect(safeRedirect(input.redirectTo), { headers: { "Set-Cookie": cookie } });
  });
}

export default function Login() {
  const t = useT();
  const { demo } = useLoaderData<typeof loader>();
  const result = failure(useActionData<typeof action>());
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  return (
    <section className="narrow" aria-labelledby="login-title">
      <h1 id="login-title">{t("login.title")}</h1>
      {demo ? <Notice>{t("login.demo")}</Notice> : null}
      <Form method="post" noValidate>
        <FormError message={result?.formError} />
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? "/"} />
        <Field name="email" type="email" autoComplete="username" label={t("login.email")} required error={result?.fieldErrors.email} />
        <Field name="password" type="password" autoComplete="current-password" label={t("login.password")} required error={result?.fieldErrors.password} />
        <button type="submit" className="button" disabled={busy}>
          {t("login.submit")}
        </button>
      </Form>
      <p>
        <Link to="/password/forgot">{t("login.forgot")}</Link>
      </p>
      <p>
        {t("login.noAccount")} <Link to="/signup">{t("nav.signup")}</Link>
      </p>
    </section>
  );
}
