// The redline between two versions: word-level insertions and deletions per section, with
// added/removed/renamed/moved sections marked and unchanged ones collapsed. Reused by the
// compare page and the re-pledge page; takes the data of `compareReleases`.
import { useT } from "~/hooks";
import type { RedlinePart } from "~/domain/redline";
import type { Comparison, SectionChange } from "~/models/releases.server";

/** Word-level redline of one text: <ins> for added words, <del> for removed ones. */
export function Redline({ parts }: { parts: RedlinePart[] }) {
  const t = useT();
  return (
    <div className="redline">
      {parts.map((p, i) =>
        p.added ? (
          <ins key={i}>
            <span className="visually-hidden">{t("release.compare.inserted")} </span>
            {p.value}
          </ins>
        ) : p.removed ? (
          <del key={i}>
            <span className="visually-hidden">{t("release.compare.deleted")} </span>
            {p.value}
          </del>
        ) : (
          <span key={i}>{p.value}</span>
        ),
      )}
    </div>
  );
}

function ChangedSection({ change }: { change: SectionChange }) {
  const t = useT();
  const title = change.toTitle ?? change.fromTitle ?? change.sectionId;
  const position = change.toPosition ?? change.fromPosition;
  return (
    <section className={`card redline-section redline-${change.status}`} id={change.sectionId} aria-labelledby={`redline-${change.sectionId}`} data-section={change.sectionId} data-status={change.status}>
      <h2 id={`redline-${change.sectionId}`}>
        <span className="section-number">{position}.</span> {title}
      </h2>
      <ul className="tags">
        {change.status === "added" ? <li className="tag tag-ok">{t("release.compare.added")}</li> : null}
        {change.status === "removed" ? <li className="tag tag-danger">{t("release.compare.removed")}</li> : null}
        {change.renamed ? <li className="tag tag-warn" data-change="renamed">{t("release.compare.renamed", { title: change.fromTitle ?? "" })}</li> : null}
        {change.moved ? <li className="tag tag-warn" data-change="moved">{t("release.compare.moved", { position: change.fromPosition ?? "" })}</li> : null}
        {change.status === "changed" && change.textChanged ? <li className="tag" data-change="edited">{t("release.compare.edited")}</li> : null}
      </ul>
      {change.whyChanged ? (
        <div className="why-changed">
          <h3>{t("release.whyChanged")}</h3>
          <p>{change.whyChanged}</p>
        </div>
      ) : null}
      {change.status === "changed" && !change.parts.some((p) => p.added || p.removed) ? <p className="meta">{t("release.compare.noTextChange")}</p> : null}
      <Redline parts={change.parts} />
    </section>
  );
}

function UnchangedSection({ change }: { change: SectionChange }) {
  const t = useT();
  return (
    <details className="card redline-unchanged" id={change.sectionId} data-section={change.sectionId} data-status="unchanged">
      <summary>
        <span className="section-number">{change.toPosition}.</span> {t("release.compare.unchanged", { title: change.toTitle ?? "" })}
      </summary>
      <div className="prose" dangerouslySetInnerHTML={{ __html: change.html }} />
    </details>
  );
}

/** Every section of a comparison in the newer version's order. */
export function ComparisonView({ comparison }: { comparison: Pick<Comparison, "changes" | "counts"> }) {
  const t = useT();
  return (
    <div className="comparison">
      <p className="meta" data-testid="compare-summary">
        {t("release.compare.summary", comparison.counts)}
      </p>
      <p className="meta">{t("release.compare.legend")}</p>
      {comparison.changes.map((c) => (c.status === "unchanged" ? <UnchangedSection key={c.sectionId} change={c} /> : <ChangedSection key={c.sectionId} change={c} />))}
    </div>
  );
}
