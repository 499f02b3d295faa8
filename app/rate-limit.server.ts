// Login throttling: 5 failures per account or per IP within 15 minutes block further
// attempts for 15 minutes. In memory for one instance, in Redis when REDIS_URL is set.
import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from "rate-limiter-flexible";
import { config } from "./config.server";

const WINDOW_SECONDS = 15 * 60;
export const LOGIN_FAILURES_ALLOWED = 5;

interface Limiters {
  login: RateLimiterAbstract;
}

const g = globalThis as unknown as { __codewerfLimiters?: Limiters; __codewerfLimiterRedis?: Redis };

/** Keys are scoped to the database, so deployments (or test databases) sharing one Redis stay apart. */
function namespace(): string {
  const { databaseUrl, dataDir } = config();
  return createHash("sha256").update(databaseUrl ?? dataDir).digest("hex").slice(0, 12);
}

export function limiters(): Limiters {
  if (g.__codewerfLimiters) return g.__codewerfLimiters;
  const opts = { points: LOGIN_FAILURES_ALLOWED, duration: WINDOW_SECONDS, blockDuration: WINDOW_SECONDS, keyPrefix: `codewerf:${namespace()}:login` };
  const { redisUrl } = config();
  if (redisUrl) {
    g.__codewerfLimiterRedis = new Redis(redisUrl, { enableOfflineQueue: false, lazyConnect: false, maxRetriesPerRequest: 1 });
    g.__codewerfLimiterRedis.on("error", () => undefined); // the insurance limiter takes over
    g.__codewerfLimiters = {
      login: new RateLimiterRedis({ ...opts, storeClient: g.__codewerfLimiterRedis, insuranceLimiter: new RateLimiterMemory(opts) }),
    };
  } else {
    g.__codewerfLimiters = { login: new RateLimiterMemory(opts) };
  }
  return g.__codewerfLimiters;
}

export async function closeLimiters(): Promise<void> {
  g.__codewerfLimiterRedis?.disconnect();
  g.__codewerfLimiterRedis = undefined;
  g.__codewerfLimiters = undefined;
}

function loginKeys(email: string, ip: string): string[] {
  return [`acct:${email.trim().toLowerCase()}`, `ip:${ip}`];
}

/** Seconds until login may be tried again, or 0 when it may be tried now. */
export async function loginBlockedFor(email: string, ip: string): Promise<number> {
  const results = await Promise.all(loginKeys(email, ip).map((k) => limiters().login.get(k)));
  let wait = 0;
  for (const r of results) {
    if (r && r.consumedPoints >= LOGIN_FAILURES_ALLOWED) wait = Math.max(wait, Math.ceil(r.msBeforeNext / 1000));
  }
  return wait;
}

export async function recordLoginFailure(email: string, ip: string): Promise<void> {
  await Promise.all(loginKeys(email, ip).map((k) => limiters().login.penalty(k, 1)));
}
