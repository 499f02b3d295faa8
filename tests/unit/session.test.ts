// Redirect targets after login and the Origin rule, attacked with the usual tricks.
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig, setConfig } from "../../app/config.server";
import { en } from "../../app/i18n/en";
import { messages } from "../../app/i18n";
import { nl } from "../../app/i18n/nl";
import { isAllowedOrigin, safeRedirect } from "../../app/session.server";

beforeAll(() => {
  setConfig(loadConfig({ PUBLIC_ORIGIN: "https://codewerf.example", DATA_DIR: "/tmp/codewerf-unit", SESSION_SECRET: "unit-test-secret-0123456789" }));
});

describe("safeRedirect", () => {
  it.each([
    ["https://evil.example", "/"],
    ["//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["javascript:alert(1)", "/"],
    ["", "/"],
    [null, "/"],
    ["/codes/influencercode#reclame", "/codes/influencercode#reclame"],
    ["/account?x=1", "/account?x=1"],
  ])("%s → %s", (input, expected) => {
    expect(safeRedirect(input as string | null)).toBe(expected);
  });
});

describe("isAllowedOrigin", () => {
  it("accepts only PUBLIC_ORIGIN, from Origin or else Referer", () => {
    expect(isAllowedOrigin("https://codewerf.example", null)).toBe(true);
    expect(isAllowedOrigin("https://codewerf.example.evil.test", null)).toBe(false);
    expect(isAllowedOrigin("http://codewerf.example", null)).toBe(false);
    expect(isAllowedOrigin("null", "https://codewerf.example/login")).toBe(false);
    expect(isAllowedOrigin(null, "https://codewerf.example/login")).toBe(true);
    expect(isAllowedOrigin(null, "https://evil.example/https://codewerf.example")).toBe(false);
    expect(isAllowedOrigin(null, null)).toBe(false);
  });
});

describe("i18n", () => {
  it("English has exactly the Dutch keys, and parameters are filled in", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(nl).sort());
    expect(messages("nl-BE")("home.state.sections", { count: 10 })).toBe("10 hoofdstukken");
    expect(messages("en")("home.state.sections", { count: 10 })).toBe("10 sections");
    expect(messages("fr")("nav.login")).toBe("Aanmelden");
  });

  it("requires SESSION_SECRET for a production database", () => {
    expect(() => loadConfig({ NODE_ENV: "production", DATABASE_URL: "postgres://x@y/z" })).toThrow(/SESSION_SECRET/);
  });
});
