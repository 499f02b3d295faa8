// Runs `remix build` when build/index.js is missing or older than the app's sources.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

export function buildIfStale() {
  const buildFile = path.resolve("build/index.js");
  const built = fs.existsSync(buildFile) ? fs.statSync(buildFile).mtimeMs : 0;
  // `remix dev` leaves a development build behind; a production start must not serve it.
  const development = built > 0 && !fs.readFileSync(buildFile, "utf8").includes('mode = "production"');
  const sources = Math.max(newestMtime("app"), fs.statSync("remix.config.js").mtimeMs, fs.statSync("package-lock.json").mtimeMs);
  if (built >= sources && !development) return;
  console.log("Building the app (remix build)…");
  const r = spawnSync(process.execPath, ["node_modules/@remix-run/dev/dist/cli.js", "build"], {
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
