// The pure parts of releases: version numbers, the word-level redline, and sanitising the
// content that gets frozen.
import { describe, expect, it } from "vitest";
import { sanitizeDoc } from "../../app/domain/richtext";
import { redline } from "../../app/domain/redline";
import { freezeContent, nextVersion, parseVersion } from "../../app/models/releases.server";

// A redline may mark spacing on its own: compare words, not spacing.
const words = (s: string) => s.trim().replace(/\s+/g, " ");
const sides = (parts: { value: string; added?: boolean; removed?: boolean }[]) => ({
  before: words(parts.filter((p) => !p.added).map((p) => p.value).join("")),
  after: words(parts.filter((p) => !p.removed).map((p) => p.value).join("")),
});

describe("versions", () => {
  it("proposes 1.0 first, then minor and major steps", () => {
    expect(nextVersion(null, "minor")).toBe("1.0");
    expect(nextVersion(null, "major")).toBe("1.0");
    expect(nextVersion("1.0", "minor")).toBe("1.1");
    expect(nextVersion("1.9", "minor")).toBe("1.10");
    expect(nextVersion("1.9", "major")).toBe("2.0");
    expect(parseVersion("1.10")).toEqual({ major: 1, minor: 10 });
    for (const bad of ["1", "1.", "01.0", "1.0.0", "a.b", "draft", "1.0 "]) expect(parseVersion(bad)).toBeNull();
  });
});

describe("redline", () => {
  it("marks inserted and deleted words inside changed blocks, and whole added and removed blocks", () => {
    const a = "Zeg het meteen.\nGeen druk.\nOud blok.\nSlot.";
    const b = "Zeg het altijd meteen.\nGeen druk.\nSlot.\nNieuw blok.";
    const parts = redline(a, b);
    expect(sides(parts)).toEqual({ before: words(a), after: words(b) });
    expect(parts.filter((p) => p.added).map((p) => p.value.trim())).toEqual(["altijd", "Nieuw blok."]);
    expect(parts.filter((p) => p.removed).map((p) => p.value.trim())).toEqual(["Oud blok."]);
  });

  it("does not mark a word as changed when only the space after it changed", () => {
    const changed = (a: string, b: string) =>
      redline(a, b)
        .filter((p) => (p.added || p.removed) && p.value.trim())
        .map((p) => `${p.added ? "+" : "-"}${p.value.trim()}`);
    expect(changed("Zeg het", "Zeg het nu")).toEqual(["+nu"]);
    expect(changed("Zeg het nu", "Zeg het")).toEqual(["-nu"]);
    expect(changed("Zeg het.", "Zeg het. Bel 102.")).toEqual(["+Bel 102."]);
    expect(changed("Zeg het  nu", "Zeg het nu")).toEqual([]);
  });

  it("always concatenates back to both texts", () => {
    let x = 7;
    const rnd = (n: number) => ((x = (x * 1103515245 + 12345) % 2 ** 31), x % n);
    const vocabulary = ["code", "reclame", "volgers.", "jong", "publiek", "Awel", "102!", "en", "de", "het", "hulp?”"];
    for (let round = 0; round < 200; round++) {
      const text = () => Array.from({ length: 1 + rnd(4) }, () => Array.from({ length: 1 + rnd(12) }, () => vocabulary[rnd(vocabulary.length)]).join(" ")).join("\n");
      const a = text();
      const b = rnd(3) === 0 ? a : text();
      expect(sides(redline(a, b))).toEqual({ before: words(a), after: words(b) });
    }
  });
});

describe("sanitising frozen content", () => {
  it("drops unknown nodes and attributes and unsafe links, and renders inert HTML", () => {
    const hostile = {
      type: "doc",
      content: [
        { type: "image", attrs: { src: "x", onerror: "alert(1)" } },
        { type: "paragraph", attrs: { onclick: "alert(2)" }, content: [{ type: "text", text: "klik", marks: [{ type: "link", attrs: { href: "javascript:alert(3)" } }] }] },
        { type: "paragraph", content: [{ type: "text", text: "veilig", marks: [{ type: "link", attrs: { href: "https://www.awel.be", onmouseover: "alert(4)" } }, { type: "script" }] }] },
        { type: "paragraph", content: [{ type: "text", text: "<img src=x onerror=alert(5)>" }] },
      ],
    };
    const clean = sanitizeDoc(hostile)!;
    expect(JSON.stringify(clean)).not.toMatch(/image|onerror"|onclick|javascript|onmouseover|script/);
    const { html, text } = freezeContent(hostile);
    expect(html).not.toMatch(/<img|<[^>]*\son\w+=|javascript:|<script/i);
    expect(html).toMatch(/<a [^>]*href="https:\/\/www\.awel\.be"[^>]*>veilig<\/a>/);
    expect(html).toContain("&lt;img src=x onerror=alert(5)&gt;");
    expect(text).toBe("klik\nveilig\n<img src=x onerror=alert(5)>");
  });
});
