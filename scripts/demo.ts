/**
 * The Tradeline story on the in-process Hardhat network. Each module adds a chapter.
 *
 *   make demo        (or: npm run demo)
 */
import { network } from "hardhat";

import { decodeCode, formatAmount, parseAmount } from "../src/encoding.js";
import { describeError } from "../src/errors.js";
import { roleNames, statusName } from "../src/members.js";

import { CAST } from "./lib/cast.js";
import { formatTable } from "../tasks/lib/members.js";
import { deployWorld, type World } from "./lib/world.js";

function heading(title: string): void {
  console.log(`\n== ${title} ${"=".repeat(Math.max(0, 72 - title.length))}\n`);
}

async function chapterMembers(world: World): Promise<void> {
  heading("1. Banks join the consortium");
  const { members } = world.contracts;
  const rows = [["id", "institution", "country", "status", "roles"]];
  const names = new Map<bigint, string>([[await members.memberOf(world.issuer), "Settlement issuer (Ignition)"]]);
  for (const member of CAST) names.set(world.ids[member.key], member.name);
  for (const [id, name] of names) {
    const m = await members.getMember(id);
    rows.push([String(id), name, decodeCode(m.jurisdiction), statusName(m.status), roleNames(m.roles).join(", ")]);
  }
  for (const line of formatTable(rows)) console.log(`  ${line}`);

  console.log("\n  Tokenized deposits, one per currency; only members may hold them:");
  const { CNY, MXN } = world.contracts.tokens;
  const glassworks = world.admins.glassworks;
  await (await CNY.connect(world.issuer).mint(glassworks, parseAmount("25000.00", 2))).wait();
  await (await MXN.connect(world.issuer).mint(world.admins.golfo, parseAmount("400000.00", 2))).wait();
  console.log(
    `  - ${CAST[5].name} holds ${formatAmount(await CNY.balanceOf(glassworks), 2)} ${decodeCode(await CNY.currency())}`,
  );
  console.log(`  - Banco del Golfo holds ${formatAmount(await MXN.balanceOf(world.admins.golfo), 2)} MXN`);
  const refused = await CNY.connect(glassworks)
    .transfer(world.outsiders[0], 1n)
    .then(() => "accepted (unexpected)")
    .catch((e: unknown) => `refused, ${describeError(e)}`);
  console.log(`  - a transfer to an unlicensed outsider: ${refused}`);
}

async function main(): Promise<void> {
  const connection = await network.create();
  console.log("Tradeline demo on the in-process Hardhat network");
  const world = await deployWorld(connection);
  await chapterMembers(world);
  console.log("\nDone.");
}

await main();
