import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";

import { currencyCode, jurisdictionCode, legalIdHash } from "../../src/encoding.js";
import { roleMask } from "../../src/members.js";
import { TEST_KEY_CHECK, testEntityKey } from "./entity.js";

/**
 * A member registry with three members (1: a token issuer, 2: a supplier, 3: an importer, each admitted with the
 * admin given) and a CNY settlement token that member 1 issues: the world of the token's unit tests.
 */
export async function deployTokenWorld(
  { ethers }: NetworkConnection,
  governor: HardhatEthersSigner,
  admins: { issuer: HardhatEthersSigner; supplier: HardhatEthersSigner; importer: HardhatEthersSigner },
) {
  const registry = await ethers.deployContract("MemberRegistry", [governor.address, TEST_KEY_CHECK], governor);
  const members: [string, string, string[], HardhatEthersSigner][] = [
    ["TLHUAXIABANK00000002", "CN", ["TokenIssuer"], admins.issuer],
    ["TLGLASSWORKS00000006", "CN", ["Supplier"], admins.supplier],
    ["TLCASACRISTAL0000007", "MX", ["Importer"], admins.importer],
  ];
  for (const [lei, jurisdiction, roles, admin] of members) {
    const id = legalIdHash(lei);
    await registry.admit(id, testEntityKey(id), jurisdictionCode(jurisdiction), roleMask(roles), admin.address);
  }
  const token = await ethers.deployContract(
    "SettlementToken",
    ["Tradeline Digital CNY", "tCNY", currencyCode("CNY"), 2, await registry.getAddress()],
    governor,
  );
  await token.setIssuer(1, true);
  return { registry, token };
}
