import type { Signer } from "ethers";
import type { network } from "hardhat";

import type { MemberRegistry } from "../../typechain-types/index.js";

type Connection = Awaited<ReturnType<typeof network.create>>;

/**
 * Links `operator` to member `id` in the registry's two steps (review 31, D2): the member's `admin` offers, the key
 * accepts. An address the test holds no key for is impersonated and funded for its acceptance.
 */
export async function linkOperator(
  connection: Connection,
  registry: MemberRegistry,
  admin: Signer,
  id: bigint | number,
  operator: Signer | string,
): Promise<void> {
  const address = typeof operator === "string" ? operator : await operator.getAddress();
  await (await registry.connect(admin).addOperator(id, address)).wait();
  let signer: Signer;
  if (typeof operator === "string") {
    await connection.networkHelpers.impersonateAccount(address);
    await connection.networkHelpers.setBalance(address, 10n ** 20n);
    signer = await connection.ethers.getSigner(address);
  } else {
    signer = operator;
  }
  await (await registry.connect(signer).acceptOperatorOffer(id)).wait();
}
