import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";

import { currencyCode, jurisdictionCode, legalIdHash } from "../../src/encoding.js";
import { roleMask } from "../../src/members.js";
import { TEST_KEY_CHECK, testEntityKey } from "./entity.js";
import { linkOperator } from "./operators.js";

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

/**
 * `deployTokenWorld` with the first signers as governor, issuer and the admins of members 2 (alice) and 3 (bob), and
 * carol linked as a second operator key of member 2; dave is a spare key.
 */
export async function secondKeyWorld(connection: NetworkConnection) {
  const [governor, issuer, aliceAdmin, bobAdmin, carol, dave] = await connection.ethers.getSigners();
  const { registry, token } = await deployTokenWorld(connection, governor, {
    issuer,
    supplier: aliceAdmin, // member 2
    importer: bobAdmin, // member 3
  });
  await linkOperator(connection, registry, aliceAdmin, 2, carol);
  return { registry, token, governor, issuer, aliceAdmin, bobAdmin, carol, dave };
}
