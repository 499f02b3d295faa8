// A word-level redline as paragraphs: removed words struck through (<del>), added words
// underlined (<ins>), each with a label for screen readers. Text only: nothing is parsed as HTML.
import { useT } from "~/hooks";
import type { RedlinePart } from "~/models/history.server";

function toLines(parts: RedlinePart[]): RedlinePart[][] {
  const lines: RedlinePart[][] = [[]];
  for (const part of parts) {
    part.text.split("\n").forEach((piece, i) => {
      if (i > 0) lines.push([]);
      if (piece) lines[lines.length - 1].push({ kind: part.kind, text: piece });
    });
  }
  return lines.filter((l) => l.length);
}

export function Redline({ parts }: { parts: RedlinePart[] }) {
  const t = useT();
  if (!parts.some((p) => p.kind !== "same")) return <p className="notice notice-ok">{t("history.noChanges")}</p>;
  return (
    <div className="redline prose" data-testid="redline">
      {toLines(parts).map((line, i) => (
        <p key={i}>
          {line.map((p, j) =>
            p.kind === "added" ? (
              <ins key={j}>
                <span className="visually-hidden">[{t("history.inserted")}: </span>
                {p.text}
                <span className="visually-hidden">]</span>
              </ins>
            ) : p.kind === "removed" ? (
              <del key={j}>
                <span className="visually-hidden">[{t("history.deleted")}: </span>
                {p.text}
                <span className="visually-hidden">]</span>
              </del>
            ) : (
              <span key={j}>{p.text}</span>
            ),
          )}
        </p>
      ))}
    </div>
  );
}
