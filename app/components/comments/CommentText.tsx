// A comment as the person typed it: plain text (line breaks kept by CSS), with http(s) URLs
// turned into links that never carry a referrer's trust (rel="nofollow noopener"). Everything
// else is a React text node, so markup in a comment is shown, never run.
import { Fragment } from "react";

const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;

function safeHttpUrl(raw: string): string | null {
  // Trailing punctuation usually belongs to the sentence, not the URL.
  const trimmed = raw.replace(/[),.;:!?]+$/, "");
  try {
    const url = new URL(trimmed);
    return url.protocol === "http:" || url.protocol === "https:" ? trimmed : null;
  } catch {
    return null;
  }
}

export function CommentText({ text }: { text: string }) {
  const parts: { text: string; href?: string }[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const href = safeHttpUrl(m[0]);
    if (!href) continue;
    const at = m.index ?? 0;
    if (at > last) parts.push({ text: text.slice(last, at) });
    parts.push({ text: href, href });
    last = at + href.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return (
    <div className="comment-text">
      {parts.map((p, i) =>
        p.href ? (
          <a key={i} href={p.href} rel="nofollow noopener noreferrer" target="_blank">
            {p.text}
          </a>
        ) : (
          <Fragment key={i}>{p.text}</Fragment>
        ),
      )}
    </div>
  );
}
