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
