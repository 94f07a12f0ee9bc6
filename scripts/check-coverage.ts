/**
 * Fails when a contracts folder's line coverage is below the bar. Reads coverage/lcov.info written by
 * `hardhat test --coverage`. Usage: node scripts/check-coverage.ts [minPercent=95]
 */
import { readFile } from "node:fs/promises";

const min = Number(process.argv[2] ?? "95");
const lcov = await readFile(new URL("../coverage/lcov.info", import.meta.url), "utf8").catch(() => {
  console.error("error: coverage/lcov.info is missing; run `hardhat test --coverage` first");
  process.exit(1);
});

const folders = new Map<string, { hit: number; found: number }>();
let folder = "";
for (const line of lcov.split("\n")) {
  if (line.startsWith("SF:")) folder = line.slice(3).split("/").slice(0, -1).join("/");
  const m = /^L([HF]):(\d+)$/.exec(line);
  if (m === null || !folder.startsWith("contracts/")) continue;
  const f = folders.get(folder) ?? { hit: 0, found: 0 };
  if (m[1] === "H") f.hit += Number(m[2]);
  else f.found += Number(m[2]);
  folders.set(folder, f);
}

let failed = false;
for (const [name, { hit, found }] of [...folders].sort()) {
  const pct = found === 0 ? 100 : (100 * hit) / found;
  const ok = pct >= min;
  failed ||= !ok;
  console.log(`${ok ? "ok  " : "FAIL"} ${name.padEnd(24)} ${pct.toFixed(2).padStart(6)}% lines (${hit}/${found})`);
}
if (folders.size === 0) {
  console.error("error: no contracts in coverage/lcov.info");
  failed = true;
}
if (failed) {
  console.error(`line coverage below ${min}% in at least one folder`);
  process.exitCode = 1;
}
