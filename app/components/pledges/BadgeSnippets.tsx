// The live badge with copy-paste snippets (HTML, Markdown) for bios and websites.
import { useT } from "~/hooks";

export function BadgeSnippets({ id, version, status, origin }: { id: string; version: string; status: string; origin: string }) {
  const t = useT();
  const page = `${origin}/pledges/${id}`;
  const badge = `${page}/badge.svg`;
  const alt = t("pledge.badge.alt", { version, status: t(`pledge.status.${status}`) });
  const html = `<a href="${page}"><img src="${badge}" alt="${alt.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;")}"></a>`;
  const markdown = `[![${alt.replace(/[[\]\\]/g, "\\$&")}](${badge})](${page})`;
  return (
    <section className="card" aria-labelledby="badge-title">
      <h2 id="badge-title">{t("pledge.badge.title")}</h2>
      <p>{t("pledge.badge.intro")}</p>
      <p>
        <img src={`/pledges/${id}/badge.svg`} alt={alt} data-testid="badge" />
      </p>
      <div className="field">
        <label htmlFor="snippet-html">{t("pledge.badge.html")}</label>
        <textarea id="snippet-html" className="snippet" readOnly value={html} />
      </div>
      <div className="field">
        <label htmlFor="snippet-md">{t("pledge.badge.markdown")}</label>
        <textarea id="snippet-md" className="snippet" readOnly value={markdown} />
      </div>
    </section>
  );
}
