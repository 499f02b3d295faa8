import { PerformanceObserver } from "node:perf_hooks";
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.duration > 4) process.stderr.write(`GC kind=${e.detail?.kind} ${e.duration.toFixed(1)}ms at ${Date.now()}\n`);
});
obs.observe({ entryTypes: ["gc"] });
let last = performance.now();
setInterval(() => {
  const now = performance.now();
  if (now - last > 20) process.stderr.write(`LAG ${(now - last - 5).toFixed(0)}ms at ${Date.now()}\n`);
  last = now;
}, 5).unref();
