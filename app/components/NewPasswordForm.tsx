// The "choose a password" form behind an e-mailed link (invitation, reset).
import { Form, useNavigation } from "@remix-run/react";
import { useT } from "~/hooks";
import type { ActionFailure } from "~/http.server";
import { Field, FormError } from "./Field";

/** A field for choosing a password (sign-up, invitation, reset). */
export function NewPasswordField({ error }: { error?: string }) {
  const t = useT();
  return (
    <Field
      name="password"
      type="password"
      autoComplete="new-password"
      label={t("login.password")}
      help={t("signup.passwordHelp")}
      required
      minLength={10}
      error={error}
    />
  );
}

export function NewPasswordForm({ title, intro, submit, result }: { title: string; intro?: string; submit: string; result?: ActionFailure }) {
  const t = useT();
  const busy = useNavigation().state === "submitting";
  return (
    <section className="narrow" aria-labelledby="password-title">
      <h1 id="password-title">{title}</h1>
      {intro ? <p>{intro}</p> : null}
      <Form method="post" noValidate>
        <FormError message={result?.formError} />
        <NewPasswordField error={result?.fieldErrors.password} />
        <button type="submit" className="button" disabled={busy}>
          {submit}
        </button>
      </Form>
    </section>
  );
}
