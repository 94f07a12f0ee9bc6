/**
 * Runtime bytecode sizes of every deployable contract, from the artifacts of a plain `hardhat build` (not the
 * instrumented ones of a coverage run), against EIP-170's 24,576 bytes. `scripts/check-sizes.ts` enforces the
 * headroom; the bench prints and records the sizes.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/** EIP-170: the largest runtime bytecode a contract may deploy. */
export const EIP170_LIMIT = 24_576;
/** Every contract leaves at least this share of the limit free, so that the next features fit (issue 15). */
export const MIN_HEADROOM_SHARE = 0.15;

export interface ContractSize {
  contract: string;
  bytes: number;
  headroom: number;
  /** `headroom / EIP170_LIMIT`, rounded to three decimals. */
  headroomShare: number;
}

async function artifactFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await artifactFiles(p)));
    else if (entry.name.endsWith(".json") && !entry.name.endsWith(".dbg.json")) out.push(p);
  }
  return out;
}

/** The size of each contract with runtime code under `artifacts/contracts/`, by name. */
export async function contractSizes(
  root = new URL("../../artifacts/contracts/", import.meta.url).pathname,
): Promise<ContractSize[]> {
  const sizes: ContractSize[] = [];
  for (const file of (await artifactFiles(root)).sort()) {
    const a = JSON.parse(await readFile(file, "utf8")) as { contractName?: string; deployedBytecode?: string };
    const code = a.deployedBytecode ?? "0x";
    if (a.contractName === undefined || code.length <= 2) continue;
    const bytes = (code.length - 2) / 2;
    const headroom = EIP170_LIMIT - bytes;
    sizes.push({
      contract: a.contractName,
      bytes,
      headroom,
      headroomShare: Number((headroom / EIP170_LIMIT).toFixed(3)),
    });
  }
  return sizes.sort((x, y) => y.bytes - x.bytes);
}
