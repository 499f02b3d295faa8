// Comment anchors follow their text across two replicas exchanging updates: concurrent
// inserts before, inside and after the span, and deletion of the whole span ("deleted").
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { anchorInType, resolveInType, type EncodedAnchor } from "../../app/domain/anchors";

const TEXT = "Verwijs altijd naar een hulplijn zoals Awel 102.";
const QUOTE = "een hulplijn";

function pair() {
  const a = new Y.Doc();
  const b = new Y.Doc();
  a.getText("t").insert(0, TEXT);
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
  return { a, b };
}
/** Exchanges everything both ways, like two clients through the server. */
function sync(a: Y.Doc, b: Y.Doc) {
  const ua = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
  const ub = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
  Y.applyUpdate(b, ua);
  Y.applyUpdate(a, ub);
}
function spanText(doc: Y.Doc, anchor: EncodedAnchor): string | null {
  const r = resolveInType(doc, anchor);
  return r ? doc.getText("t").toString().slice(r.index, r.index + r.length) : null;
}

describe("comment anchors", () => {
  const at = TEXT.indexOf(QUOTE);

  it("resolve to the quoted span when nothing changed", () => {
    const { a, b } = pair();
    const anchor = anchorInType(a.getText("t"), at, QUOTE.length);
    expect(spanText(a, anchor)).toBe(QUOTE);
    expect(spanText(b, anchor)).toBe(QUOTE);
  });

  it("keep the span under concurrent inserts before, inside and after it", () => {
    const { a, b } = pair();
    const anchor = anchorInType(a.getText("t"), at, QUOTE.length);
    // Both replicas edit at the same time, then exchange.
    a.getText("t").insert(at, "altijd "); // right before the span: stays outside
    b.getText("t").insert(at + QUOTE.length, " (gratis)"); // right after: stays outside
    b.getText("t").insert(at + 3, " erkende"); // inside: grows the span
    a.getText("t").insert(0, "Tip: "); // far before
    sync(a, b);
    expect(a.getText("t").toString()).toBe(b.getText("t").toString());
    expect(spanText(a, anchor)).toBe("een erkende hulplijn");
    expect(spanText(b, anchor)).toBe("een erkende hulplijn");
    expect(a.getText("t").toString()).toContain("altijd een erkende hulplijn (gratis)");
  });

  it("resolve to deleted when the whole span is deleted, also concurrently with an insert next to it", () => {
    const { a, b } = pair();
    const anchor = anchorInType(a.getText("t"), at, QUOTE.length);
    a.getText("t").delete(at, QUOTE.length);
    b.getText("t").insert(at + QUOTE.length, " nu");
    sync(a, b);
    expect(spanText(a, anchor)).toBeNull();
    expect(spanText(b, anchor)).toBeNull();
  });

  it("survive a partial deletion with the remaining characters", () => {
    const { a, b } = pair();
    const anchor = anchorInType(a.getText("t"), at, QUOTE.length);
    b.getText("t").delete(at, 4); // "een "
    sync(a, b);
    expect(spanText(a, anchor)).toBe("hulplijn");
  });
});

describe("comment anchors in ProseMirror positions (as the editor and the server read them)", () => {
  const at = TEXT.indexOf(QUOTE);
  it("follow the text in a tiptap-shaped Y.Doc and report deletion", async () => {
    const { initProseMirrorDoc, prosemirrorJSONToYDoc } = await import("@tiptap/y-tiptap");
    const { richTextSchema } = await import("../../app/domain/richtext");
    const { anchorFromProseMirror, resolveInProseMirror } = await import("../../app/domain/anchors");
    const a = prosemirrorJSONToYDoc(richTextSchema, { type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text: TEXT }] }] }, "default");
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    const view = (doc: Y.Doc) => {
      const type = doc.getXmlFragment("default");
      const { doc: pm, mapping } = initProseMirrorDoc(type, richTextSchema);
      return { type, pm, mapping };
    };
    const va = view(a);
    const from = 1 + at; // inside the paragraph
    const anchor = anchorFromProseMirror(va.type, va.mapping, from, from + QUOTE.length);
    const textOf = (doc: Y.Doc) => {
      const v = view(doc);
      const r = resolveInProseMirror(doc, v.type, v.mapping, anchor);
      return r ? v.pm.textBetween(r.from, r.to) : null;
    };
    expect(textOf(b)).toBe(QUOTE);
    const textA = (a.getXmlFragment("default").get(0) as Y.XmlElement).get(0) as Y.XmlText;
    const textB = (b.getXmlFragment("default").get(0) as Y.XmlElement).get(0) as Y.XmlText;
    textA.insert(at, "altijd ");
    textB.insert(at + QUOTE.length, " (gratis)");
    textB.insert(at + 3, " erkende");
    sync(a, b);
    expect(textOf(a)).toBe("een erkende hulplijn");
    expect(textOf(b)).toBe("een erkende hulplijn");
    textA.delete(textA.toString().indexOf("een erkende hulplijn"), "een erkende hulplijn".length);
    sync(a, b);
    expect(textOf(b)).toBeNull();
  });

  it("resolve a thread on the section's very first word, also after text is typed before it", async () => {
    const { initProseMirrorDoc, prosemirrorJSONToYDoc } = await import("@tiptap/y-tiptap");
    const { richTextSchema } = await import("../../app/domain/richtext");
    const { anchorFromProseMirror, resolveInProseMirror } = await import("../../app/domain/anchors");
    const doc = prosemirrorJSONToYDoc(richTextSchema, { type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text: TEXT }] }] }, "default");
    const textOf = () => {
      const type = doc.getXmlFragment("default");
      const { doc: pm, mapping } = initProseMirrorDoc(type, richTextSchema);
      const r = resolveInProseMirror(doc, type, mapping, anchor);
      return r ? pm.textBetween(r.from, r.to) : null;
    };
    const first = TEXT.split(" ")[0];
    const type = doc.getXmlFragment("default");
    const anchor = anchorFromProseMirror(type, initProseMirrorDoc(type, richTextSchema).mapping, 1, 1 + first.length);
    expect(textOf()).toBe(first);
    const text = (type.get(0) as Y.XmlElement).get(0) as Y.XmlText;
    text.insert(0, "Nieuw: ");
    expect(textOf()).toBe(first);
    text.delete("Nieuw: ".length, first.length);
    expect(textOf()).toBeNull();
  });
});
