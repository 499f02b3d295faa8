// What the two caches of whole responses share (server/response-cache.ts for anonymous
// visitors, server/page-cache.ts per session): telling signed-in requests apart, which headers
// of a rendered response are kept, its body split where its request's CSP nonce stood, and the
// answer that puts the current request's nonce back in.
import type { Request, Response } from "express";
import { SESSION_COOKIE } from "../app/session.server";

const SESSION_COOKIE_PATTERN = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=`);

/** Whether a Cookie header carries a session cookie (valid or not). */
export function hasSessionCookie(cookies: string | undefined): boolean {
  return !!cookies && SESSION_COOKIE_PATTERN.test(cookies);
}

/** Headers the caches set themselves on every answer, or that must not be replayed. */
const NOT_REPLAYED = new Set(["content-length", "date", "server-timing", "connection", "keep-alive", "transfer-encoding"]);

/** The headers of a rendered response worth keeping, without the given internal ones. */
export function keptHeaders(response: globalThis.Response, internal: string): [string, string][] {
  const headers: [string, string][] = [];
  const skip = internal.toLowerCase();
  for (const [name, value] of response.headers) if (!NOT_REPLAYED.has(name) && name !== skip) headers.push([name, value]);
  return headers;
}

/** The body, split at every occurrence of the nonce of the request that rendered it. */
export function splitAtNonce(body: Buffer, nonce: string): Buffer[] {
  if (!nonce) return [body];
  const needle = Buffer.from(nonce);
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = body.indexOf(needle, from); at !== -1; at = body.indexOf(needle, from)) {
    parts.push(body.subarray(from, at));
    from = at + needle.length;
  }
  parts.push(body.subarray(from));
  return parts;
}

/** Answers 200 with the kept headers and body, the body carrying this response's nonce. */
export function sendKept(req: Request, res: Response, headers: [string, string][], parts: Buffer[], nonce: string): void {
  res.statusCode = 200;
  for (const [name, value] of headers) {
    // The route's own policy (the badge's sandbox) adds to the one set for every response.
    if (name === "content-security-policy") res.appendHeader(name, value);
    else res.setHeader(name, value);
  }
  const nonceBytes = Buffer.from(nonce);
  let length = 0;
  for (const part of parts) length += part.length;
  res.setHeader("Content-Length", length + nonceBytes.length * (parts.length - 1));
  if (req.method === "HEAD" || parts.length === 1) {
    res.end(req.method === "HEAD" ? undefined : parts[0]);
    return;
  }
  // The parts go out as they are kept (one writev while corked), not copied into one buffer.
  res.cork();
  parts.forEach((part, i) => {
    if (i > 0) res.write(nonceBytes);
    res.write(part);
  });
  res.end();
  process.nextTick(() => res.uncork());
}
