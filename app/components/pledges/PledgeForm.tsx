// The signing form: the exact pledge text and version (with a link to the release), public
// name, optional handles, the under-13 question and, then, the guardian's address.
import { Form, Link, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { Field, FormError } from "~/components/Field";
import { HANDLES } from "~/domain/pledges";
import { useT } from "~/hooks";
import type { ActionFailure } from "~/http.server";

export interface Offer {
  codeId: string;
  version: string;
  text: string;
  textSha256: string;
}

export function PledgeText({ offer }: { offer: Offer }) {
  const t = useT();
  return (
    <section className="card pledge-text" aria-labelledby="pledge-text-title">
      <h2 id="pledge-text-title">{t("pledge.sign.text")}</h2>
      <p className="meta">
        {t("pledge.sign.version", { version: offer.version })}{" "}
        <Link to={`/codes/${offer.codeId}/releases/${offer.version}`}>{t("pledge.sign.readRelease", { version: offer.version })}</Link>
      </p>
      <blockquote data-testid="pledge-text">{offer.text}</blockquote>
    </section>
  );
}

export function PledgeForm({ offer, failure, defaults }: { offer: Offer; failure?: ActionFailure; defaults?: Partial<Record<string, string>> }) {
  const t = useT();
  const busy = useNavigation().state === "submitting";
  const [minor, setMinor] = useState(defaults?.under13 === "yes");
  const errors = failure?.fieldErrors ?? {};
  return (
    <Form method="post" action="/pledge" noValidate className="pledge-form">
      <FormError message={failure?.formError} />
      <input type="hidden" name="textSha256" value={offer.textSha256} />
      <Field name="publicName" label={t("pledge.sign.publicName")} help={t("pledge.sign.publicNameHelp")} required maxLength={80} defaultValue={defaults?.publicName} error={errors.publicName} />
      <fieldset>
        <legend>{t("pledge.sign.handles")}</legend>
        <p className="field-help">{t("pledge.sign.handlesHelp")}</p>
        {HANDLES.map((h) => (
          <Field key={h} name={h} label={t(`pledge.sign.${h}`)} autoCapitalize="none" spellCheck={false} maxLength={120} defaultValue={defaults?.[h]} error={errors[h]} />
        ))}
      </fieldset>
      <fieldset aria-describedby="age-help">
        <legend>{t("pledge.sign.age")}</legend>
        <p className="field-help" id="age-help">
          {t("pledge.sign.ageHelp")}
        </p>
        <label className="choice">
          <input type="radio" name="under13" value="no" defaultChecked={defaults?.under13 === "no"} onChange={() => setMinor(false)} /> {t("pledge.sign.ageNo")}
        </label>
        <label className="choice">
          <input type="radio" name="under13" value="yes" defaultChecked={defaults?.under13 === "yes"} onChange={() => setMinor(true)} /> {t("pledge.sign.ageYes")}
        </label>
        {errors.under13 ? (
          <p className="field-message" role="alert">
            {errors.under13}
          </p>
        ) : null}
      </fieldset>
      {/* Shown without JavaScript too; with it, only after "under 13" is chosen. */}
      <div className={minor ? "guardian" : "guardian guardian-optional"}>
        <Field name="guardianEmail" type="email" label={t("pledge.sign.guardianEmail")} help={t("pledge.sign.guardianHelp")} maxLength={254} error={errors.guardianEmail} />
      </div>
      <button type="submit" className="button" disabled={busy}>
        {t("pledge.sign.submit", { version: offer.version })}
      </button>
    </Form>
  );
}
