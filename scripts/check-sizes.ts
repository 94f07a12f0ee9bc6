/**
 * EIP-170 headroom: every deployable contract's runtime bytecode, from the artifacts of a plain `hardhat build`
 * (not the instrumented ones of a coverage run), must stay at least 500 bytes under 24,576. Exits 1 naming each
 * contract over it. `npm run typecheck` runs it after the build.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

const LIMIT = 24_576;
const HEADROOM = Number(process.env.TRADELINE_SIZE_HEADROOM ?? 500);
const root = new URL("../artifacts/contracts/", import.meta.url).pathname;

async function artifacts(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await artifacts(p)));
    else if (entry.name.endsWith(".json") && !entry.name.endsWith(".dbg.json")) out.push(p);
  }
  return out;
}

let failed = 0;
for (const file of (await artifacts(root)).sort()) {
  const a = JSON.parse(await readFile(file, "utf8")) as { contractName?: string; deployedBytecode?: string };
  const code = a.deployedBytecode ?? "0x";
  if (a.contractName === undefined || code.length <= 2) continue;
  const size = (code.length - 2) / 2;
  const over = size > LIMIT - HEADROOM;
  if (over) failed += 1;
  console.log(
    `${over ? "FAIL" : "ok  "} ${a.contractName.padEnd(24)} ${String(size).padStart(6)} bytes, headroom ${LIMIT - size}`,
  );
}
if (failed > 0) {
  console.error(`error: ${failed} contract(s) within ${HEADROOM} bytes of EIP-170's ${LIMIT}`);
  process.exitCode = 1;
}
