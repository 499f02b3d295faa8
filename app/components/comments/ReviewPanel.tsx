// A section's expert review: the state per required organisation, approve / request changes
// for members of those organisations, and "what changed since the approval" for stale ones.
import { useFetcher } from "@remix-run/react";
import { useEffect, useId, useState } from "react";
import { Redline } from "~/components/releases/Redline";
import { useLocale, useT } from "~/hooks";
import { formatDateTime } from "~/i18n";
import type { RedlinePart } from "~/domain/redline";
import type { ReviewState } from "~/models/reviews.server";

export interface ReviewCellView {
  organisationId: string;
  organisationName: string;
  state: ReviewState;
  at: string | null;
  by: string | null;
}

const STATE_TAG: Record<ReviewState, string> = { pending: "tag", approved: "tag tag-ok", changes_requested: "tag tag-warn", stale: "tag tag-warn" };

export function ReviewStateTag({ state }: { state: ReviewState }) {
  const t = useT();
  return (
    <span className={STATE_TAG[state]} data-state={state}>
      {t(`review.state.${state}`)}
    </span>
  );
}

export function ReviewPanel(props: {
  codeId: string;
  sectionId: string;
  cells: ReviewCellView[];
  redlines: { organisationId: string; parts: RedlinePart[] | null }[];
  /** The viewer's organisation when it must review this section. */
  myOrganisation: { id: string; name: string } | null;
}) {
  const t = useT();
  const locale = useLocale();
  const approve = useFetcher<{ ok: boolean; formError?: string }>();
  const changes = useFetcher<{ ok: boolean; formError?: string }>();
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  // Fetchers want JSON back (`?fetch=1`); without JavaScript the server redirects back.
  const action = `/codes/${props.codeId}/sections/${props.sectionId}/review${hydrated ? "?fetch=1" : ""}`;
  const bodyId = useId();
  const mine = props.cells.find((c) => c.organisationId === props.myOrganisation?.id);
  const ready = props.cells.length > 0 && props.cells.every((c) => c.state === "approved");
  return (
    <section id="review" className="review-panel" aria-labelledby="review-title" data-testid="review-panel">
      <h2 id="review-title">
        {t("review.title")} <span className={ready ? "tag tag-ok" : "tag"}>{ready ? t("review.ready") : t("review.notReady")}</span>
      </h2>
      <ul className="review-cells">
        {props.cells.map((c) => {
          const redline = props.redlines.find((r) => r.organisationId === c.organisationId)?.parts;
          return (
            <li key={c.organisationId} data-testid="review-cell" data-organisation={c.organisationId} data-state={c.state}>
              <strong>{c.organisationName}</strong> <ReviewStateTag state={c.state} />
              {c.at ? <span className="muted"> · {t("review.by", { name: c.by || t("user.deleted"), when: formatDateTime(c.at, locale) })}</span> : null}
              {c.state === "stale" && redline ? (
                <details className="since-approval" open>
                  <summary>{t("review.sinceApproval")}</summary>
                  {redline.some((p) => p.added || p.removed) ? <Redline parts={redline} /> : <p>{t("review.noChanges")}</p>}
                </details>
              ) : null}
            </li>
          );
        })}
      </ul>
      {props.myOrganisation && mine ? (
        <div className="review-actions">
          <approve.Form method="post" action={action}>
            <input type="hidden" name="intent" value="approve" />
            <button type="submit" className="button" disabled={approve.state !== "idle" || mine.state === "approved"} data-testid="approve">
              {t("review.approve", { org: props.myOrganisation.name })}
            </button>
            {approve.data?.ok === false ? (
              <p className="field-error" role="alert">
                {approve.data.formError}
              </p>
            ) : null}
          </approve.Form>
          <details>
            <summary>{t("review.requestChanges")}</summary>
            <changes.Form method="post" action={action} className="comment-form">
              <input type="hidden" name="intent" value="request_changes" />
              <label htmlFor={bodyId}>{t("review.requestChangesBody")}</label>
              <textarea id={bodyId} name="body" rows={3} required />
              {changes.data?.ok === false ? (
                <p className="field-error" role="alert">
                  {changes.data.formError}
                </p>
              ) : null}
              <button type="submit" className="button button-small">
                {t("review.requestChanges")}
              </button>
            </changes.Form>
          </details>
        </div>
      ) : null}
    </section>
  );
}
