// The server renderer only lets the schema through: no script, no event handlers, no unsafe
// link protocols, whatever ProseMirror JSON reaches it.
import { describe, expect, it } from "vitest";
import { isSafeHref, plainText, wordCount, type PMJSON } from "../../app/domain/richtext";
import { renderRichText } from "../../app/models/sections.server";

const doc = (...content: PMJSON[]): PMJSON => ({ type: "doc", content });
const para = (...content: PMJSON[]): PMJSON => ({ type: "paragraph", content });
const text = (t: string, marks?: PMJSON["marks"]): PMJSON => ({ type: "text", text: t, marks });

describe("renderRichText", () => {
  it("renders allowed links with rel and drops javascript: and data: hrefs", () => {
    const html = renderRichText(
      doc(
        para(
          text("Awel", [{ type: "link", attrs: { href: "https://www.awel.be" } }]),
          text(" kwaad", [{ type: "link", attrs: { href: "javascript:alert(1)" } }]),
          text(" data", [{ type: "link", attrs: { href: "data:text/html,<script>alert(1)</script>" } }]),
          text(" mail", [{ type: "link", attrs: { href: "mailto:info@awel.be" } }]),
        ),
      ),
    );
    expect(html).toContain('href="https://www.awel.be"');
    expect(html).toContain('rel="noopener noreferrer nofollow"');
    expect(html).toContain('href="mailto:info@awel.be"');
    expect(html).not.toMatch(/javascript:/i);
    expect(html).not.toMatch(/data:text/i);
  });

  it("escapes text and ignores unknown nodes and attributes", () => {
    const html = renderRichText(
      doc(
        para(text('<img src=x onerror="alert(1)"><script>alert(2)</script>')),
        { type: "paragraph", attrs: { onclick: "alert(3)", style: "x" }, content: [text("gewoon")] },
      ),
    );
    expect(html).toContain("&lt;img src=x onerror=");
    expect(html).toContain("&lt;script&gt;");
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("onclick");
  });
});

describe("helpers", () => {
  it("isSafeHref allows only http(s) and mailto", () => {
    expect(isSafeHref("https://childfocus.be")).toBe(true);
    expect(isSafeHref("mailto:x@y.be")).toBe(true);
    expect(isSafeHref("JavaScript:alert(1)")).toBe(false);
    expect(isSafeHref(" javascript:alert(1)")).toBe(false);
    expect(isSafeHref("vbscript:x")).toBe(false);
    expect(isSafeHref("")).toBe(false);
  });

  it("plainText keeps one line per block and counts words", () => {
    const d = doc(para(text("Bel "), text("1813", [{ type: "bold" }])), { type: "bulletList", content: [{ type: "listItem", content: [para(text("Awel 102"))] }] });
    expect(plainText(d)).toBe("Bel 1813\nAwel 102");
    expect(wordCount(plainText(d))).toBe(4);
  });
});
