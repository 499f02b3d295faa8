// Preloaded (--require) into every benchmarked server: on SIGUSR2 it runs a full GC and writes
// process.memoryUsage() to $HEAP_PROBE_FILE, so the harness can read heap per open document.
const fs = require("node:fs");
process.on("SIGUSR2", () => {
  if (typeof global.gc === "function") global.gc();
  fs.writeFileSync(process.env.HEAP_PROBE_FILE, JSON.stringify(process.memoryUsage()));
});
