// What the two caches of whole responses share (server/response-cache.ts for anonymous
// visitors, server/page-cache.ts per session): a rendered body kept split where its request's
// CSP nonce stood, and the answer that puts the current request's nonce back in.
import type { Request, Response } from "express";

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
