// The one ProseMirror schema of a section's text (tiptap StarterKit), shared by the live
// editor, the seed and the server renderer. Links accept only http(s) and mailto.
import { getSchema, type AnyExtension } from "@tiptap/core";
import StarterKit from "@tiptap/starter-kit";

export const ALLOWED_LINK_PROTOCOLS = ["http", "https", "mailto"] as const;

export function isSafeHref(href: string | null | undefined): boolean {
  if (!href) return false;
  try {
    const url = new URL(href, "https://relative.invalid");
    return (ALLOWED_LINK_PROTOCOLS as readonly string[]).includes(url.protocol.replace(/:$/, ""));
  } catch {
    return false;
  }
}

export const richTextExtensions: AnyExtension[] = [
  StarterKit.configure({
    code: false,
    codeBlock: false,
    horizontalRule: false,
    strike: false,
    underline: false,
    heading: { levels: [2, 3, 4] },
    link: {
      openOnClick: false,
      autolink: true,
      protocols: ["mailto"],
      defaultProtocol: "https",
      isAllowedUri: (url) => isSafeHref(url),
      HTMLAttributes: { rel: "noopener noreferrer nofollow", target: null },
    },
  }),
];

export const richTextSchema = getSchema(richTextExtensions);

export interface PMJSON {
  type: string;
  attrs?: Record<string, unknown>;
  content?: PMJSON[];
  text?: string;
  marks?: { type: string; attrs?: Record<string, unknown> }[];
}

export const YDOC_FRAGMENT = "default";

export function docName(codeId: string, sectionId: string): string {
  return `${codeId}/${sectionId}`;
}

const INLINE_CONTAINERS = new Set(["paragraph", "heading"]);

/** Plain text of a document, one line per block (word counts, search, diffs). */
export function plainText(node: PMJSON): string {
  if (node.type === "text") return node.text ?? "";
  const parts = (node.content ?? []).map(plainText);
  return parts.join(INLINE_CONTAINERS.has(node.type) ? "" : "\n");
}

export function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function keepAttrs(spec: { attrs?: Record<string, unknown> } | undefined, attrs: Record<string, unknown> | undefined) {
  if (!attrs || !spec?.attrs) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(spec.attrs)) if (key in attrs) out[key] = attrs[key];
  return Object.keys(out).length ? out : undefined;
}

/**
 * A copy of `node` holding only what the schema knows: unknown nodes are dropped (an `image`
 * injected into the Y.Doc with `onerror`), unknown attributes removed, and links whose href is
 * not http(s)/mailto lose the link mark (their text stays).
 */
export function sanitizeDoc(node: PMJSON): PMJSON | null {
  const type = richTextSchema.nodes[node.type];
  if (!type) return null;
  if (node.type === "text") {
    if (typeof node.text !== "string" || node.text === "") return null;
    const marks = (node.marks ?? [])
      .filter((m) => richTextSchema.marks[m.type] && (m.type !== "link" || isSafeHref(String(m.attrs?.href ?? ""))))
      .map((m) => {
        const attrs = keepAttrs(richTextSchema.marks[m.type].spec, m.attrs);
        return attrs ? { type: m.type, attrs } : { type: m.type };
      });
    return marks.length ? { type: "text", text: node.text, marks } : { type: "text", text: node.text };
  }
  const out: PMJSON = { type: node.type };
  const attrs = keepAttrs(type.spec, node.attrs);
  if (attrs) out.attrs = attrs;
  if (node.content) {
    const content = node.content.map(sanitizeDoc).filter((c): c is PMJSON => c !== null);
    if (content.length) out.content = content;
  }
  return out;
}
