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
  /** Pledge signatures per account (10 per 10 minutes). */
  pledgeSign: RateLimiterAbstract;
  /** Failed pledge confirmations (unknown, used or expired links) per client address. */
  pledgeConfirm: RateLimiterAbstract;
}

const PLEDGE_SIGN = { points: 10, duration: 600, blockDuration: 600 };
export const PLEDGE_CONFIRM_FAILURES_ALLOWED = 10;
const PLEDGE_CONFIRM = { points: PLEDGE_CONFIRM_FAILURES_ALLOWED, duration: WINDOW_SECONDS, blockDuration: WINDOW_SECONDS };

const g = globalThis as unknown as { __codewerfLimiters?: Limiters; __codewerfLimiterRedis?: Redis };

/** Keys are scoped to the database, so deployments (or test databases) sharing one Redis stay apart. */
function namespace(): string {
  const { databaseUrl, dataDir } = config();
  return createHash("sha256").update(databaseUrl ?? dataDir).digest("hex").slice(0, 12);
}

export function limiters(): Limiters {
  if (g.__codewerfLimiters) return g.__codewerfLimiters;
  const opts = { points: LOGIN_FAILURES_ALLOWED, duration: WINDOW_SECONDS, blockDuration: WINDOW_SECONDS, keyPrefix: `codewerf:${namespace()}:login` };
  const sign = { ...PLEDGE_SIGN, keyPrefix: `codewerf:${namespace()}:pledge-sign` };
  const confirm = { ...PLEDGE_CONFIRM, keyPrefix: `codewerf:${namespace()}:pledge-confirm` };
  const { redisUrl } = config();
  if (redisUrl) {
    g.__codewerfLimiterRedis = new Redis(redisUrl, { enableOfflineQueue: false, lazyConnect: false, maxRetriesPerRequest: 1 });
    g.__codewerfLimiterRedis.on("error", () => undefined); // the insurance limiter takes over
    const storeClient = g.__codewerfLimiterRedis;
    g.__codewerfLimiters = {
      login: new RateLimiterRedis({ ...opts, storeClient, insuranceLimiter: new RateLimiterMemory(opts) }),
      pledgeSign: new RateLimiterRedis({ ...sign, storeClient, insuranceLimiter: new RateLimiterMemory(sign) }),
      pledgeConfirm: new RateLimiterRedis({ ...confirm, storeClient, insuranceLimiter: new RateLimiterMemory(confirm) }),
    };
  } else {
    g.__codewerfLimiters = { login: new RateLimiterMemory(opts), pledgeSign: new RateLimiterMemory(sign), pledgeConfirm: new RateLimiterMemory(confirm) };
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

/** Takes one point from `limiter` for `key`; the seconds to wait when none are left, else 0. */
export async function takePoint(limiter: "pledgeSign" | "pledgeConfirm", key: string): Promise<number> {
  try {
    await limiters()[limiter].consume(key, 1);
    return 0;
  } catch (e) {
    if (e instanceof Error) throw e;
    return Math.max(1, Math.ceil((e as { msBeforeNext: number }).msBeforeNext / 1000));
  }
}

/** Seconds until `key` may try again on `limiter` (0: now), without taking a point. */
export async function blockedFor(limiter: "pledgeSign" | "pledgeConfirm", key: string, allowed: number): Promise<number> {
  const r = await limiters()[limiter].get(key);
  return r && r.consumedPoints >= allowed ? Math.ceil(r.msBeforeNext / 1000) : 0;
}
