/**
 * Gas of the settlement token's and the member registry's operations against the brief's floor, as the bench
 * measures them (same world, same order), without the rest of the bench:
 *
 *   npx hardhat run scripts/token-gas.ts
 */
import { network } from "hardhat";
import type { TransactionResponse } from "ethers";

import { signPermit } from "../src/eip712.js";
import { reasonCode, legalIdHash, jurisdictionCode } from "../src/encoding.js";
import { entityKey, roleMask } from "../src/members.js";

import { measureTx, toRow, type GasRow } from "./lib/gas.js";
import { deployWorld } from "./lib/world.js";

const connection = await network.create();
const { provider, networkHelpers } = connection;
const rows: GasRow[] = [];
async function record(operation: string, send: Promise<TransactionResponse>): Promise<void> {
  rows.push(toRow(operation, await measureTx(provider, await send)));
}

const world = await deployWorld(connection);
const { members, tokens } = world.contracts;
const [fresh1, fresh2, fresh3, fresh4] = world.outsiders;
const glassworks = world.admins.glassworks;
const reason = reasonCode("AML-2026-0042");

await record(
  "MemberRegistry.admit",
  members.admit(
    legalIdHash("TLBENCHBANK00000001"),
    entityKey(world.key, "TLBENCHBANK00000001"),
    jurisdictionCode("BR"),
    roleMask(["Lender"]),
    fresh1,
  ),
);
const benchId = await members.memberOf(fresh1);
await record("MemberRegistry.addOperator", members.connect(fresh1).addOperator(benchId, fresh2));
await record("MemberRegistry.setAdmin [existing operator]", members.connect(fresh1).setAdmin(benchId, fresh2));
await record("MemberRegistry.removeOperator", members.connect(fresh2).removeOperator(benchId, fresh1));
await record("MemberRegistry.proposeAdminRecovery [new operator]", members.proposeAdminRecovery(benchId, fresh3));
await networkHelpers.time.increase(await members.RECOVERY_DELAY());
await record("MemberRegistry.completeAdminRecovery [new operator]", members.completeAdminRecovery(benchId));
await record("MemberRegistry.suspend", members.suspend(benchId, reason));
await record("MemberRegistry.reinstate", members.reinstate(benchId, reason));
await record("MemberRegistry.revoke", members.revoke(benchId, reason));

const cny = tokens.CNY;
await record("SettlementToken.mint [new holder]", cny.connect(world.issuer).mint(glassworks, 1_000_000n));
await record("SettlementToken.mint [existing holder]", cny.connect(world.issuer).mint(glassworks, 1_000_000n));
await record("SettlementToken.transfer [new holder]", cny.connect(glassworks).transfer(world.admins.cristal, 500n));
await record(
  "SettlementToken.transfer [existing holder]",
  cny.connect(glassworks).transfer(world.admins.cristal, 500n),
);
await record("SettlementToken.approve", cny.connect(glassworks).approve(world.admins.huaxia, 10_000n));
await record(
  "SettlementToken.transferFrom",
  cny.connect(world.admins.huaxia).transferFrom(glassworks, world.admins.cristal, 700n),
);
{
  const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
  const p = await signPermit(cny, glassworks, world.admins.golfo.address, 9_000n, deadline);
  await record(
    "SettlementToken.permit",
    cny.connect(fresh4).permit(p.owner, p.spender, p.value, p.deadline, p.v, p.r, p.s),
  );
}
await cny.connect(world.issuer).mint(world.issuer, 5_000n);
await record("SettlementToken.burn", cny.connect(world.issuer).burn(2_000n));
await record("SettlementToken.freeze", cny.freeze(world.admins.cristal, reason));
await record("SettlementToken.unfreeze", cny.unfreeze(world.admins.cristal, reason));
await record("SettlementToken.setSystemAccount", cny.setSystemAccount(fresh4, true));
await record("SettlementToken.pause", cny.pause());
await record("SettlementToken.unpause", cny.unpause());

console.log(`hardfork: ${String((connection.networkConfig as { hardfork?: string }).hardfork)}`);
for (const r of rows) {
  console.log(
    `${r.operation.padEnd(54)} ${String(r.gas).padStart(8)} ${String(r.floor).padStart(8)} ${r.ratio.toFixed(3)}`,
  );
}
